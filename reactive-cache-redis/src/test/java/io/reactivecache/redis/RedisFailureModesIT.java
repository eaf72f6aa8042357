package io.reactivecache.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.reactivecache.CacheBackendException;
import io.reactivecache.CacheHealth;
import io.reactivecache.ValueType;
import io.reactivecache.redis.support.RedisServerProcess;
import io.reactivecache.redis.support.RedisTestSupport;
import io.reactivecache.spi.CacheEntry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** How the backend fails: fast, clearly, without secrets, and without touching what it borrowed. */
class RedisFailureModesIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final String SECRET = "c0rrect-h0rse-" + System.nanoTime();

  private static CacheEntry<String> entry(String value) {
    long now = System.currentTimeMillis();
    return CacheEntry.of(value, now, now + 60_000, now + 120_000, Set.of());
  }

  private static String stackTrace(Throwable e) {
    StringWriter out = new StringWriter();
    e.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  @Test
  void nothingListeningFailsClearlyThenTheBreakerShortCircuits() {
    int port = RedisServerProcess.freePort();
    RedisCacheBackend backend = RedisCache.builder()
        .url("redis://app:" + SECRET + "@127.0.0.1:" + port + "/0")
        .commandTimeout(Duration.ofMillis(300))
        .connectTimeout(Duration.ofMillis(300))
        .retryAttempts(1)
        .retryBackoff(Duration.ofMillis(10))
        .circuitBreakerThreshold(2)
        .circuitBreakerWaitDuration(Duration.ofSeconds(30))
        .build();
    try {
      StepVerifier.create(backend.get("k", ValueType.of(String.class)))
          .expectErrorSatisfies(e -> {
            assertThat(e).isInstanceOf(CacheBackendException.class)
                .hasMessageContaining("could not reach Redis at redis://***@127.0.0.1:" + port);
            assertThat(stackTrace(e)).doesNotContain(SECRET);
          })
          .verify(TIMEOUT);
      assertThat(backend.circuitBreaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
      long start = System.nanoTime();
      StepVerifier.create(backend.put("k", entry("v")))
          .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(CacheBackendException.class)
              .hasMessageContaining("circuit breaker is OPEN"))
          .verify(TIMEOUT);
      System.out.printf("[figure] call with the breaker open failed after %.2f ms%n",
          (System.nanoTime() - start) / 1e6);
      CacheHealth health = backend.health().block(TIMEOUT);
      assertThat(health.status()).isEqualTo(CacheHealth.Status.DOWN);
      assertThat(health.reason()).startsWith("circuit breaker OPEN after").contains("connection")
          .doesNotContain(SECRET);
    } finally {
      backend.close().block(TIMEOUT);
    }
  }

  @Test
  void wrongPasswordIsAnAuthFailureWithoutTheSecret() {
    RedisTestSupport.requireRedisServerBinary();
    try (RedisServerProcess server = RedisServerProcess.builder().password(SECRET).start()) {
      String wrong = "wr0ng-" + SECRET;
      RedisCacheBackend backend = RedisCache.builder()
          .url("redis://:" + wrong + "@127.0.0.1:" + server.port() + "/0")
          .circuitBreakerThreshold(50)
          // Generous, so that a slow handshake on a loaded machine cannot add a (retried) timeout to the count.
          .commandTimeout(Duration.ofSeconds(5))
          .connectTimeout(Duration.ofSeconds(5))
          .build();
      try {
        StepVerifier.create(backend.get("k", ValueType.of(String.class)))
            .expectErrorSatisfies(e -> {
              assertThat(e).isInstanceOf(CacheBackendException.class).hasMessageContaining("(auth)");
              assertThat(stackTrace(e)).doesNotContain(SECRET);
            })
            .verify(TIMEOUT);
        // Not retried: one failed call is one breaker failure, whatever retryAttempts says.
        assertThat(backend.circuitBreaker().getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
        CacheHealth health = backend.health().block(TIMEOUT);
        assertThat(health.status()).isEqualTo(CacheHealth.Status.DOWN);
        assertThat(health.reason()).startsWith("auth:").doesNotContain(SECRET);
      } finally {
        backend.close().block(TIMEOUT);
      }
      RedisCacheBackend right = RedisCache.builder()
          .url("redis://:" + SECRET + "@127.0.0.1:" + server.port() + "/0").build();
      try {
        StepVerifier.create(right.put("k", entry("v"))).expectComplete().verify(TIMEOUT);
        assertThat(right.health().block(TIMEOUT)).isEqualTo(CacheHealth.up());
      } finally {
        right.close().block(TIMEOUT);
      }
    }
  }

  @Test
  void outOfMemoryRejectsWritesWithoutOpeningTheBreakerAndReadsGoOn() {
    RedisTestSupport.requireRedisServerBinary();
    try (RedisServerProcess server = RedisServerProcess.builder().maxmemory("2mb", "noeviction").start()) {
      RedisCacheBackend backend = RedisCache.builder().url(server.uri()).circuitBreakerThreshold(3).build();
      try {
        backend.put("small", entry("still readable")).block(TIMEOUT);
        String chunk = "x".repeat(200_000);
        CacheBackendException rejected = null;
        for (int i = 0; i < 50 && rejected == null; i++) {
          try {
            backend.put("big" + i, entry(chunk)).block(TIMEOUT);
          } catch (CacheBackendException e) {
            rejected = e;
          }
        }
        assertThat(rejected).isNotNull();
        assertThat(rejected).hasMessageContaining("out of memory (OOM)");
        assertThat(backend.stats().block(TIMEOUT).rejectedWrites()).isEqualTo(1);
        for (int i = 0; i < 5; i++) {
          assertThat(backend.put("more" + i, entry(chunk)).onErrorComplete().then(backend.get("small",
              ValueType.of(String.class))).block(TIMEOUT).value()).isEqualTo("still readable");
        }
        assertThat(backend.circuitBreaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
      } finally {
        backend.close().block(TIMEOUT);
      }
    }
  }

  @Test
  void borrowedClientIsLeftRunningAndOversizedValuesAreCounted() {
    RedisClient client = RedisClient.create(RedisTestSupport.redisUri());
    try {
      RedisCacheBackend backend = RedisCache.builder().url(RedisTestSupport.redisUri()).redisClient(client)
          .namespace(RedisTestSupport.newNamespace()).maxValueBytes(1024).build();
      StepVerifier.create(backend.put("big", entry("x".repeat(20 * 1024 * 1024)))).expectComplete()
          .verify(TIMEOUT);
      StepVerifier.create(backend.exists("big")).expectNext(false).expectComplete().verify(TIMEOUT);
      assertThat(backend.stats().block(TIMEOUT).rejectedWrites()).isEqualTo(1);
      backend.close().block(TIMEOUT);
      StepVerifier.create(backend.exists("big")).expectError(CacheBackendException.class).verify(TIMEOUT);
      assertThat(backend.health().block(TIMEOUT).status()).isEqualTo(CacheHealth.Status.DOWN);
      try (StatefulRedisConnection<String, String> connection = client.connect()) {
        assertThat(connection.sync().ping()).isEqualTo("PONG");
      }
    } finally {
      client.shutdown();
    }
  }
}
