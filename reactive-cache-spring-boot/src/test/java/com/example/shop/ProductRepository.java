package com.example.shop;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;

/** Stands for the README's reactive repository: counts its queries. */
public class ProductRepository {
  private final AtomicInteger queries = new AtomicInteger();

  /**
   * Finds a product (slowly, as a database would).
   *
   * @param id the id
   * @return the product
   */
  public Mono<Product> findById(long id) {
    return Mono.fromSupplier(() -> {
      queries.incrementAndGet();
      return new Product(id, "product " + id);
    }).delayElement(Duration.ofMillis(50));
  }

  /**
   * Returns how many queries ran.
   *
   * @return the count
   */
  public int queries() {
    return queries.get();
  }
}
