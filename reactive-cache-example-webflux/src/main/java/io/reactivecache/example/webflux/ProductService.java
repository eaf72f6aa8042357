package io.reactivecache.example.webflux;

import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/** The catalog, read through the "products" cache (Redis, memory fallback, near cache: application.properties). */
@Service
public class ProductService {
  private final ProductRepository repository;

  /**
   * Creates the service.
   *
   * @param repository the repository
   */
  public ProductService(ProductRepository repository) {
    this.repository = repository;
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
   * Renames a product, and writes the new value to the cache before the response is sent.
   *
   * @param id the id
   * @param name the new name
   * @return the product, or empty if there is none
   */
  @CachePut(cacheNames = "products", key = "#id")
  public Mono<Product> rename(long id, String name) {
    return repository.findById(id).flatMap(p -> repository.save(new Product(p.id(), name, p.priceCents())));
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
