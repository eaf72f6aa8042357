package io.reactivecache.redis.support;

/**
 * Decides where the Redis of the integration tests comes from, in the documented order: the {@code REDIS_URL}
 * environment variable; else a {@code redis-server} from the PATH started on a free port; else a Testcontainers
 * container where Docker answers; else the tests are skipped with a message, or fail when
 * {@code -Dredis.required=true}. Only the decision lives here, over {@link Probes} that a test can fake; acting on
 * it is {@link RedisTestSupport}'s job. Each probe is asked only when the ones before it found nothing, so a
 * machine with {@code REDIS_URL} never looks for Docker.
 */
public final class RedisSelection {

  /** What the environment offers; each method may be slow (it may start a process or call Docker). */
  public interface Probes {
    /** Returns {@code REDIS_URL}, or null when unset. */
    String redisUrl();

    /** Tells whether {@code redis-server} runs from the PATH. */
    boolean redisServerOnPath();

    /** Tells whether a Docker daemon answers Testcontainers. */
    boolean dockerAvailable();

    /** Tells whether the build demands Redis ({@code -Dredis.required=true}). */
    boolean required();
  }

  /** Where the Redis comes from, or why there is none. */
  public enum Source {
    /** The server {@code REDIS_URL} names. */
    REDIS_URL,
    /** A {@code redis-server} from the PATH, started by the tests. */
    REDIS_SERVER,
    /** A Redis container started by Testcontainers. */
    TESTCONTAINERS,
    /** None: the tests are skipped, with the message. */
    SKIP,
    /** None, and Redis is required: the tests fail, with the message. */
    FAIL
  }

  /**
   * The decision.
   *
   * @param source where the Redis comes from
   * @param detail the URL for {@link Source#REDIS_URL}; the message for {@link Source#SKIP} and
   *     {@link Source#FAIL}; empty otherwise
   */
  public record Decision(Source source, String detail) {}

  static final String NONE = "no Redis: set REDIS_URL (for example redis://127.0.0.1:6379), put redis-server on the"
      + " PATH, or run a Docker daemon for Testcontainers";

  private RedisSelection() {}

  /**
   * Decides, asking the probes in order and no further than needed.
   *
   * @param probes the environment
   * @return the decision
   */
  public static Decision decide(Probes probes) {
    String url = probes.redisUrl();
    if (url != null && !url.isBlank()) {
      return new Decision(Source.REDIS_URL, url);
    }
    if (probes.redisServerOnPath()) {
      return new Decision(Source.REDIS_SERVER, "");
    }
    if (probes.dockerAvailable()) {
      return new Decision(Source.TESTCONTAINERS, "");
    }
    return probes.required() ? new Decision(Source.FAIL, NONE) : new Decision(Source.SKIP, NONE);
  }
}
