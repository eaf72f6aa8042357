package io.reactivecache.redis.support;

import java.net.URI;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Finds a Redis for integration tests, in the order {@link RedisSelection} decides: the {@code REDIS_URL}
 * environment variable; else a {@code redis-server} from the PATH started on a free port (once per JVM, stopped
 * when the JVM exits); else a Redis container started by Testcontainers where a Docker daemon answers (once per
 * JVM; Testcontainers removes it when the JVM exits); else the test is skipped with a message saying how to
 * provide one, printed on the console — and fails instead when the system property {@code redis.required} is
 * {@code true} (CI sets it, so a missing Redis can never turn into a green build).
 *
 * <p>Tests share the server, so each must work under its own {@link #newNamespace() namespace} and never flush,
 * reconfigure or pause it; destructive tests start their own {@link RedisServerProcess}.
 */
public final class RedisTestSupport {
  /** The system property that turns a skip into a failure. */
  public static final String REQUIRED_PROPERTY = "redis.required";

  private static volatile String uri;
  private static RedisServerProcess ownServer;

  private RedisTestSupport() {}

  /**
   * Returns the URI of a Redis the tests may use (under their own namespaces), or skips (or fails) the test.
   *
   * @return the URI, possibly with credentials: never print it
   */
  public static String redisUri() {
    String found = uri;
    if (found == null) {
      synchronized (RedisTestSupport.class) {
        if (uri == null) {
          uri = locate();
        }
        found = uri;
      }
    }
    return found;
  }

  /**
   * Returns a namespace no other test uses.
   *
   * @return a fresh namespace
   */
  public static String newNamespace() {
    return "rc-test-" + UUID.randomUUID().toString().substring(0, 13);
  }

  /** Skips (or fails, when Redis is required) a test that must start its own {@code redis-server}. */
  public static void requireRedisServerBinary() {
    if (!RedisServerProcess.available()) {
      unavailable("this test starts its own redis-server (to kill, pause or reconfigure it), and there is no"
          + " redis-server on the PATH");
    }
  }

  /** Skips (or fails, when Redis is required) a test that needs {@code openssl} to make certificates. */
  public static void requireOpenssl() {
    if (!TlsMaterial.opensslAvailable()) {
      unavailable("this test generates TLS certificates with openssl, which is not on the PATH");
    }
  }

  /** Tells whether the build demands Redis ({@code -Dredis.required=true}). */
  public static boolean required() {
    return Boolean.parseBoolean(System.getProperty(REQUIRED_PROPERTY, "false"));
  }

  /**
   * Describes a Redis URI without its credentials, for messages.
   *
   * @param uri the URI
   * @return scheme, host and port only
   */
  public static String redact(String uri) {
    try {
      URI parsed = URI.create(uri);
      return parsed.getScheme() + "://" + parsed.getHost() + ":" + parsed.getPort();
    } catch (IllegalArgumentException e) {
      return "(unparseable Redis URI)";
    }
  }

  /** The image Testcontainers starts when neither REDIS_URL nor redis-server is there. */
  static final String REDIS_IMAGE = "redis:7.4-alpine";

  private static String locate() {
    RedisSelection.Decision decision = RedisSelection.decide(new RedisSelection.Probes() {
      @Override
      public String redisUrl() {
        return System.getenv("REDIS_URL");
      }

      @Override
      public boolean redisServerOnPath() {
        return RedisServerProcess.available();
      }

      @Override
      public boolean dockerAvailable() {
        try {
          return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
          return false;
        }
      }

      @Override
      public boolean required() {
        return RedisTestSupport.required();
      }
    });
    switch (decision.source()) {
      case REDIS_URL -> {
        checkAnswers(decision.detail());
        return decision.detail();
      }
      case REDIS_SERVER -> {
        // Kept for the whole JVM: RedisServerProcess's shutdown hook stops it.
        ownServer = RedisServerProcess.start();
        return ownServer.uri();
      }
      case TESTCONTAINERS -> {
        // Kept for the whole JVM: Testcontainers' reaper removes the container when the JVM exits.
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(REDIS_IMAGE))
            .withExposedPorts(6379);
        container.start();
        return "redis://" + container.getHost() + ":" + container.getMappedPort(6379);
      }
      default -> {
        unavailable(decision.detail());
        throw new AssertionError("unreachable");
      }
    }
  }

  private static void checkAnswers(String redisUrl) {
    URI parsed = URI.create(redisUrl);
    if (!"redis".equals(parsed.getScheme())) {
      return;
    }
    String user = null;
    String password = null;
    if (parsed.getUserInfo() != null) {
      String[] parts = parsed.getUserInfo().split(":", 2);
      user = parts.length == 2 && !parts[0].isEmpty() ? parts[0] : null;
      password = parts.length == 2 ? parts[1] : parts[0];
    }
    int port = parsed.getPort() > 0 ? parsed.getPort() : 6379;
    try (RespConnection connection = RespConnection.open(parsed.getHost(), port, null, user, password)) {
      connection.command("PING");
    } catch (RuntimeException e) {
      unavailable("REDIS_URL points to " + redact(redisUrl) + ", which does not answer PING ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  private static final Set<String> PRINTED = ConcurrentHashMap.newKeySet();

  private static void unavailable(String why) {
    if (required()) {
      Assertions.fail("Redis is required (-D" + REQUIRED_PROPERTY + "=true) but " + why);
    }
    String message = "Skipped: " + why + ". Run with -D" + REQUIRED_PROPERTY + "=true to make this a failure.";
    // Surefire does not show why a test was aborted: say it once per reason on the console.
    if (PRINTED.add(why)) {
      System.out.println("[redis-test-support] " + message);
    }
    Assumptions.abort(message);
  }
}
