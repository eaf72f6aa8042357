package io.reactivecache.example.webflux;

import org.springframework.data.r2dbc.repository.Query;
import org.springframework.data.repository.reactive.ReactiveCrudRepository;
import reactor.core.publisher.Mono;

/** Products in the database. */
public interface ProductRepository extends ReactiveCrudRepository<Product, Long> {

  /**
   * Reads one product. Each execution also bumps the database sequence {@code rc_example_product_lookups} exactly
   * once, found or not (PostgreSQL runs the uncorrelated sub-select once, as a one-time filter, before the scan),
   * so the database itself counts how many times this query ran: the tests read that count.
   *
   * @param id the id
   * @return the product, or empty
   */
  @Query("SELECT p.id, p.name, p.price_cents FROM rc_example_product p"
      + " WHERE p.id = :id AND (SELECT nextval('rc_example_product_lookups')) > 0")
  Mono<Product> lookup(long id);
}
