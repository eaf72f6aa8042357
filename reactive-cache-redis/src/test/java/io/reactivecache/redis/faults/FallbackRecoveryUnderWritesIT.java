package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheBackends;
import io.reactivecache.CacheHealth;
import io.reactivecache.redis.support.RedisServerProcess;
import io.reactivecache.redis.support.RedisTestSupport;
import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * docs/reliability.md row 25 (issue 7 item 15) on a real Redis: {@code withFallback(redis, memory)} under thousands of
 * writes a second while the {@code redis-server} is killed and restarted. Before the fix the composition stayed on
 * the fallback for more than 12 s after Redis was back; it must hand back within seconds while the writes go on, and
 * serve nothing stale afterwards: no value older than its key's last completed write, and nothing of the outage in a
 * later one.
 *
 * <p>Each writer owns its keys and writes them one at a time (a versioned value, or a delete), at most one write a
 * millisecond, so "the last completed write of a key" is well defined while the reads run.
 */
class FallbackRecoveryUnderWritesIT extends RedisFaultTest {
  private static final String ROW = "row 25 recovery under writes";
  private static final int WRITERS = 16;
  private static final int KEYS_PER_WRITER = 50;

  @Test
  void handsBackToRedisUnderSustainedWritesWithNothingStale() throws Exception {
    RedisServerProcess server = startServer();
    CacheBackend cache = CacheBackends.withFallback(configured(server.uri(), RedisTestSupport.newNamespace()).build(),
        FallbackDuringOutageIT.memory());
    closeLater(() -> closeWithin(cache, Duration.ofSeconds(30)));

    AtomicLongArray completed = new AtomicLongArray(WRITERS * KEYS_PER_WRITER);
    AtomicLong writes = new AtomicLong();
    AtomicLong failedWrites = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    List<Flux<Object>> writers = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      int first = w * KEYS_PER_WRITER;
      AtomicLong version = new AtomicLong();
      writers.add(Flux.interval(Duration.ofMillis(1))
          .takeWhile(tick -> !stop.get())
          .onBackpressureDrop()
          .concatMap(tick -> {
            long v = version.incrementAndGet();
            int slot = first + (int) (v % KEYS_PER_WRITER);
            Mono<?> write = v % 7 == 0 ? cache.delete(key(slot)) : cache.put(key(slot), versioned(v));
            return write.then(Mono.fromRunnable(() -> {
              completed.set(slot, v);
              writes.incrementAndGet();
            })).onErrorResume(error -> {
              failedWrites.incrementAndGet();
              return Mono.empty();
            });
          }, 1));
    }
    CompletableFuture<Void> load = Flux.merge(writers).then().toFuture();
    try {
      double upRate = rate(writes, Duration.ofSeconds(2));
      server.kill();
      double downRate = rate(writes, Duration.ofSeconds(3));
      assertThat(cache.health().block(Duration.ofSeconds(10)).status()).isEqualTo(CacheHealth.Status.DEGRADED);

      server.restart();
      long restartedAt = System.nanoTime();
      long writesAtRestart = writes.get();
      Duration handedBack = await("composition UP again under sustained writes", RECOVERY_BOUND,
          () -> cache.health().block(Duration.ofSeconds(10)).status() == CacheHealth.Status.UP);
      double recoveryRate = (writes.get() - writesAtRestart) * 1e9 / (System.nanoTime() - restartedAt);

      int stale = 0;
      for (int slot = 0; slot < completed.length(); slot++) {
        long atLeast = completed.get(slot);
        Outcome<CacheEntry<String>> read = call(cache.get(key(slot), STRING));
        if (read.value().isPresent() && Long.parseLong(read.value().get().value()) < atLeast) {
          stale++;
        }
      }
      double afterRate = rate(writes, Duration.ofSeconds(1));
      stop.set(true);
      load.get(RECOVERY_BOUND.toMillis(), TimeUnit.MILLISECONDS);

      // A later outage: nothing the first one left in the fallback may be served.
      server.kill();
      int leaked = 0;
      for (int slot = 0; slot < completed.length(); slot++) {
        if (call(cache.get(key(slot), STRING)).value().isPresent()) {
          leaked++;
        }
      }

      figure(ROW, "writes/s: Redis up / killed / recovering / recovered", String.format(
          "%.0f / %.0f / %.0f / %.0f", upRate, downRate, recoveryRate, afterRate));
      figure(ROW, "restart -> composition UP (hand-back) under writes (ms)", handedBack.toMillis());
      figure(ROW, "after recovery: values older than the key's last completed write", stale);
      figure(ROW, "later outage: values of the earlier outage served", leaked);
      figure(ROW, "writes failed (reached callers)", failedWrites.get());
      assertThat(recoveryRate).as("writes went on while Redis came back").isGreaterThan(500);
      assertThat(stale).as("stale values after recovery").isZero();
      assertThat(leaked).as("values of an earlier outage served in a later one").isZero();
      assertThat(failedWrites.get()).as("writes failing to callers").isZero();
    } finally {
      // Writers must be done before the backends close (closing Redis while commands are being written can wedge
      // Lettuce's endpoint lock).
      stop.set(true);
      load.get(RECOVERY_BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Closes on a thread of its own, failing the test if that takes too long: a Redis connection wedged by a lock
   * left held (as a BlockHound error inside Lettuce's {@code SharedLock} once did) makes close wait forever, and a
   * failing test is better than a hung build.
   */
  private static void closeWithin(CacheBackend backend, Duration bound) throws InterruptedException {
    Thread closer = new Thread(() -> backend.close().onErrorResume(e -> Mono.empty()).block(bound), "closer");
    closer.setDaemon(true);
    closer.start();
    closer.join(bound.toMillis());
    assertThat(closer.isAlive()).as("close finished within %s (a wedged connection does not)", bound).isFalse();
  }

  private static String key(int slot) {
    return "key" + slot;
  }

  private static CacheEntry<String> versioned(long version) {
    return CacheEntry.of(Long.toString(version), 0, CacheEntry.NEVER, CacheEntry.NEVER, Set.of());
  }

  /** Lets the writers run for a while; returns their rate. */
  private static double rate(AtomicLong writes, Duration during) {
    long before = writes.get();
    long start = System.nanoTime();
    sleep(during);
    return (writes.get() - before) * 1e9 / (System.nanoTime() - start);
  }
}
