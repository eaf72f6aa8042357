package io.reactivecache.example.webflux;

import static io.reactivecache.example.webflux.CatalogTestSupport.TIMEOUT;
import static io.reactivecache.example.webflux.CatalogTestSupport.insert;
import static io.reactivecache.example.webflux.CatalogTestSupport.lookups;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.redis.support.RedisTestSupport;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The catalog over HTTP, against the real database (PostgreSQL, see {@link Database}) and the real Redis (see
 * {@link RedisTestSupport}), with the properties the application ships with.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class CatalogIT {
  @Autowired
  DatabaseClient database;

  @Value("${local.server.port}")
  int port;

  WebTestClient http;

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    registry.add("spring.r2dbc.url", () -> Database.locate().url());
    registry.add("reactive-cache.backends.main.redis.url", RedisTestSupport::redisUri);
    registry.add("reactive-cache.backends.main.redis.namespace", RedisTestSupport::newNamespace);
  }

  @BeforeEach
  void client() {
    http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(TIMEOUT).build();
  }

  @Test
  void twoHundredConcurrentRequestsMakeOneDatabaseQuery() {
    Product product = insert(database, "Analytical Engine");
    long before = lookups(database);
    // A connection per request, all at once (Reactor Netty's default pool would queue most of them).
    ConnectionProvider connections = ConnectionProvider.builder("burst").maxConnections(200)
        .pendingAcquireMaxCount(-1).build();
    try {
      WebClient client = WebClient.builder().baseUrl("http://127.0.0.1:" + port)
          .clientConnector(new org.springframework.http.client.reactive.ReactorClientHttpConnector(
              HttpClient.create(connections)))
          .build();
      List<Product> answers = Flux.range(0, 200)
          .flatMap(i -> client.get().uri("/products/{id}", product.id()).retrieve().bodyToMono(Product.class), 200)
          .collectList().block(TIMEOUT);
      assertThat(answers).hasSize(200).containsOnly(product);
    } finally {
      connections.disposeLater().block(TIMEOUT);
    }
    long queries = lookups(database) - before;
    System.out.println("[CatalogIT] 200 concurrent GET /products/" + product.id() + " -> database lookups: "
        + queries + " (" + (Database.locate().postgres() ? "PostgreSQL" : "H2") + ")");
    assertThat(queries).isEqualTo(1);
  }

  @Test
  void anUpdateIsSeenByTheNextRead() {
    Product product = insert(database, "Difference Engine");
    read(product.id(), "Difference Engine");
    long before = lookups(database);
    http.put().uri("/products/{id}", product.id()).bodyValue(new ProductController.Rename("Difference Engine No. 2"))
        .exchange().expectStatus().isOk().expectBody(Product.class)
        .isEqualTo(new Product(product.id(), "Difference Engine No. 2", 100));
    read(product.id(), "Difference Engine No. 2");
    assertThat(lookups(database) - before).as("the update wrote the cache: the read did not query").isZero();
  }

  @Test
  void anInvalidationMakesTheNextReadQueryTheDatabase() {
    Product product = insert(database, "Jacquard Loom");
    read(product.id(), "Jacquard Loom");
    CatalogTestSupport.renameInDatabase(database, product.id(), "Jacquard Loom (1804)");
    read(product.id(), "Jacquard Loom");
    long before = lookups(database);
    http.delete().uri("/products/{id}/cache", product.id()).exchange().expectStatus().isNoContent();
    read(product.id(), "Jacquard Loom (1804)");
    read(product.id(), "Jacquard Loom (1804)");
    assertThat(lookups(database) - before).isEqualTo(1);
  }

  @Test
  void aMissingProductIsNotFoundAndTheEmptyResultIsCachedForItsOwnTtl() {
    long before = lookups(database);
    http.get().uri("/products/{id}", 42L).exchange().expectStatus().isNotFound();
    http.get().uri("/products/{id}", 42L).exchange().expectStatus().isNotFound();
    assertThat(lookups(database) - before).isEqualTo(1);
  }

  @Test
  void healthShowsTheCacheBackends() {
    http.get().uri("/actuator/health").exchange().expectStatus().isOk().expectBody()
        .jsonPath("$.components.reactiveCache.status").isEqualTo("UP")
        .jsonPath("$.components.reactiveCache.details.main.status").isEqualTo("UP");
  }

  private void read(long id, String name) {
    http.get().uri("/products/{id}", id).exchange().expectStatus().isOk().expectBody(Product.class)
        .value(product -> assertThat(product.name()).isEqualTo(name));
  }
}
