package io.reactivecache.example.webflux;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** {@code GET /products/{id}}, {@code PUT /products/{id}} (rename), {@code DELETE /products/{id}/cache}. */
@RestController
public class ProductController {
  private final ProductService products;

  /**
   * Creates the controller.
   *
   * @param products the service
   */
  public ProductController(ProductService products) {
    this.products = products;
  }

  /**
   * The body of a rename.
   *
   * @param name the new name
   */
  public record Rename(String name) {}

  /**
   * Reads a product through the cache.
   *
   * @param id the id
   * @return 200 with the product, or 404
   */
  @GetMapping("/products/{id}")
  public Mono<ResponseEntity<Product>> get(@PathVariable long id) {
    return products.find(id).map(ResponseEntity::ok).defaultIfEmpty(ResponseEntity.notFound().build());
  }

  /**
   * Renames a product.
   *
   * @param id the id
   * @param rename the new name
   * @return 200 with the product, or 404
   */
  @PutMapping("/products/{id}")
  public Mono<ResponseEntity<Product>> rename(@PathVariable long id, @RequestBody Rename rename) {
    return products.rename(id, rename.name()).map(ResponseEntity::ok)
        .defaultIfEmpty(ResponseEntity.notFound().build());
  }

  /**
   * Drops a product from the cache.
   *
   * @param id the id
   * @return 204 once dropped
   */
  @DeleteMapping("/products/{id}/cache")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  public Mono<Void> invalidate(@PathVariable long id) {
    return products.invalidate(id);
  }
}
