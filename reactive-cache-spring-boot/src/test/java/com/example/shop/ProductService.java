package com.example.shop;

import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

@Service
public class ProductService {
  private final ProductRepository repository;

  public ProductService(ProductRepository repository) {
    this.repository = repository;
  }

  @Cacheable(cacheNames = "products", sync = true)
  public Mono<Product> find(long id) {
    return repository.findById(id);
  }
}
