package io.reactivecache.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheConfigurationException;
import io.reactivecache.spring.boot.Catalog.Product;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * {@code @Cacheable}, {@code @CachePut} and {@code @CacheEvict} on methods returning Mono and Flux, through the
 * auto-configured Spring cache manager and our engine (memory backend; Redis in {@link RedisCacheableIT}).
 */
class CacheableOnReactiveMethodsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ReactiveCacheAutoConfiguration.class,
          ReactiveCacheSpringCacheAutoConfiguration.class, ReactiveCacheMetricsAutoConfiguration.class))
      .withUserConfiguration(Catalog.App.class);

  @Test
  void twoHundredConcurrentCallersOfOneKeyMakeOneQuery() {
    runner.run(context -> {
      Catalog catalog = context.getBean(Catalog.class);
      for (int burst = 0; burst < 5; burst++) {
        long id = 100 + burst;
        catalog.rows().put(id, new Product(id, "p" + id));
        int before = catalog.queries();
        List<Product> answers = Flux.range(0, 200).flatMap(i -> catalog.find(id), 200).collectList()
            .block(TIMEOUT);
        assertThat(answers).hasSize(200).containsOnly(new Product(id, "p" + id));
        assertThat(catalog.queries() - before).as("queries in burst %d", burst).isEqualTo(1);
      }
      StepVerifier.create(catalog.find(100)).expectNext(new Product(100, "p100")).verifyComplete();
      assertThat(catalog.queries()).isEqualTo(5);
    });
  }

  @Test
  void withoutSyncSpringReadsThenWritesAndServesFromTheCacheAfterwards() {
    runner.run(context -> {
      Catalog catalog = context.getBean(Catalog.class);
      StepVerifier.create(catalog.findPlain(1)).expectNext(new Product(1, "Ada")).verifyComplete();
      // Spring's put after a miss is not awaited by the caller: wait until a read is a hit.
      awaitTrue(() -> catalog.findPlain(1).map(found -> catalog.queries() == 1));
      StepVerifier.create(catalog.findPlain(1)).expectNext(new Product(1, "Ada")).verifyComplete();
      assertThat(catalog.queries()).isEqualTo(1);
    });
  }

  @Test
  void theMethodRunsOnlyWhenSubscribedAndNeverOnAHit() {
    runner.run(context -> {
      Catalog catalog = context.getBean(Catalog.class);
      catalog.find(1).block(TIMEOUT);
      Mono<Product> hit = catalog.find(1);
      StepVerifier.create(hit).expectNext(new Product(1, "Ada")).verifyComplete();
      StepVerifier.create(hit).expectNext(new Product(1, "Ada")).verifyComplete();
      assertThat(catalog.queries()).isEqualTo(1);
    });
  }

  @Test
  void anEmptyResultIsCachedOnlyWhenThePolicySaysSo() {
    runner.run(context -> {
      Catalog catalog = context.getBean(Catalog.class);
      StepVerifier.create(catalog.find(404)).verifyComplete();
      StepVerifier.create(catalog.find(404)).verifyComplete();
      assertThat(catalog.queries()).as("empty is not cached by default").isEqualTo(2);
    });
    runner.withPropertyValues("reactive-cache.caches.products.empty-ttl=1m").run(context -> {
      Catalog catalog = context.getBean(Catalog.class);
      StepVerifier.create(catalog.find(404)).verifyComplete();
      StepVerifier.create(catalog.find(404)).verifyComplete();
      assertThat(catalog.queries()).as("empty cached for empty-ttl").isEqualTo(1);
    });
  }

  @Test
  void aFluxIsCachedAsTheListOfItsElements() {
    runner.run(context -> {
      Catalog catalog = context.getBean(Catalog.class);
      StepVerifier.create(catalog.search("A")).expectNext(new Product(1, "Ada"), new Product(2, "Alan"))
          .verifyComplete();
      catalog.rows().put(4L, new Product(4, "Anita"));
      StepVerifier.create(catalog.search("A")).expectNext(new Product(1, "Ada"), new Product(2, "Alan"))
          .verifyComplete();
      StepVerifier.create(catalog.search("G")).expectNext(new Product(3, "Grace")).verifyComplete();
      assertThat(catalog.queries()).isEqualTo(2);
    });
  }

  @Test
  void aStaleValueIsServedAtOnceWhileOneRefreshRuns() {
    VirtualTimeScheduler clock = VirtualTimeScheduler.create();
    runner.withBean(ReactiveCacheAutoConfiguration.CLOCK_BEAN, Scheduler.class, () -> clock)
        .withPropertyValues("reactive-cache.caches.products.ttl=1m",
            "reactive-cache.caches.products.stale-while-revalidate=10m")
        .run(context -> {
          Catalog catalog = context.getBean(Catalog.class);
          StepVerifier.create(catalog.find(1)).expectNext(new Product(1, "Ada")).verifyComplete();
          catalog.rows().put(1L, new Product(1, "Ada Lovelace"));
          clock.advanceTimeBy(Duration.ofMinutes(2));
          catalog.latency(Duration.ofMillis(300));
          // Stale: served at once (well before the 300 ms query), by every caller, with one refresh.
          List<Product> stale = Flux.range(0, 50).flatMap(i -> catalog.find(1)).collectList()
              .block(Duration.ofMillis(250));
          assertThat(stale).hasSize(50).containsOnly(new Product(1, "Ada"));
          awaitTrue(() -> catalog.find(1).map(new Product(1, "Ada Lovelace")::equals));
          assertThat(catalog.queries()).isEqualTo(2);
        });
  }

  @Test
  void cachePutAndCacheEvictAreSeenByTheNextRead() {
    runner.run(context -> {
      Catalog catalog = context.getBean(Catalog.class);
      catalog.find(1).block(TIMEOUT);
      StepVerifier.create(catalog.save(new Product(1, "Countess"))).expectNextCount(1).verifyComplete();
      StepVerifier.create(catalog.find(1)).expectNext(new Product(1, "Countess")).verifyComplete();
      assertThat(catalog.queries()).as("@CachePut wrote the value").isEqualTo(1);

      StepVerifier.create(catalog.rename(1, "Augusta")).verifyComplete();
      StepVerifier.create(catalog.find(1)).expectNext(new Product(1, "Augusta")).verifyComplete();
      assertThat(catalog.queries()).as("@CacheEvict dropped the value").isEqualTo(2);

      catalog.find(2).block(TIMEOUT);
      StepVerifier.create(catalog.evictAll()).verifyComplete();
      catalog.find(1).block(TIMEOUT);
      catalog.find(2).block(TIMEOUT);
      assertThat(catalog.queries()).as("allEntries cleared both").isEqualTo(5);
    });
  }

  @Test
  void severalArgumentsMakeKeysThatNeverCollide() {
    runner.run(context -> {
      Catalog catalog = context.getBean(Catalog.class);
      StepVerifier.create(catalog.pair("a,b", "c")).expectNext("a,b|c").verifyComplete();
      StepVerifier.create(catalog.pair("a", "b,c")).expectNext("a|b,c").verifyComplete();
      StepVerifier.create(catalog.pair(null, "c")).expectNext("null|c").verifyComplete();
      StepVerifier.create(catalog.pair("null", "c")).expectNext("null|c").verifyComplete();
      StepVerifier.create(catalog.pair("a,b", "c")).expectNext("a,b|c").verifyComplete();
      assertThat(catalog.queries()).isEqualTo(4);
    });
  }

  @Test
  void aBlockingMethodIsRefusedWithAMessageSayingWhy() {
    runner.run(context -> {
      Catalog catalog = context.getBean(Catalog.class);
      try {
        catalog.blocking(1);
        throw new AssertionError("a blocking read was served");
      } catch (CacheConfigurationException e) {
        assertThat(e).hasMessageContaining("'products'").hasMessageContaining("Mono");
      }
    });
  }

  @Test
  void aDeadRedisNeverFailsARequest() {
    runner.withPropertyValues("reactive-cache.backends.shared.type=redis",
        "reactive-cache.backends.shared.redis.url=redis://127.0.0.1:" + ClosedPort.find(),
        "reactive-cache.backends.shared.redis.connect-timeout=200ms",
        "reactive-cache.backends.shared.redis.command-timeout=200ms",
        "reactive-cache.backends.shared.redis.retry-attempts=1",
        "reactive-cache.backends.shared.fallback=none").run(context -> {
          Catalog catalog = context.getBean(Catalog.class);
          for (int i = 0; i < 3; i++) {
            StepVerifier.create(catalog.find(1)).expectNext(new Product(1, "Ada")).verifyComplete();
            StepVerifier.create(catalog.findPlain(1)).expectNext(new Product(1, "Ada")).verifyComplete();
            StepVerifier.create(catalog.search("G")).expectNext(new Product(3, "Grace")).verifyComplete();
            StepVerifier.create(catalog.rename(2, "Alan Turing")).verifyComplete();
            StepVerifier.create(catalog.evictAll()).verifyComplete();
          }
          assertThat(catalog.queries()).as("nothing could be cached: every read queried").isEqualTo(9);
        });
  }

  @Test
  void withTheMemoryFallbackADeadRedisStillCaches() {
    runner.withPropertyValues("reactive-cache.backends.shared.type=redis",
        "reactive-cache.backends.shared.redis.url=redis://127.0.0.1:" + ClosedPort.find(),
        "reactive-cache.backends.shared.redis.connect-timeout=200ms",
        "reactive-cache.backends.shared.redis.retry-attempts=1").run(context -> {
          Catalog catalog = context.getBean(Catalog.class);
          StepVerifier.create(catalog.find(1)).expectNext(new Product(1, "Ada")).verifyComplete();
          StepVerifier.create(catalog.find(1)).expectNext(new Product(1, "Ada")).verifyComplete();
          assertThat(catalog.queries()).isEqualTo(1);
        });
  }

  static void awaitTrue(Supplier<Mono<Boolean>> condition) {
    Boolean met = Flux.interval(Duration.ofMillis(10)).concatMap(tick -> condition.get())
        .filter(Boolean::booleanValue).next().block(TIMEOUT);
    assertThat(met).as("condition met within %s", TIMEOUT).isTrue();
  }
}
