package io.reactivecache.example.webflux;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Finds the database the way the Redis tests find Redis: a URL from the environment ({@code R2DBC_URL}, else
 * {@code DATABASE_URL}, which may also be a {@code postgres://} or {@code jdbc:postgresql://} URL); else the
 * PostgreSQL on 127.0.0.1:5432 (database {@code test}, user {@code postgres}, trust authentication); else an
 * embedded H2 database, said so on the console. With {@code -Dpostgres.required=true} (CI) the fallback to H2 is a
 * failure instead.
 */
public final class Database {
  /** The system property that turns the H2 fallback into a failure. */
  public static final String REQUIRED_PROPERTY = "postgres.required";
  static final String LOCAL = "r2dbc:postgresql://postgres@127.0.0.1:5432/test";
  static final String EMBEDDED = "r2dbc:h2:mem:///catalog?options=MODE=PostgreSQL;DB_CLOSE_DELAY=-1";

  private Database() {}

  /**
   * Where the database is.
   *
   * @param url the R2DBC URL
   * @param postgres true for PostgreSQL, false for the embedded H2
   */
  public record Location(String url, boolean postgres) {}

  /**
   * Finds the database.
   *
   * @return its location
   * @throws IllegalStateException when PostgreSQL is required and none is found
   */
  public static Location locate() {
    String fromEnv = System.getenv("R2DBC_URL");
    if (blank(fromEnv)) {
      fromEnv = System.getenv("DATABASE_URL");
    }
    if (!blank(fromEnv)) {
      String url = r2dbc(fromEnv.trim());
      return new Location(url, url.startsWith("r2dbc:postgresql:") || url.startsWith("r2dbc:pool:postgresql:"));
    }
    if (answers("127.0.0.1", 5432)) {
      return new Location(LOCAL, true);
    }
    if (Boolean.getBoolean(REQUIRED_PROPERTY)) {
      throw new IllegalStateException("PostgreSQL is required (-D" + REQUIRED_PROPERTY + "=true) but R2DBC_URL and"
          + " DATABASE_URL are not set and nothing answers on 127.0.0.1:5432");
    }
    System.out.println("[reactive-cache example] No PostgreSQL (R2DBC_URL, DATABASE_URL or 127.0.0.1:5432):"
        + " using an embedded H2 database. Set R2DBC_URL=r2dbc:postgresql://user@host:5432/db to use PostgreSQL.");
    return new Location(EMBEDDED, false);
  }

  static String r2dbc(String url) {
    if (url.startsWith("r2dbc:")) {
      return url;
    }
    if (url.startsWith("jdbc:")) {
      return "r2dbc:" + url.substring("jdbc:".length());
    }
    if (url.startsWith("postgres://")) {
      return "r2dbc:postgresql://" + url.substring("postgres://".length());
    }
    if (url.startsWith("postgresql://")) {
      return "r2dbc:" + url;
    }
    throw new IllegalArgumentException("Unsupported database URL scheme (expected r2dbc:, jdbc:postgresql:,"
        + " postgres: or postgresql:)");
  }

  private static boolean answers(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean blank(String text) {
    return text == null || text.isBlank();
  }
}
