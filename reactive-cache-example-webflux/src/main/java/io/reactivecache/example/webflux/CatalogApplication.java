package io.reactivecache.example.webflux;

import java.util.Map;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Flux;

/**
 * A catalog service: WebFlux, a Spring Data R2DBC repository on PostgreSQL (see {@link Database}), and the
 * {@code products} cache on Redis with a memory fallback and a near cache (application.properties).
 */
@SpringBootApplication
@EnableCaching
public class CatalogApplication {

  /**
   * Starts the service.
   *
   * @param args Spring Boot arguments
   */
  public static void main(String[] args) {
    SpringApplication application = new SpringApplication(CatalogApplication.class);
    application.setDefaultProperties(Map.of("spring.r2dbc.url", Database.locate().url()));
    application.run(args);
  }

  /**
   * Three products to look at, added if missing.
   *
   * @param database the database
   * @return the runner
   */
  @Bean
  ApplicationRunner demoProducts(DatabaseClient database) {
    return args -> Flux.just(new Product(1L, "Analytical Engine", 1_000_000L), new Product(2L, "Difference Engine",
            500_000L), new Product(3L, "Jacquard Loom", 25_000L))
        .concatMap(p -> database.sql("INSERT INTO rc_example_product (id, name, price_cents) SELECT :id, :name, :price"
                + " WHERE NOT EXISTS (SELECT 1 FROM rc_example_product WHERE id = :id)")
            .bind("id", p.id()).bind("name", p.name()).bind("price", p.priceCents()).fetch().rowsUpdated())
        .then().block();
  }
}
