package io.reactivecache.example.webflux;

import org.springframework.data.r2dbc.repository.Query;
import org.springframework.data.repository.reactive.ReactiveCrudRepository;
import reactor.core.publisher.Mono;

/** Products in the database. */
public interface ProductRepository extends ReactiveCrudRepository<Product, Long> {

  /**
   * Reads one product. Each execution also bumps the database sequence {@code rc_example_product_lookups}, so the
   * database itself counts how many times this query ran (the tests read that count).
   *
   * @param id the id
   * @return the product, or empty
   */
  @Query("SELECT p.id, p.name, p.price_cents, nextval('rc_example_product_lookups') AS lookup"
      + " FROM rc_example_product p WHERE p.id = :id")
  Mono<Product> lookup(long id);
}
