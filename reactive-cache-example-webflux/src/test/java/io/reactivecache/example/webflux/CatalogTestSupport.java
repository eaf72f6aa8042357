package io.reactivecache.example.webflux;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.r2dbc.core.DatabaseClient;

/** Rows for one test, and the database's own count of product lookups. */
final class CatalogTestSupport {
  static final Duration TIMEOUT = Duration.ofSeconds(15);

  private CatalogTestSupport() {}

  /**
   * Inserts a product with a fresh id (tests share the database with every other run: ids never repeat).
   *
   * @return the product
   */
  static Product insert(DatabaseClient database, String name) {
    Product product = new Product(ThreadLocalRandom.current().nextLong(1_000_000, Long.MAX_VALUE), name, 100);
    database.sql("INSERT INTO rc_example_product (id, name, price_cents) VALUES (:id, :name, :price)")
        .bind("id", product.id()).bind("name", product.name()).bind("price", product.priceCents())
        .fetch().rowsUpdated().block(TIMEOUT);
    return product;
  }

  /** Renames a product in the database behind the application's back (another system's write). */
  static void renameInDatabase(DatabaseClient database, long id, String name) {
    database.sql("UPDATE rc_example_product SET name = :name WHERE id = :id").bind("name", name).bind("id", id)
        .fetch().rowsUpdated().block(TIMEOUT);
  }

  /**
   * How many times the lookup query has run, as the database counts it: the query bumps the sequence
   * {@code rc_example_product_lookups}, whose current value the database reports.
   */
  static long lookups(DatabaseClient database) {
    String sql = Database.locate().postgres()
        ? "SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM rc_example_product_lookups"
        : "SELECT base_value - 1 AS n FROM information_schema.sequences"
            + " WHERE UPPER(sequence_name) = 'RC_EXAMPLE_PRODUCT_LOOKUPS'";
    return database.sql(sql).map(row -> row.get("n", Long.class)).one().block(TIMEOUT);
  }
}
