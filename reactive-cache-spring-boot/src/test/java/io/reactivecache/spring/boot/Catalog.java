package io.reactivecache.spring.boot;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A service with annotated reactive methods over an in-memory "database" that counts its queries. */
public class Catalog {
  /** A cached value. */
  public record Product(long id, String name) {}

  private final AtomicInteger queries = new AtomicInteger();
  private final Map<Long, Product> rows = new ConcurrentHashMap<>();
  private volatile Duration latency = Duration.ofMillis(50);

  /**
   * Returns how many queries the "database" answered.
   *
   * @return the count
   */
  public int queries() {
    return queries.get();
  }

  /**
   * Returns the "database" (methods, not fields: callers hold a proxy).
   *
   * @return the rows by id
   */
  public Map<Long, Product> rows() {
    return rows;
  }

  /**
   * Sets how long a query takes.
   *
   * @param latency the latency
   */
  public void latency(Duration latency) {
    this.latency = latency;
  }

  private <T> Mono<T> query(java.util.function.Supplier<T> answer) {
    return Mono.fromSupplier(() -> {
      queries.incrementAndGet();
      return answer.get();
    }).delayElement(latency);
  }

  /**
   * One product, through our engine (sync = true).
   *
   * @param id the id
   * @return the product, or empty
   */
  @Cacheable(cacheNames = "products", sync = true)
  public Mono<Product> find(long id) {
    return query(() -> rows.get(id));
  }

  /**
   * One product, through Spring's read-then-write flow (no sync).
   *
   * @param id the id
   * @return the product, or empty
   */
  @Cacheable(cacheNames = "plain")
  public Mono<Product> findPlain(long id) {
    return query(() -> rows.get(id));
  }

  /**
   * Products whose name starts with a prefix.
   *
   * @param prefix the prefix
   * @return the products, by id
   */
  @Cacheable(cacheNames = "searches", sync = true)
  public Flux<Product> search(String prefix) {
    return query(() -> rows.values().stream().filter(p -> p.name().startsWith(prefix))
        .sorted(java.util.Comparator.comparingLong(Product::id)).toList())
        .flatMapMany(Flux::fromIterable);
  }

  /**
   * Two arguments, for key rendering.
   *
   * @param a first
   * @param b second
   * @return "a|b"
   */
  @Cacheable(cacheNames = "pairs", sync = true)
  public Mono<String> pair(String a, String b) {
    return query(() -> a + "|" + b);
  }

  /**
   * Saves a product and writes it to the cache.
   *
   * @param product the product
   * @return the product
   */
  @CachePut(cacheNames = "products", key = "#product.id")
  public Mono<Product> save(Product product) {
    return Mono.fromSupplier(() -> {
      rows.put(product.id(), product);
      return product;
    });
  }

  /**
   * Renames a product at the source and evicts it.
   *
   * @param id the id
   * @param name the new name
   * @return completes when done
   */
  @CacheEvict(cacheNames = "products", key = "#id")
  public Mono<Void> rename(long id, String name) {
    return Mono.fromRunnable(() -> rows.computeIfPresent(id, (k, p) -> new Product(id, name)));
  }

  /**
   * Clears the products cache.
   *
   * @return completes when done
   */
  @CacheEvict(cacheNames = "products", allEntries = true)
  public Mono<Void> evictAll() {
    return Mono.empty();
  }

  /**
   * A blocking method on a reactive cache: refused.
   *
   * @param id the id
   * @return the product
   */
  @Cacheable(cacheNames = "products")
  public Product blocking(long id) {
    return rows.get(id);
  }

  /** The application: caching on, one catalog. */
  @Configuration(proxyBeanMethods = false)
  @EnableCaching
  public static class App {
    /**
     * The catalog.
     *
     * @return a catalog with product 1
     */
    @Bean
    public Catalog catalog() {
      Catalog catalog = new Catalog();
      catalog.rows().put(1L, new Product(1, "Ada"));
      catalog.rows().put(2L, new Product(2, "Alan"));
      catalog.rows().put(3L, new Product(3, "Grace"));
      return catalog;
    }
  }

  /** Sorts search results for comparison. */
  static List<Long> ids(List<Product> products) {
    return products.stream().map(Product::id).toList();
  }
}
