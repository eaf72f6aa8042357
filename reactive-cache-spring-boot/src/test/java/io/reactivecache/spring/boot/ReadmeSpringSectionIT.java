package io.reactivecache.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.shop.Product;
import com.example.shop.ProductRepository;
import com.example.shop.ProductService;
import io.reactivecache.redis.support.RedisTestSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * Keeps the README's Spring section true: its Java block is {@link ProductService}'s source (compiled by the build),
 * and its three properties, with that service, give one query for many concurrent callers on a real Redis, whose
 * stored value a second application instance decodes into {@link Product} (the method's declared type).
 */
class ReadmeSpringSectionIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void theReadmeJavaBlockIsTheCompiledService() throws IOException {
    String source = Files.readString(
        ROOT.resolve("reactive-cache-spring-boot/src/test/java/com/example/shop/ProductService.java"));
    assertThat(block("java").strip()).isEqualTo(source.strip());
  }

  @Test
  void theReadmePropertiesAndServiceCacheThroughRedis() throws IOException {
    List<String> properties = new ArrayList<>();
    for (String line : block("properties").strip().split("\\R")) {
      // The test's own Redis and a namespace of its own; the README's lines otherwise as written.
      properties.add(line.startsWith("reactive-cache.backends.main.redis.url=")
          ? "reactive-cache.backends.main.redis.url=" + RedisTestSupport.redisUri() : line);
    }
    assertThat(properties).hasSize(3);
    properties.add("reactive-cache.backends.main.redis.namespace=" + RedisTestSupport.newNamespace());
    ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ReactiveCacheAutoConfiguration.class,
            ReactiveCacheSpringCacheAutoConfiguration.class))
        .withUserConfiguration(Shop.class)
        .withPropertyValues(properties.toArray(String[]::new));
    runner.run(context -> {
      ProductService service = context.getBean(ProductService.class);
      List<Product> answers = Flux.range(0, 100).flatMap(i -> service.find(7), 100).collectList()
          .block(Duration.ofSeconds(10));
      assertThat(answers).hasSize(100).containsOnly(new Product(7, "product 7"));
      assertThat(context.getBean(ProductRepository.class).queries()).isEqualTo(1);
    });
    // A second instance, same Redis: the value decodes into Product without a query.
    runner.run(context -> {
      StepVerifier.create(context.getBean(ProductService.class).find(7))
          .assertNext(product -> assertThat(product).isInstanceOf(Product.class).isEqualTo(new Product(7, "product 7")))
          .verifyComplete();
      assertThat(context.getBean(ProductRepository.class).queries()).isZero();
    });
  }

  private static String block(String language) throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    int begin = readme.indexOf("<!-- spring:begin -->");
    int end = readme.indexOf("<!-- spring:end -->");
    assertThat(begin).as("README Spring section markers").isNotNegative();
    assertThat(end).isGreaterThan(begin);
    String section = readme.substring(begin, end);
    String fence = "```" + language + "\n";
    int start = section.indexOf(fence);
    assertThat(start).as("a %s block in the README Spring section", language).isNotNegative();
    return section.substring(start + fence.length(), section.indexOf("```", start + fence.length()));
  }

  @Configuration(proxyBeanMethods = false)
  @EnableCaching
  static class Shop {
    @Bean
    ProductRepository productRepository() {
      return new ProductRepository();
    }

    @Bean
    ProductService productService(ProductRepository repository) {
      return new ProductService(repository);
    }
  }
}
