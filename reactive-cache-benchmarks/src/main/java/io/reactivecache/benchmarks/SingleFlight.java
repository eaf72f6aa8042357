package io.reactivecache.benchmarks;

import io.reactivecache.Cache;
import io.reactivecache.CacheManager;
import io.reactivecache.CachePolicy;
import io.reactivecache.Strategy;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Measures, through the public API, what {@code cachedMono} promises under concurrency: how many loader calls a
 * burst of concurrent misses of one key makes (the promise is exactly one), and, for a stale key, how many
 * background refreshes a burst of readers starts and how long the slowest reader waited. These are measurements
 * printed as tables, not tests: nothing here passes or fails.
 */
final class SingleFlight {
  private static final int[] BURST_SIZES = {2, 8, 64, 512};

  private SingleFlight() {}

  static String measure(boolean full) throws InterruptedException {
    StringBuilder b = new StringBuilder();
    CacheManager manager = CacheManager.builder().memory("singleflight", 1_000_000, null, Strategy.TTL).build();
    try {
      stampede(manager, 1_000, b);
      staleWhileRevalidate(manager, full ? 500 : 100, 64, b);
    } finally {
      manager.close().block();
    }
    return b.toString();
  }

  /**
   * Bursts of N concurrent callers of {@code get(key, loader)} on a key never loaded; each caller is subscribed on
   * {@link Schedulers#parallel()}, all N at once. Two loaders: one that takes 1 ms (all callers arrive while it
   * runs) and one that returns at once (callers race the end of the load and the write of its result).
   */
  static void stampede(CacheManager manager, int bursts, StringBuilder b) {
    b.append(String.format(Locale.ROOT, "Single flight: loader calls per burst of N concurrent misses, %,d bursts "
        + "per row (target: exactly 1 per burst)%n%n", bursts));
    b.append("| loader | N | loader calls | bursts with 1 call | with 0 | with > 1 (max) | wrong results | time |\n");
    b.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    Cache<String> cache = manager.cache("stampede", String.class);
    for (boolean slow : new boolean[] {true, false}) {
      for (int n : BURST_SIZES) {
        long total = 0;
        int one = 0;
        int zero = 0;
        int many = 0;
        int max = 0;
        AtomicLong wrong = new AtomicLong();
        long start = System.nanoTime();
        for (int burst = 0; burst < bursts; burst++) {
          String key = (slow ? "slow:" : "instant:") + n + ":" + burst;
          String expected = "value of " + key;
          AtomicInteger calls = new AtomicInteger();
          Mono<String> loader = slow
              ? Mono.defer(() -> {
                  calls.incrementAndGet();
                  return Mono.delay(Duration.ofMillis(1)).thenReturn(expected);
                })
              : Mono.fromCallable(() -> {
                  calls.incrementAndGet();
                  return expected;
                });
          Flux.range(0, n)
              .flatMap(i -> cache.get(key, loader).subscribeOn(Schedulers.parallel()), n)
              .doOnNext(v -> {
                if (!v.equals(expected)) {
                  wrong.incrementAndGet();
                }
              })
              .then()
              .block(Duration.ofSeconds(30));
          int c = calls.get();
          total += c;
          max = Math.max(max, c);
          if (c == 1) {
            one++;
          } else if (c == 0) {
            zero++;
          } else {
            many++;
          }
        }
        b.append(String.format(Locale.ROOT, "| %s | %d | %,d | %,d | %d | %d (%d) | %d | %.1f s |%n",
            slow ? "1 ms" : "instant", n, total, one, zero, many, max, wrong.get(),
            (System.nanoTime() - start) / 1e9));
      }
    }
    b.append('\n');
  }

  /**
   * Loads {@code keys} keys with a TTL of 50 ms and a stale-while-revalidate window of an hour, lets them go stale,
   * then sends a burst of {@code readers} concurrent readers to each key in turn. The loader takes 100 ms: a reader
   * served the stale value at once waits far less than that; one made to wait for the refresh waits at least 100 ms.
   */
  static void staleWhileRevalidate(CacheManager manager, int keys, int readers, StringBuilder b)
      throws InterruptedException {
    Duration ttl = Duration.ofMillis(50);
    Duration loadTime = Duration.ofMillis(100);
    Cache<String> cache = manager.cache("swr", String.class,
        CachePolicy.builder().ttl(ttl).staleWhileRevalidate(Duration.ofHours(1)).build());
    AtomicLongArray calls = new AtomicLongArray(keys);
    AtomicInteger generation = new AtomicInteger();
    Flux.range(0, keys)
        .flatMap(k -> cache.get("k" + k, loader(calls, k, generation, loadTime)), keys)
        .then()
        .block(Duration.ofSeconds(30));
    Thread.sleep(ttl.toMillis() * 2);
    generation.incrementAndGet();

    AtomicLong maxWaitNanos = new AtomicLong();
    AtomicLong staleServed = new AtomicLong();
    long totalWait = 0;
    long reads = 0;
    long start = System.nanoTime();
    for (int k = 0; k < keys; k++) {
      String key = "k" + k;
      Mono<String> loader = loader(calls, k, generation, loadTime);
      Long burstWait = Flux.range(0, readers)
          .flatMap(i -> Mono.defer(() -> {
            long t0 = System.nanoTime();
            return cache.get(key, loader).map(v -> {
              long waited = System.nanoTime() - t0;
              maxWaitNanos.accumulateAndGet(waited, Math::max);
              if (v.endsWith("#0")) {
                staleServed.incrementAndGet();
              }
              return waited;
            });
          }).subscribeOn(Schedulers.parallel()), readers)
          .reduce(0L, Long::sum)
          .block(Duration.ofSeconds(30));
      totalWait += burstWait == null ? 0 : burstWait;
      reads += readers;
    }
    double burstSeconds = (System.nanoTime() - start) / 1e9;
    // Let the refreshes started by the last bursts finish before counting them.
    Thread.sleep(loadTime.toMillis() * 3);
    long refreshes = 0;
    int exactlyOne = 0;
    long maxPerKey = 0;
    for (int k = 0; k < keys; k++) {
      long r = calls.get(k) - 1;
      refreshes += r;
      maxPerKey = Math.max(maxPerKey, r);
      if (r == 1) {
        exactlyOne++;
      }
    }
    b.append(String.format(Locale.ROOT, "Stale-while-revalidate: %d stale keys, a burst of %d concurrent readers "
        + "each (TTL %d ms, loader takes %d ms; target: 1 refresh per burst, readers never wait for it)%n%n",
        keys, readers, ttl.toMillis(), loadTime.toMillis()));
    b.append("| stale bursts | refreshes | bursts with exactly 1 | max per burst | reads served stale | longest "
        + "reader wait | mean reader wait | time |\n");
    b.append("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    b.append(String.format(Locale.ROOT, "| %d | %d | %d | %d | %,d of %,d | %.2f ms | %.3f ms | %.1f s |%n%n",
        keys, refreshes, exactlyOne, maxPerKey, staleServed.get(), reads, maxWaitNanos.get() / 1e6,
        totalWait / 1e6 / reads, burstSeconds));
  }

  private static Mono<String> loader(AtomicLongArray calls, int k, AtomicInteger generation, Duration loadTime) {
    return Mono.defer(() -> {
      calls.incrementAndGet(k);
      return Mono.delay(loadTime).thenReturn("value " + k + "#" + generation.get());
    });
  }
}
