package io.reactivecache.example.webflux;

import io.reactivecache.CacheManager;
import io.reactivecache.CachePolicy;
import io.reactivecache.QueryCache;
import io.reactivecache.QueryKey;
import java.time.Duration;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The catalog, read through the "products" cache (Redis, memory fallback, near cache: application.properties), and
 * searches cached as queries: keyed by a description of the query, tagged with their model, so a change of any
 * product drops every cached search.
 */
@Service
public class ProductService {
  /** The model every cached product query is tagged with. */
  static final String MODEL = "product";

  private final ProductRepository repository;
  private final CacheManager cache;
  private final QueryCache<Product> queries;

  /**
   * Creates the service.
   *
   * @param repository the repository
   * @param cache the reactive-cache manager (from the starter)
   */
  public ProductService(ProductRepository repository, CacheManager cache) {
    this.repository = repository;
    this.cache = cache;
    this.queries = cache.queries(Product.class, CachePolicy.builder().ttl(Duration.ofMinutes(1)).build());
  }

  /**
   * Reads a product: one query however many requests miss at once, values served stale while they refresh.
   *
   * @param id the id
   * @return the product, or empty
   */
  @Cacheable(cacheNames = "products", sync = true)
  public Mono<Product> find(long id) {
    return repository.lookup(id);
  }

  /**
   * The products at or under a price, cheapest first: a query cached under a key derived from its description.
   *
   * @param maxPriceCents the highest price
   * @return the products
   */
  public Flux<Product> cheaperThan(long maxPriceCents) {
    return queries.all(search(maxPriceCents), repository.cheaperThan(maxPriceCents));
  }

  /**
   * How many products are at or under a price, cached like {@link #cheaperThan}.
   *
   * @param maxPriceCents the highest price
   * @return the count
   */
  public Mono<Long> countCheaperThan(long maxPriceCents) {
    return queries.count(search(maxPriceCents), repository.countCheaperThan(maxPriceCents));
  }

  private static QueryKey search(long maxPriceCents) {
    return QueryKey.on(MODEL).where("priceCentsAtMost", maxPriceCents).orderBy("priceCents", "id");
  }

  /**
   * Renames a product, writes the new value to the cache before the response is sent, and drops every cached
   * search of products (any of them may list it).
   *
   * @param id the id
   * @param name the new name
   * @return the product, or empty if there is none
   */
  @CachePut(cacheNames = "products", key = "#id")
  public Mono<Product> rename(long id, String name) {
    return repository.findById(id)
        .flatMap(p -> repository.save(new Product(p.id(), name, p.priceCents())))
        .flatMap(saved -> cache.invalidateTag(MODEL).thenReturn(saved));
  }

  /**
   * Drops a product from the cache (for example after a change made by another system).
   *
   * @param id the id
   * @return completes once dropped
   */
  @CacheEvict(cacheNames = "products", key = "#id")
  public Mono<Void> invalidate(long id) {
    return Mono.empty();
  }
}
