package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheBackendException;
import io.reactivecache.CacheException;
import io.reactivecache.CacheHealth;
import io.reactivecache.Strategy;
import io.reactivecache.ValueType;
import io.reactivecache.redis.RedisCache;
import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.FaultFigures;
import io.reactivecache.redis.support.RedisClusterProcesses;
import io.reactivecache.redis.support.RedisServerProcess;
import io.reactivecache.redis.support.RedisTestSupport;
import io.reactivecache.redis.support.RespConnection;
import io.reactivecache.spi.CacheEntry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * What every fault test shares: its own {@code redis-server} (never the shared one on 6379), a backend configured
 * with short timeouts, timed calls checked against a bound derived from that configuration, and clean-up of every
 * process, proxy and backend a test started, in reverse order, whatever happens.
 */
abstract class RedisFaultTest {
  static final Duration COMMAND_TIMEOUT = Duration.ofMillis(300);
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
  /** Retries after the first attempt: two attempts in all. */
  static final int RETRY_ATTEMPTS = 1;
  static final Duration RETRY_BACKOFF = Duration.ofMillis(20);
  static final int BREAKER_THRESHOLD = 5;
  static final Duration BREAKER_WAIT = Duration.ofSeconds(1);
  static final ValueType<String> STRING = ValueType.of(String.class);

  /**
   * The longest any single call may take, whatever the fault: a connection attempt, every attempt timing out,
   * every backoff at twice its nominal length (jitter), and a generous slack for a loaded 2-core machine. A bound
   * on behaviour (a call never hangs), not a speed claim.
   */
  static final Duration CALL_BOUND = CONNECT_TIMEOUT
      .plus(COMMAND_TIMEOUT.multipliedBy(RETRY_ATTEMPTS + 2L))
      .plus(RETRY_BACKOFF.multipliedBy(2L * ((1L << (RETRY_ATTEMPTS + 2)) - 1)))
      .plus(Duration.ofMillis(1_500));

  /** How long a test waits for recovery before it fails: "within seconds". */
  static final Duration RECOVERY_BOUND = Duration.ofSeconds(15);

  private final Deque<AutoCloseable> resources = new ArrayDeque<>();

  private static volatile boolean warmedUp;

  @BeforeAll
  static void needsItsOwnRedisServer() {
    RedisTestSupport.requireRedisServerBinary();
    warmUp();
  }

  /**
   * The first backend of a JVM loads and JIT-compiles Lettuce, Netty, Jackson and Resilience4j, which takes
   * seconds on a small machine; doing it once before any measured call keeps that out of every call bound.
   */
  private static synchronized void warmUp() {
    if (warmedUp) {
      return;
    }
    try (RedisServerProcess server = RedisServerProcess.start()) {
      RedisCacheBackend backend = configured(server.uri(), "warm-up").build();
      try {
        for (int i = 0; i < 20; i++) {
          backend.put("k" + i, entry("v")).then(backend.get("k" + i, STRING)).block(Duration.ofSeconds(30));
        }
      } finally {
        backend.close().block(Duration.ofSeconds(10));
      }
    }
    warmedUp = true;
  }

