package io.reactivecache.example.webflux;

import static io.reactivecache.example.webflux.CatalogTestSupport.TIMEOUT;
import static io.reactivecache.example.webflux.CatalogTestSupport.insert;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.redis.support.RedisServerProcess;
import io.reactivecache.redis.support.RedisTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Redis is killed under the running application: every request is still answered. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"reactive-cache.backends.main.redis.command-timeout=200ms",
        "reactive-cache.backends.main.redis.retry-attempts=1"})
class RedisKilledIT {
  static RedisServerProcess redis;

  @Autowired
  DatabaseClient database;

  @Value("${local.server.port}")
  int port;

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    registry.add("spring.r2dbc.url", () -> Database.locate().url());
    registry.add("reactive-cache.backends.main.redis.url", () -> ownRedis().uri());
  }

  static synchronized RedisServerProcess ownRedis() {
    if (redis == null) {
      RedisTestSupport.requireRedisServerBinary();
      redis = RedisServerProcess.start();
    }
    return redis;
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void requestsAreStillAnsweredAfterRedisIsKilled() {
    WebTestClient http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(TIMEOUT)
        .build();
    Product cached = insert(database, "Harmonic Analyser");
    Product other = insert(database, "Tide Predictor");
    read(http, cached.id(), "Harmonic Analyser");
    assertThat(ownRedis().command("DBSIZE")).as("the value reached Redis").isNotEqualTo(0L);

    ownRedis().kill();

    read(http, cached.id(), "Harmonic Analyser");
    read(http, other.id(), "Tide Predictor");
    http.put().uri("/products/{id}", other.id()).bodyValue(new ProductController.Rename("Tide Predictor No. 2"))
        .exchange().expectStatus().isOk();
    read(http, other.id(), "Tide Predictor No. 2");
    http.get().uri("/actuator/health").exchange().expectStatus().isOk().expectBody()
        .jsonPath("$.components.reactiveCache.status").isEqualTo("DEGRADED");
  }

  private static void read(WebTestClient http, long id, String name) {
    http.get().uri("/products/{id}", id).exchange().expectStatus().isOk().expectBody(Product.class)
        .value(product -> assertThat(product.name()).isEqualTo(name));
  }
}
