package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheBackends;
import io.reactivecache.CacheHealth;
import io.reactivecache.memory.MemoryCacheBackend;
import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.RedisServerProcess;
import io.reactivecache.redis.support.TcpProxy;
import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheEntry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * docs/reliability.md rows 1 and 2, through {@link CacheBackends#withFallback}: while Redis is down, callers are
 * served by the fallback without an exception; on recovery, invalidations made during the outage reach Redis and
 * values written only to the fallback are not copied back.
 *
 * <p>The fallback is the memory backend, as an application configures it.
 */
class FallbackDuringOutageIT extends RedisFaultTest {
  private static final String ROW = "rows 1-2 fallback";

  @Test
  void whileRedisIsDeadCallersAreServedByTheFallbackWithoutAnException() {
    RedisServerProcess primaryServer = startServer();
    CacheBackend cache = compose(backendOwnedByCache(primaryServer.uri()), memory());
    call(cache.put("k", entry(valueOf("k", 1))));

    primaryServer.kill();
    int failures = 0;
    for (int i = 0; i < 20; i++) {
      Outcome<CacheEntry<String>> read = call(cache.get("k", STRING));
      if (read.failed()) {
        failures++;
      }
      read.value().ifPresent(found -> assertThat(found.value()).isEqualTo(valueOf("k", 1)));
    }
    assertThat(call(cache.put("during", entry(valueOf("during", 1)))).failed()).isFalse();
    assertThat(call(cache.get("during", STRING)).get().value()).isEqualTo(valueOf("during", 1));
    CacheHealth health = cache.health().block(Duration.ofSeconds(10));
    long fallbacks = cache.stats().block(Duration.ofSeconds(10)).fallbacks();
    figure(ROW, "primary killed: exceptions reaching callers out of 22 calls", failures);
    figure(ROW, "primary killed: operations answered by the fallback", fallbacks);
    figure(ROW, "primary killed: health", health.status() + " (" + health.reason() + ")");
    assertThat(failures).as("exceptions reaching callers").isZero();
    assertThat(fallbacks).isPositive();
    assertThat(health.status()).isEqualTo(CacheHealth.Status.DEGRADED);
  }

  @Test
  void invalidationsDuringTheOutageAreAppliedAndFallbackOnlyValuesAreNotCopiedBack() {
    RedisServerProcess primaryServer = startServer();
    TcpProxy network = closeLater(TcpProxy.start(primaryServer.host(), primaryServer.port()));
    String namespace = "ns-outage";
    RedisCacheBackend primary = configured("redis://127.0.0.1:" + network.port() + "/0", namespace).build();
    CacheBackend cache = compose(primary, memory());
    call(cache.put("deleted", entry(valueOf("deleted", 1))));
    call(cache.put("rewritten", entry(valueOf("rewritten", 1))));
    call(cache.put("untouched", entry(valueOf("untouched", 1))));

    // A network outage: Redis keeps its data, but nothing reaches it.
    network.down();
    call(cache.delete("deleted"));
    call(cache.put("rewritten", entry(valueOf("rewritten", 2))));
    call(cache.put("fallback-only", entry(valueOf("fallback-only", 1))));
    assertThat(call(cache.get("deleted", STRING)).value()).as("deleted during the outage").isEmpty();
    assertThat(primaryServer.command("EXISTS", namespace + ":deleted")).as("Redis still holds it").isEqualTo(1L);

    network.passThrough();
    long backAt = System.nanoTime();
    await("composition healthy again", RECOVERY_BOUND, () -> {
      call(cache.exists("untouched"));
      return cache.health().block(Duration.ofSeconds(10)).status() == CacheHealth.Status.UP;
    });
    figure(ROW, "network back: composition UP after (ms)", Duration.ofNanos(System.nanoTime() - backAt).toMillis());

    int stale = 0;
    if (call(cache.get("deleted", STRING)).value().isPresent()) {
      stale++;
    }
    String rewritten = call(cache.get("rewritten", STRING)).value().map(CacheEntry::value).orElse(null);
    if (valueOf("rewritten", 1).equals(rewritten)) {
      stale++;
    }
    figure(ROW, "after recovery: stale values served (deleted or overwritten during the outage)", stale);
    assertThat(stale).isZero();
    assertThat(primaryServer.command("EXISTS", namespace + ":deleted")).as("invalidation replayed").isEqualTo(0L);
    assertThat(primaryServer.command("EXISTS", namespace + ":fallback-only")).as("not copied back")
        .isEqualTo(0L);
    assertThat(call(cache.get("untouched", STRING)).get().value()).isEqualTo(valueOf("untouched", 1));
  }

  private CacheBackend compose(CacheBackend primary, CacheBackend fallback) {
    CacheBackend composed = CacheBackends.withFallback(primary, fallback);
    closeLater(() -> composed.close().onErrorResume(e -> Mono.empty()).block(Duration.ofSeconds(10)));
    return composed;
  }

  /** The fallback an application uses: memory, on the same clock as the Redis backend. */
  static MemoryCacheBackend memory() {
    return MemoryCacheBackend.builder().name("memory").maximumSize(10_000).defaultTtl(Duration.ofMinutes(5))
        .clock(Schedulers.parallel()).build();
  }

  /** A backend the composition will close (it owns its components). */
  private static RedisCacheBackend backendOwnedByCache(String url) {
    return configured(url, "ns-" + Long.toHexString(System.nanoTime())).build();
  }
}
