package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.Cache;
import io.reactivecache.CacheBackends;
import io.reactivecache.CacheHealth;
import io.reactivecache.CacheManager;
import io.reactivecache.redis.support.RedisServerProcess;
import io.reactivecache.redis.support.RedisTestSupport;
import io.reactivecache.spi.CacheBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Signal;
import reactor.core.publisher.Sinks;

/**
 * docs/reliability.md row 2, "at most one load per hot key per instance", through what an application uses:
 * {@link CacheManager}, a {@link Cache} view and {@code get(key, loader)} (the {@code cachedMono} engine), on
 * {@code CacheBackends.withFallback(redis, memory)}, while the Redis server is killed and restarted empty.
 *
 * <p>Each round has a hot key of its own, missing everywhere, and {@value #CALLERS} callers ask for it at once.
 * The loader holds its value until every caller has either started the load or joined it (the engine counts
 * joins as coalesced loads), so a round checks the rule exactly, whatever the speed of the machine: one loader
 * call per burst, every caller gets this round's value, and no caller gets an error. Each round then deletes its
 * key (journaled while Redis is down); once Redis is back, no deleted key may be served again (values written
 * only to the memory fallback are not copied back, invalidations are replayed).
 *
 * <p>Why not one key reused across rounds: a {@code get(key, loader)} issued right after {@code delete(key)}
 * completes can join the previous, invalidated load until the engine retires it, and get the deleted value.
 * That is a defect of core's engine, reproduced deterministically without Redis in {@code docs/redis-faults.md};
 * this test keeps to what row 2 asks.
 */
class HotKeyDuringRestartIT extends RedisFaultTest {
  private static final String ROW = "row 2 hot key during restart";
  private static final int CALLERS = 500;
  private record Round(String phase, int loads, int errors, int wrong, Set<String> seen, Duration took) {}

  @Test
  void oneLoadPerBurstNoErrorNoWrongValueWhileRedisIsKilledAndRestarted() {
    RedisServerProcess server = startServer();
    CacheBackend composed = CacheBackends.withFallback(
        configured(server.uri(), RedisTestSupport.newNamespace()).build(), FallbackDuringOutageIT.memory());
    closeLater(() -> composed.close().onErrorResume(e -> Mono.empty()).block(Duration.ofSeconds(10)));
    CacheManager manager = CacheManager.builder().backend(composed).build();
    closeLater(() -> manager.close().onErrorResume(e -> Mono.empty()).block(Duration.ofSeconds(10)));
    Cache<String> cache = manager.cache("catalog", String.class);

    List<Round> rounds = new ArrayList<>();
    AtomicInteger version = new AtomicInteger();
    for (int i = 0; i < 3; i++) {
      rounds.add(burst(manager, cache, "up", version.incrementAndGet()));
    }

    server.kill();
    long killedAt = System.nanoTime();
    while (rounds.size() < 8
        || Duration.ofNanos(System.nanoTime() - killedAt).compareTo(Duration.ofSeconds(2)) < 0) {
      rounds.add(burst(manager, cache, "down", version.incrementAndGet()));
    }

    server.restart();
    long restartedAt = System.nanoTime();
    long deadline = restartedAt + RECOVERY_BOUND.toNanos();
    Duration recovered = null;
    int afterRecovery = 0;
    while (afterRecovery < 5) {
      assertThat(System.nanoTime()).as("Redis serves again within %s of the restart", RECOVERY_BOUND)
          .isLessThan(deadline);
      rounds.add(burst(manager, cache, recovered == null ? "recovering" : "recovered", version.incrementAndGet()));
      if (recovered == null && composed.health().block(Duration.ofSeconds(10)).status() == CacheHealth.Status.UP) {
        recovered = Duration.ofNanos(System.nanoTime() - restartedAt);
      }
      if (recovered != null) {
        afterRecovery++;
      }
    }

    Map<String, int[]> byPhase = new LinkedHashMap<>();
    for (Round round : rounds) {
      int[] totals = byPhase.computeIfAbsent(round.phase(), p -> new int[4]);
      totals[0]++;
      totals[1] = Math.max(totals[1], round.loads());
      totals[2] += round.errors();
      totals[3] += round.wrong();
    }
    byPhase.forEach((phase, t) -> figure(ROW, phase + ": bursts of " + CALLERS + " callers / most loads in one"
        + " burst / errors / wrong values", t[0] + " / " + t[1] + " / " + t[2] + " / " + t[3]));
    figure(ROW, "composition UP after restart (ms)", recovered.toMillis());
    figure(ROW, "slowest burst (ms)", rounds.stream().mapToLong(r -> r.took().toMillis()).max().orElse(0));

    // Every key was deleted after its round: none may come back, from Redis or from the fallback.
    List<String> resurrected = new ArrayList<>();
    for (int round = 1; round <= version.get(); round++) {
      call(cache.get(key(round))).value().ifPresent(resurrected::add);
    }
    figure(ROW, "deleted keys served again after recovery", resurrected.size());
    assertThat(resurrected).as("values of deleted keys served after recovery").isEmpty();

    assertThat(rounds).as("every burst: one load, no error, no wrong value").allSatisfy(round -> {
      assertThat(round.loads()).as("%s: loader calls in one burst", round.phase()).isEqualTo(1);
      assertThat(round.errors()).as("%s: errors reaching callers", round.phase()).isZero();
      assertThat(round.wrong()).as("%s: wrong or stale values", round.phase()).isZero();
    });
    assertThat(byPhase).containsKeys("up", "down", "recovered");
  }

