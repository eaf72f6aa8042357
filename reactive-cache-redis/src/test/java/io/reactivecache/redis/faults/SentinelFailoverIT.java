package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheBackendException;
import io.reactivecache.CacheHealth;
import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.RedisSentinelProcesses;
import io.reactivecache.redis.support.RedisServerProcess;
import io.reactivecache.spi.CacheEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * docs/reliability.md row 22 for Sentinel: the master is killed ({@code kill -9}) under steady load, Sentinel
 * promotes the replica, and the backend follows it.
 *
 * <p>Load: four lanes, each owning its own keys and doing put-then-get on them one call after the other (then a
 * pause of 1 ms), so that
 * for each key the last acknowledged write is known. Measured from the kill: the first write, issued after the
 * kill, that succeeds (necessarily on the new master: the old one is dead), the last failed call, health. Checked:
 * no call beyond {@link #CALL_BOUND}; after the first good write on the new master no read returns anything but
 * the value last acknowledged for its key (read-your-writes on the new master); a key deleted (and replicated)
 * before the kill is still absent after it; failures are {@link CacheBackendException}s.
 */
class SentinelFailoverIT extends RedisFaultTest {
  private static final String ROW = "row 22 sentinel failover";
  private static final int LANES = 4;
  private static final int KEYS_PER_LANE = 5;

  @Test
  void writesResumeOnThePromotedReplicaAndNoReadGoesBackInTime() {
    RedisSentinelProcesses redis = closeLater(RedisSentinelProcesses.start());
    RedisServerProcess oldMaster = redis.master();
    RedisCacheBackend backend = backend(redis.url());
    String namespace = backend.namespace();

    // Keys deleted before the kill, and the delete seen on the replica: they must stay deleted after failover.
    List<String> deleted = List.of("deleted-0", "deleted-1", "deleted-2");
    for (String key : deleted) {
      call(backend.put(key, entry(valueOf(key, 1))));
      assertThat(call(backend.get(key, STRING)).get().value()).isEqualTo(valueOf(key, 1));
      call(backend.delete(key));
    }
    await("the deletes replicated", Duration.ofSeconds(10), () -> deleted.stream()
        .allMatch(key -> Long.valueOf(0).equals(redis.replica().command("EXISTS", namespace + ":" + key))));

    Load load = new Load(backend);
    Disposable running = Flux.range(0, LANES)
        // A pause after each round: a failing call (breaker open) returns at once, and an unpaced lane would spin
        // on a parallel thread, starving the timers every timeout relies on.
        .flatMap(lane -> load.lane(lane).then(Mono.delay(Duration.ofMillis(1))).repeat(), LANES)
        .subscribe();
    List<String> healthSeen = new ArrayList<>();
    long killedAt;
    try {
      await("load running", Duration.ofSeconds(10), () -> load.calls.get() > 200);
      killedAt = System.nanoTime();
      load.killedAt.set(killedAt);
      oldMaster.kill();

      // Health while the failover runs and after it, every 100 ms until writes are back and health is UP.
      long deadline = killedAt + RECOVERY_BOUND.toNanos();
      CacheHealth.Status last = null;
      while (System.nanoTime() < deadline) {
        CacheHealth.Status status = health(backend).status();
        if (status != last) {
          healthSeen.add(status + " at " + sinceMs(killedAt) + " ms");
          last = status;
        }
        if (status == CacheHealth.Status.UP && load.firstGoodWriteAfterKill.get() > 0) {
          break;
        }
        sleep(Duration.ofMillis(100));
      }
      assertThat(load.firstGoodWriteAfterKill.get()).as("a write succeeded after the kill, within "
          + RECOVERY_BOUND).isPositive();
      // Keep the load on for a while on the new master, to see any stale read or late failure.
      int before = load.calls.get();
      sleep(Duration.ofSeconds(2));
      assertThat(load.calls.get()).as("calls keep completing on the new master").isGreaterThan(before + 50);
    } finally {
      running.dispose();
    }
    int newMasterPort = redis.currentMasterPort();

    long firstGoodWrite = load.firstGoodWriteAfterKill.get() - killedAt;
    long lastFailure = load.lastFailure.get() - killedAt;
    figure(ROW, "first good write on the new master after the kill (ms)", firstGoodWrite / 1_000_000);
    figure(ROW, "last failed call after the kill (ms)", Math.max(0, lastFailure / 1_000_000));
    figure(ROW, "calls under load", load.calls.get());
    figure(ROW, "failed calls", load.failures.get());
    figure(ROW, "slowest call (ms)", load.slowestNanos.get() / 1_000_000);
    figure(ROW, "calls over the bound " + CALL_BOUND.toMillis() + " ms", load.overBound.get());
    figure(ROW, "wrong values after the first good write", load.wrongValues.size());
    figure(ROW, "health after the kill", String.join(", ", healthSeen));

    assertThat(newMasterPort).as("Sentinel promoted the replica").isEqualTo(redis.replica().port());
    assertThat(load.overBound).as("calls over " + CALL_BOUND + ": " + load.slowCalls).hasValue(0);
    assertThat(load.wrongValues).as("reads that went back in time or named another key").isEmpty();
    assertThat(load.strangeErrors).as("failures that are not CacheBackendException").isEmpty();
    for (String key : deleted) {
      assertThat(call(backend.get(key, STRING)).value()).as(key + " deleted before the failover").isEmpty();
    }
    // Read-your-writes on the new master, key by key, once the load is off.
    for (int lane = 0; lane < LANES; lane++) {
      for (int k = 0; k < KEYS_PER_LANE; k++) {
        String key = Load.key(lane, k);
        call(backend.put(key, entry(valueOf(key, 1_000_000))));
        assertThat(call(backend.get(key, STRING)).get().value()).isEqualTo(valueOf(key, 1_000_000));
      }
    }
    assertThat(health(backend).status()).isEqualTo(CacheHealth.Status.UP);
  }

  private static long sinceMs(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }

  /** Put-then-get lanes, each the only writer of its keys. */
  private static final class Load {
    private final RedisCacheBackend backend;
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();
    final AtomicLong slowestNanos = new AtomicLong();
    final AtomicInteger overBound = new AtomicInteger();
    final AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
    final AtomicLong firstGoodWriteAfterKill = new AtomicLong();
    final AtomicLong lastFailure = new AtomicLong();
    final ConcurrentLinkedQueue<String> wrongValues = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> strangeErrors = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> slowCalls = new ConcurrentLinkedQueue<>();
    private final AtomicInteger version = new AtomicInteger();
    private final Map<Integer, AtomicInteger> nextKey = new ConcurrentHashMap<>();

    Load(RedisCacheBackend backend) {
      this.backend = backend;
    }

    static String key(int lane, int k) {
      return "lane" + lane + "-key" + k;
    }

    /** One put and one get of the lane's next key; never fails (failures are counted). */
    Mono<Void> lane(int lane) {
      return Mono.defer(() -> {
        String key = key(lane, nextKey.computeIfAbsent(lane, l -> new AtomicInteger()).getAndIncrement()
            % KEYS_PER_LANE);
        int v = version.incrementAndGet();
        long putStart = System.nanoTime();
        return timed(backend.put(key, entry(valueOf(key, v))).thenReturn(true), putStart)
            .flatMap(written -> {
              if (written.isPresent() && putStart > killedAt.get()) {
                firstGoodWriteAfterKill.compareAndSet(0, System.nanoTime());
              }
              long getStart = System.nanoTime();
              boolean checkable = written.isPresent() && firstGoodWriteAfterKill.get() > 0;
              return timed(backend.get(key, STRING).map(CacheEntry::value), getStart)
                  .doOnNext(read -> {
                    // A value naming another key is wrong at any time; after the first good write on the new
                    // master, a read right after an acknowledged write must return that write.
                    if (read.isPresent() && !read.get().startsWith(key + "|v")) {
                      wrongValues.add(key + " read " + read.get());
                    } else if (checkable && read.isPresent() && !read.get().equals(valueOf(key, v))) {
                      wrongValues.add(key + " wrote v" + v + ", read " + read.get());
                    } else if (checkable && !read.isPresent() && getStart > lastFailure.get()) {
                      wrongValues.add(key + " wrote v" + v + ", read a miss");
                    }
                  });
            })
            .then();
      });
    }

    /** Runs a call, never failing: a value, or empty for a miss or a failure (counted). */
    private <T> Mono<Optional<T>> timed(Mono<T> call, long start) {
      return call.map(Optional::of)
          .defaultIfEmpty(Optional.empty())
          .onErrorResume(e -> {
            failures.incrementAndGet();
            lastFailure.accumulateAndGet(System.nanoTime(), Math::max);
            if (!(e instanceof CacheBackendException)) {
              strangeErrors.add(e.toString());
            }
            return Mono.just(Optional.empty());
          })
          .doFinally(signal -> {
            long took = System.nanoTime() - start;
            slowestNanos.accumulateAndGet(took, Math::max);
            if (took > CALL_BOUND.toNanos()) {
              overBound.incrementAndGet();
              slowCalls.add("started " + (start - killedAt.get()) / 1_000_000 + " ms after the kill, took "
                  + took / 1_000_000 + " ms, " + signal);
            }
            calls.incrementAndGet();
          });
    }
  }
}
