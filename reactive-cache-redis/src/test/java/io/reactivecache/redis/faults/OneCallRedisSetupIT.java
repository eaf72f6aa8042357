package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.Cache;
import io.reactivecache.CacheHealth;
import io.reactivecache.CacheManager;
import io.reactivecache.redis.support.RedisServerProcess;
import io.reactivecache.redis.support.RedisTestSupport;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The seed's one-call Redis setup ({@code setup_redis_cache}, whose {@code enable_fallback} defaults to true) as an
 * application writes it, {@code CacheManager.builder().backend("redis", name, Map.of("url", ...))}, against a
 * {@code redis-server} that is killed: by default the memory fallback answers callers and nothing stale is served
 * after the restart; with {@code "fallback", "none"} direct calls fail fast with a {@code CacheBackendException} and
 * {@code cachedMono} callers still get their loader's values.
 */
class OneCallRedisSetupIT extends RedisFaultTest {
  private static final String ROW = "one-call redis setup";

  /** The options an application passes, with the fault tests' short timeouts. */
  private static Map<String, String> options(RedisServerProcess server, String... more) {
    Map<String, String> options = new HashMap<>(Map.of(
        "url", server.uri(),
        "namespace", RedisTestSupport.newNamespace(),
        "commandTimeout", COMMAND_TIMEOUT.toMillis() + "ms",
        "connectTimeout", CONNECT_TIMEOUT.toMillis() + "ms",
        "retryAttempts", Integer.toString(RETRY_ATTEMPTS),
        "retryBackoff", RETRY_BACKOFF.toMillis() + "ms",
        "circuitBreakerThreshold", Integer.toString(BREAKER_THRESHOLD),
        "circuitBreakerWaitDuration", BREAKER_WAIT.toMillis() + "ms"));
    for (int i = 0; i < more.length; i += 2) {
      options.put(more[i], more[i + 1]);
    }
    return options;
  }

  private CacheManager manager(Map<String, String> options) {
    CacheManager manager = CacheManager.builder().backend("redis", "redis", options).build();
    closeLater(() -> manager.close().onErrorResume(e -> Mono.empty()).block(Duration.ofSeconds(10)));
    return manager;
  }

  private static CacheHealth health(CacheManager manager) {
    return manager.health().block(Duration.ofSeconds(10)).get("redis");
  }

  @Test
  void byDefaultTheMemoryFallbackAnswersWhileRedisIsDeadAndNothingStaleIsServedAfterTheRestart() {
    RedisServerProcess server = startServer();
    CacheManager manager = manager(options(server));
    call(manager.put("deleted", "d1"));
    call(manager.put("rewritten", "r1"));

    server.kill();
    int failures = 0;
    failures += call(manager.get("rewritten", String.class)).failed() ? 1 : 0;
    failures += call(manager.delete("deleted")).failed() ? 1 : 0;
    failures += call(manager.put("rewritten", "r2")).failed() ? 1 : 0;
    failures += call(manager.put("during", "x")).failed() ? 1 : 0;
    Outcome<String> during = call(manager.get("during", String.class));
    Outcome<String> rewritten = call(manager.get("rewritten", String.class));
    CacheHealth whileDead = health(manager);
    figure(ROW, "default fallback, Redis killed: calls failing out of 6", failures
        + (during.failed() ? 1 : 0) + (rewritten.failed() ? 1 : 0));
    assertThat(failures).as("calls failing while Redis is dead").isZero();
    assertThat(during.get()).isEqualTo("x");
    assertThat(rewritten.get()).isEqualTo("r2");
    assertThat(call(manager.get("deleted", String.class)).value()).isEmpty();
    assertThat(whileDead.status()).isEqualTo(CacheHealth.Status.DEGRADED);
    assertThat(whileDead.reason()).contains("fallback");

    server.restart();
    Duration back = await("the one-call setup serves from Redis again", RECOVERY_BOUND, () -> {
      call(manager.exists("recovery-trigger"));
      return health(manager).status() == CacheHealth.Status.UP;
    });
    figure(ROW, "default fallback: UP after the restart (ms)", back.toMillis());
    int stale = 0;
    stale += call(manager.get("deleted", String.class)).value().isPresent() ? 1 : 0;
    stale += call(manager.get("rewritten", String.class)).value().filter("r1"::equals).isPresent() ? 1 : 0;
    call(manager.put("rewritten", "r3"));
    stale += call(manager.get("rewritten", String.class)).value().filter("r3"::equals).isEmpty() ? 1 : 0;

    server.kill();                                  // a later outage serves nothing of the first one
    stale += call(manager.get("during", String.class)).value().isPresent() ? 1 : 0;
    stale += call(manager.get("rewritten", String.class)).value().isPresent() ? 1 : 0;
    figure(ROW, "default fallback: stale values after the restart and in a later outage", stale);
    assertThat(stale).isZero();
  }

  @Test
  void withoutFallbackDirectCallsFailFastAndCachedMonoCallersGetTheirLoadersValues() {
    RedisServerProcess server = startServer();
    CacheManager manager = manager(options(server, "fallback", "none"));
    Cache<String> users = manager.cache("users", String.class);
    call(manager.put("k", "v"));
    assertThat(call(users.get("1", Mono.just("loaded before"))).get()).isEqualTo("loaded before");

    server.kill();
    Duration slowest = Duration.ZERO;
    for (int i = 0; i < 10; i++) {
      Outcome<String> read = call(manager.get("k", String.class));
      read.backendError();
      Outcome<Void> write = call(manager.put("k", "v" + i));
      write.backendError();
      slowest = max(slowest, max(read.duration(), write.duration()));
    }
    int loaderValues = 0;
    for (int i = 0; i < 10; i++) {
      Outcome<String> cached = call(users.get("id" + i, Mono.just("loaded " + i)));
      assertThat(cached.failed()).as("a cachedMono caller sees no backend failure").isFalse();
      loaderValues += cached.get().equals("loaded " + i) ? 1 : 0;
    }
    figure(ROW, "no fallback, Redis killed: slowest failing direct call (ms)", slowest.toMillis());
    figure(ROW, "no fallback, Redis killed: cachedMono callers given their loader's value, of 10", loaderValues);
    assertThat(loaderValues).isEqualTo(10);
    assertThat(health(manager).status()).isEqualTo(CacheHealth.Status.DOWN);
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