  @AfterEach
  void closeEverythingStarted() throws Exception {
    Exception first = null;
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** Registers something to close after the test (last registered, first closed). */
  <T extends AutoCloseable> T closeLater(T resource) {
    resources.push(resource);
    return resource;
  }

  RedisServerProcess startServer() {
    return closeLater(RedisServerProcess.start());
  }

  RedisServerProcess startServer(RedisServerProcess.Builder builder) {
    return closeLater(builder.start());
  }

  /** The configuration every fault test starts from. */
  static RedisCache.Builder configured(String url, String namespace) {
    return RedisCache.builder()
        .name("redis")
        .url(url)
        .namespace(namespace)
        .commandTimeout(COMMAND_TIMEOUT)
        .connectTimeout(CONNECT_TIMEOUT)
        .retryAttempts(RETRY_ATTEMPTS)
        .retryBackoff(RETRY_BACKOFF)
        .circuitBreakerThreshold(BREAKER_THRESHOLD)
        .circuitBreakerWaitDuration(BREAKER_WAIT)
        .maxValueBytes(1_048_576)
        .maxNestingDepth(500)
        .strategy(Strategy.TTL)
        .maximumSize(10_000)
        .defaultTtl(Duration.ofMinutes(5))
        .clock(Schedulers.parallel());
  }

  RedisCacheBackend backend(String url) {
    return backend(url, b -> b);
  }

  RedisCacheBackend backend(String url, UnaryOperator<RedisCache.Builder> customize) {
    return built(customize.apply(configured(url, RedisTestSupport.newNamespace())));
  }

  /**
   * A TTL backend on a cluster, with the fault tests' timeouts and the given changes, closed after the test.
   *
   * @param cluster the cluster; its seed urls
   * @param customize further settings
   */
  RedisCacheBackend clusterBackend(RedisClusterProcesses cluster, UnaryOperator<RedisCache.Builder> customize) {
    return built(customize.apply(RedisCache.builder()
        .name("redis")
        .clusterNodes(cluster.seedUrls())
        .namespace(RedisTestSupport.newNamespace())
        .commandTimeout(COMMAND_TIMEOUT)
        .connectTimeout(CONNECT_TIMEOUT)
        .strategy(Strategy.TTL)));
  }

  /** Builds a backend that is closed after the test. */
  RedisCacheBackend built(RedisCache.Builder builder) {
    RedisCacheBackend backend = builder.build();
    closeLater(() -> backend.close().onErrorResume(e -> Mono.empty()).block(Duration.ofSeconds(10)));
    return backend;
  }

  /** An entry written now, fresh for a minute. */
  static CacheEntry<String> entry(String value) {
    long now = Schedulers.parallel().now(java.util.concurrent.TimeUnit.MILLISECONDS);
    return CacheEntry.of(value, now, now + 60_000, now + 120_000, Set.of());
  }

  /** The value a key holds in version {@code version}: it names its key, so a wrong key's value is seen. */
  static String valueOf(String key, int version) {
    return key + "|v" + version;
  }

  /** The result of one timed call. */
  record Outcome<T>(Optional<T> value, Throwable error, Duration duration) {
    boolean failed() {
      return error != null;
    }

    /** Asserts the call failed with a backend failure (a sick Redis), and returns it. */
    CacheBackendException backendError() {
      assertThat(error).as("a failure from the sick backend").isInstanceOf(CacheBackendException.class);
      return (CacheBackendException) error;
    }

    T get() {
      assertThat(error).as("call failed").isNull();
      return value.orElseThrow(() -> new AssertionError("expected a value, got a miss"));
    }
  }

  /**
   * Runs a call on the test thread, measures it, and checks it finished within {@link #CALL_BOUND} and that a
   * failure is a {@link CacheException} (house rule 7), never a raw Lettuce, Netty or Resilience4j exception.
   */
  <T> Outcome<T> call(Mono<T> mono) {
    long start = System.nanoTime();
    Optional<T> value = Optional.empty();
    Throwable error = null;
    try {
      value = mono.blockOptional(CALL_BOUND.plus(Duration.ofSeconds(30)));
    } catch (RuntimeException e) {
      error = reactor.core.Exceptions.unwrap(e);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took).as("call duration (bound derived from the configuration)").isLessThanOrEqualTo(CALL_BOUND);
    if (error != null) {
      assertThat(error).as("a failure a caller sees").isInstanceOf(CacheException.class);
    }
    return new Outcome<>(value, error, took);
  }

  /** Every message in a cause chain, for checks that a secret appears nowhere. */
  static String allMessages(Throwable error) {
    List<String> messages = new ArrayList<>();
    for (Throwable t = error; t != null && messages.size() < 20; t = t.getCause()) {
      messages.add(t.getClass().getName() + ": " + t.getMessage());
      for (Throwable s : t.getSuppressed()) {
        messages.add(s.getClass().getName() + ": " + s.getMessage());
      }
    }
    return String.join("\n", messages);
  }

  /** Tells whether a failure is the breaker rejecting a call without trying it. */
  static boolean shortCircuited(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t.getClass().getSimpleName().equals("CallNotPermittedException")) {
        return true;
      }
      String message = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
      if (message.contains("circuit") && (message.contains("open") || message.contains("not permitted"))) {
        return true;
      }
    }
    return false;
  }

  static CacheHealth health(RedisCacheBackend backend) {
    return backend.health().block(Duration.ofSeconds(10));
  }

  /**
   * Waits until a condition holds, checking every 20 ms; fails the test after {@code timeout}.
   *
   * @return how long it took
   */
  static Duration await(String what, Duration timeout, BooleanSupplier condition) {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout + ": " + what);
      }
      sleep(Duration.ofMillis(20));
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Tells whether a backend answers a write and a read correctly right now. */
  boolean works(RedisCacheBackend backend, String key) {
    try {
      String value = "probe-" + System.nanoTime();
      backend.put(key, entry(value)).block(CALL_BOUND);
      return backend.get(key, STRING).blockOptional(CALL_BOUND).map(CacheEntry::value).filter(value::equals)
          .isPresent();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Commands the server carried out for clients, by name, from {@code INFO commandstats}.
   *
   * @return calls and rejected calls by command
   */
  static Map<String, long[]> commandStats(RedisServerProcess server) {
    String info = (String) server.command("INFO", "commandstats");
    return info.lines()
        .filter(line -> line.startsWith("cmdstat_"))
        .collect(Collectors.toMap(
            line -> line.substring("cmdstat_".length(), line.indexOf(':')),
            line -> new long[] {field(line, "calls"), field(line, "rejected_calls") + field(line, "failed_calls")}));
  }

  /** Data commands (reads and writes of keys) the server carried out, connection housekeeping left out. */
  static long dataCommands(RedisServerProcess server) {
    Set<String> housekeeping = Set.of("hello", "auth", "client|setinfo", "client|setname", "client|list",
        "client|id", "ping", "info", "select", "command", "command|docs", "client|kill", "config|get",
        "config|set", "acl|setuser", "client|pause", "client|unpause", "readonly", "quit", "reset");
    return commandStats(server).entrySet().stream()
        .filter(e -> !housekeeping.contains(e.getKey()))
        .mapToLong(e -> e.getValue()[0])
        .sum();
  }

  private static long field(String line, String name) {
    for (String part : line.substring(line.indexOf(':') + 1).split(",")) {
      String[] kv = part.split("=", 2);
      if (kv[0].equals(name)) {
        return Long.parseLong(kv[1]);
      }
    }
    return 0;
  }

  /** The raw Redis keys a backend wrote, found by SCAN on the test's own server. */
  static List<String> rawKeys(RedisServerProcess server) {
    List<String> keys = new ArrayList<>();
    try (RespConnection admin = server.admin()) {
      String cursor = "0";
      do {
        @SuppressWarnings("unchecked")
        List<Object> reply = (List<Object>) admin.command("SCAN", cursor, "COUNT", "1000");
        cursor = (String) reply.get(0);
        for (Object key : (List<?>) reply.get(1)) {
          keys.add((String) key);
        }
      } while (!"0".equals(cursor));
    }
    return keys;
  }

  /** Threads the backend (Lettuce, Netty, Reactor, Resilience4j) may have started, by name. */
  static Set<String> clientThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> !name.startsWith("tcp-proxy-") && !name.startsWith("garbage-server-"))
        .collect(Collectors.toSet());
  }

  static void figure(String scenario, String name, Object value) {
    FaultFigures.record(scenario, name, value);
  }
}