  private static String key(int round) {
    return "hot-" + round;
  }

  /** One round: {@value #CALLERS} concurrent callers of a new key, the loader held until all are in; then delete. */
  private Round burst(CacheManager manager, Cache<String> cache, String phase, int round) {
    long start = System.nanoTime();
    String key = key(round);
    String expected = valueOf(key, round);
    AtomicInteger loads = new AtomicInteger();
    Sinks.One<String> release = Sinks.one();
    Mono<String> loader = Mono.defer(() -> {
      loads.incrementAndGet();
      return release.asMono();
    });
    long joinedBefore = manager.stats().block(Duration.ofSeconds(10)).coalescedLoads();

    CompletableFuture<List<Signal<String>>> results = Flux.range(0, CALLERS)
        // One signal per caller: its value, its error, or (a wrong answer here) empty.
        .flatMap(i -> cache.get(key, loader).materialize().defaultIfEmpty(Signal.complete()), CALLERS)
        .collectList()
        .toFuture();

    // Every caller has reached the engine's load step once the loader ran and all others joined it. A caller
    // whose read of the backend is slow (a timeout, a retry) is simply waited for, within a call's bound.
    long waitUntil = System.nanoTime() + CALL_BOUND.multipliedBy(2).toNanos();
    while (loads.get() + (manager.stats().block(Duration.ofSeconds(10)).coalescedLoads() - joinedBefore) < CALLERS
        && System.nanoTime() < waitUntil && !results.isDone()) {
      sleep(Duration.ofMillis(5));
    }
    release.tryEmitValue(expected);

    List<Signal<String>> signals;
    try {
      signals = results.get(CALL_BOUND.multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("burst " + round + " (" + phase + ") did not end", e);
    }
    int errors = 0;
    int wrong = 0;
    Set<String> seen = new TreeSet<>();
    for (Signal<String> signal : signals) {
      seen.add(signal.isOnError() ? "error: " + signal.getThrowable() : String.valueOf(signal.get()));
      if (signal.isOnError()) {
        errors++;
      } else if (!expected.equals(signal.get())) {
        wrong++;
      }
    }
    assertThat(signals).hasSize(CALLERS);
    call(cache.delete(key));
    return new Round(phase, loads.get(), errors, wrong, seen, Duration.ofNanos(System.nanoTime() - start));
  }
}
