package io.reactivecache.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.Strategy;
import io.reactivecache.ValueType;
import io.reactivecache.spi.CacheEntry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * Replays the LIRS {@code multi2} trace (26,311 requests) at 512 entries: LRU and LFU must hit exactly as often as
 * independent textbook implementations written here; W-TinyLFU ({@code ttl}) is measured.
 *
 * <p>The traces are found through the system property {@value #TRACES_PROPERTY} or the environment variable
 * {@value #TRACES_ENV}; without them the tests are skipped.
 */
class TraceReplayTest {
  static final String TRACES_PROPERTY = "reactivecache.traces";
  static final String TRACES_ENV = "REACTIVECACHE_TRACES";
  private static final int SIZE = 512;
  private static final ValueType<String> STRING = ValueType.of(String.class);

  @Test
  void lruHitsExactlyAsTextbookLru() throws IOException {
    List<String> trace = multi2();
    long ours = replay(trace, Strategy.LRU);
    long reference = referenceLru(trace);
    report("lru", ours, trace.size());
    assertThat(ours).isEqualTo(reference);
    assertThat(ours).isPositive();
  }

  @Test
  void lfuHitsExactlyAsTextbookLfu() throws IOException {
    List<String> trace = multi2();
    long ours = replay(trace, Strategy.LFU);
    long reference = referenceLfu(trace);
    report("lfu", ours, trace.size());
    assertThat(ours).isEqualTo(reference);
    assertThat(ours).isPositive();
  }

  @Test
  void windowTinyLfuIsMeasured() throws IOException {
    List<String> trace = multi2();
    long ours = replay(trace, Strategy.TTL);
    report("ttl (W-TinyLFU)", ours, trace.size());
    // No exact reference for W-TinyLFU; it must at least beat a cache that never hits.
    assertThat(ours).isPositive();
  }

  private static long replay(List<String> trace, Strategy strategy) {
    VirtualTimeScheduler clock = VirtualTimeScheduler.create();
    MemoryCacheBackend backend =
        MemoryCacheBackend.builder().strategy(strategy).maximumSize(SIZE).clock(clock).build();
    try {
      long hits = 0;
      for (String key : trace) {
        if (backend.get(key, STRING).blockOptional().isPresent()) {
          hits++;
        } else {
          long now = clock.now(java.util.concurrent.TimeUnit.MILLISECONDS);
          backend.put(key, CacheEntry.of(key, now, CacheEntry.NEVER, CacheEntry.NEVER, Set.of())).block();
        }
      }
      assertThat(backend.stats().block().hits()).isEqualTo(hits);
      return hits;
    } finally {
      backend.close().block();
      clock.dispose();
    }
  }

  /** Textbook LRU: an access-ordered LinkedHashMap that drops its eldest entry past the capacity. */
  private static long referenceLru(List<String> trace) {
    Map<String, Boolean> lru = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > SIZE;
      }
    };
    long hits = 0;
    for (String key : trace) {
      if (lru.get(key) != null) {
        hits++;
      } else {
        lru.put(key, Boolean.TRUE);
      }
    }
    return hits;
  }

  /**
   * Textbook LFU by linear search: evict the lowest count, ties to the oldest last access; counts start at 1 on
   * admission and are forgotten on eviction; the victim is chosen before the newcomer is admitted.
   */
  private static long referenceLfu(List<String> trace) {
    Map<String, long[]> countAndLastUse = new HashMap<>();
    long tick = 0;
    long hits = 0;
    for (String key : trace) {
      long[] state = countAndLastUse.get(key);
      if (state != null) {
        hits++;
        state[0]++;
        state[1] = tick++;
        continue;
      }
      if (countAndLastUse.size() >= SIZE) {
        String victim = null;
        long[] worst = null;
        for (Map.Entry<String, long[]> e : countAndLastUse.entrySet()) {
          long[] s = e.getValue();
          if (worst == null || s[0] < worst[0] || (s[0] == worst[0] && s[1] < worst[1])) {
            worst = s;
            victim = e.getKey();
          }
        }
        countAndLastUse.remove(victim);
      }
      countAndLastUse.put(key, new long[] {1, tick++});
    }
    return hits;
  }

  private static void report(String policy, long hits, int requests) {
    System.out.printf("multi2 @ %d, %s: %d hits / %d requests = %.2f%%%n", SIZE, policy, hits, requests,
        100.0 * hits / requests);
  }

  private static List<String> multi2() throws IOException {
    Optional<Path> dir = tracesDirectory();
    Assumptions.assumeTrue(dir.isPresent(), "Trace files not found: set -D" + TRACES_PROPERTY + " or "
        + TRACES_ENV + " to the traces directory (holding lirs/multi2.trace.gz); skipping the replay");
    Path file = dir.get().resolve("lirs/multi2.trace.gz");
    List<String> keys = new ArrayList<>();
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file));
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
      String line;
      while ((line = reader.readLine()) != null) {
        String trimmed = line.trim();
        if (!trimmed.isEmpty() && !trimmed.equals("*")) {
          keys.add(Long.toString(Long.parseLong(trimmed)));
        }
      }
    }
    return keys;
  }

  private static Optional<Path> tracesDirectory() {
    List<String> candidates = new ArrayList<>();
    Optional.ofNullable(System.getProperty(TRACES_PROPERTY)).ifPresent(candidates::add);
    Optional.ofNullable(System.getenv(TRACES_ENV)).ifPresent(candidates::add);
    return Stream.of(candidates.toArray(String[]::new))
        .map(Path::of)
        .filter(p -> Files.isRegularFile(p.resolve("lirs/multi2.trace.gz")))
        .findFirst();
  }
}
