package io.reactivecache.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheBackendException;
import io.reactivecache.CacheStats;
import io.reactivecache.Strategy;
import io.reactivecache.spi.CacheEntry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.test.StepVerifier;

/**
 * {@code maximumWeight} with a weigher: which entries each strategy evicts, that the bound is never exceeded by the
 * exact strategies, and how heavy, absent and badly weighed entries are handled. Values here are integers that
 * weigh what they say.
 */
class WeightTest extends MemoryTestSupport {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final MemoryCacheBackend.Weigher VALUE_IS_WEIGHT = (key, value) -> (Integer) value;

  @Test
  void lruEvictsTheLeastRecentUntilTheNewcomerFits() {
    MemoryCacheBackend lru = backend(Strategy.LRU, 10, VALUE_IS_WEIGHT);
    put(lru, "a", 3);
    put(lru, "b", 3);
    put(lru, "c", 3);
    get(lru, "a"); // recency: b c a
    put(lru, "d", 4); // 13 > 10: evicts b -> c a d = 10
    assertThat(present(lru, "a", "b", "c", "d")).containsExactly("a", "c", "d");
    assertThat(lru.weightHeld()).isEqualTo(10);
    put(lru, "e", 5); // 15: evicts c (12), then a (9)
    assertThat(present(lru, "a", "c", "d", "e")).containsExactly("d", "e");
    put(lru, "d", 9); // an overwrite grows d: e goes, never d itself
    assertThat(present(lru, "d", "e")).containsExactly("d");
    assertThat(lru.weightHeld()).isEqualTo(9);
    CacheStats stats = stats(lru);
    assertThat(stats.evictions()).isEqualTo(4);
    assertThat(stats.puts()).isEqualTo(6);
    assertThat(stats.size()).isEqualTo(1);
  }

  @Test
  void lfuEvictsTheLeastFrequentUntilTheNewcomerFits() {
    MemoryCacheBackend lfu = backend(Strategy.LFU, 10, VALUE_IS_WEIGHT);
    put(lfu, "a", 4);
    put(lfu, "b", 3);
    put(lfu, "c", 3);
    get(lfu, "a");
    get(lfu, "a");
    get(lfu, "b"); // counts a=3 b=2 c=1
    put(lfu, "d", 3); // 13: evicts c
    assertThat(present(lfu, "a", "b", "c", "d")).containsExactly("a", "b", "d");
    put(lfu, "e", 6); // 16: evicts d (count 1), then b (count 2): 10
    assertThat(present(lfu, "a", "b", "d", "e")).containsExactly("a", "e");
    assertThat(lfu.weightHeld()).isEqualTo(10);
    put(lfu, "e", 7); // overwrite: e=2 is now the lowest count, but the write is spared; a goes
    assertThat(present(lfu, "a", "e")).containsExactly("e");
    assertThat(stats(lfu).evictions()).isEqualTo(4);
  }

  @Test
  void windowTinyLfuKeepsHotLightEntriesOverAColdHeavyOne() {
    MemoryCacheBackend ttl = backend(Strategy.TTL, 100, VALUE_IS_WEIGHT);
    for (int i = 0; i < 10; i++) {
      put(ttl, "hot" + i, 9);
    }
    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < 10; i++) {
        get(ttl, "hot" + i);
      }
    }
    put(ttl, "cold", 50); // 140: W-TinyLFU weighs frequency, and the newcomer has been seen once
    ttl.cleanUpNow();
    assertThat(ttl.exists("cold").block()).isFalse();
    for (int i = 0; i < 10; i++) {
      assertThat(ttl.exists("hot" + i).block()).as("hot%d", i).isTrue();
    }
    assertThat(ttl.weightHeld()).isEqualTo(90);
    assertThat(stats(ttl).evictions()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void theBoundHoldsAfterEveryWriteOfAnyWeight(Strategy strategy) {
    MemoryCacheBackend backend = backend(strategy, 1_000, VALUE_IS_WEIGHT);
    java.util.Random random = new java.util.Random(42);
    long puts = 0;
    for (int i = 0; i < 5_000; i++) {
      int weight = random.nextInt(200);
      put(backend, "k" + random.nextInt(300), weight);
      puts++;
      if (strategy != Strategy.TTL) {
        assertThat(backend.weightHeld()).as("after write %d", i).isLessThanOrEqualTo(1_000);
      }
    }
    backend.cleanUpNow();
    CacheStats stats = stats(backend);
    assertThat(backend.weightHeld()).isLessThanOrEqualTo(1_000);
    assertThat(stats.puts()).isEqualTo(puts);
    assertThat(stats.evictions()).isPositive();
    assertThat(backend.tagIndexMatchesStore()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void anEntryHeavierThanTheWholeBoundIsNotKeptAndItsKeysOlderValueGoes(Strategy strategy) {
    MemoryCacheBackend backend = backend(strategy, 10, VALUE_IS_WEIGHT);
    put(backend, "small", 2);
    put(backend, "other", 3);
    put(backend, "small", 11);
    assertThat(present(backend, "small", "other")).containsExactly("other");
    put(backend, "huge", Integer.MAX_VALUE);
    assertThat(present(backend, "huge", "other")).containsExactly("other");
    put(backend, "exact", 7); // exactly fits with other (3)
    assertThat(present(backend, "exact", "other")).containsExactly("exact", "other");
    CacheStats stats = stats(backend);
    assertThat(stats.rejectedWrites()).isEqualTo(2);
    assertThat(stats.puts()).isEqualTo(3);
    assertThat(stats.evictions()).isZero();
    assertThat(stats.deletes()).as("the older value of 'small'").isEqualTo(1);
    assertThat(backend.weightHeld()).isEqualTo(10);
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void absentMarkersAreNotWeighedAndWeighOne(Strategy strategy) {
    MemoryCacheBackend backend = backend(strategy, 3, (key, value) -> {
      throw new AssertionError("an absent marker has no value to weigh");
    });
    for (String key : List.of("a", "b", "c", "d")) {
      backend.put(key, CacheEntry.absent(0, CacheEntry.NEVER, CacheEntry.NEVER, Set.of())).block();
    }
    backend.cleanUpNow();
    assertThat(backend.weightHeld()).isEqualTo(3);
    assertThat(stats(backend).evictions()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void aZeroWeightCountsAsOneSoTheBoundAlsoBoundsTheNumberOfEntries(Strategy strategy) {
    MemoryCacheBackend backend = backend(strategy, 5, VALUE_IS_WEIGHT);
    for (int i = 0; i < 50; i++) {
      put(backend, "k" + i, 0);
    }
    backend.cleanUpNow();
    assertThat(stats(backend).size()).isEqualTo(5);
    assertThat(backend.weightHeld()).isEqualTo(5);
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void aWeigherThatFailsOrAnswersNegativeFailsTheWriteAndTheOlderValueGoes(Strategy strategy) {
    AtomicInteger answer = new AtomicInteger(1);
    MemoryCacheBackend backend = backend(strategy, 10, (key, value) -> {
      if (answer.get() == Integer.MIN_VALUE) {
        throw new IllegalStateException("weigher bug");
      }
      return answer.get();
    });
    put(backend, "k", 1);
    answer.set(-3);
    StepVerifier.create(backend.put("k", entry(1)))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(CacheBackendException.class)
            .hasMessageContaining("'memory'").hasMessageContaining("-3")
            .hasMessageContaining("java.lang.Integer").hasMessageContaining("at least 0"))
        .verify(TIMEOUT);
    assertThat(backend.exists("k").block()).isFalse();

    answer.set(1);
    put(backend, "k", 1);
    answer.set(Integer.MIN_VALUE);
    StepVerifier.create(backend.put("k", entry(1)))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(CacheBackendException.class)
            .hasMessageContaining("weigher failed").hasCauseInstanceOf(IllegalStateException.class))
        .verify(TIMEOUT);
    assertThat(backend.exists("k").block()).isFalse();
    assertThat(stats(backend).puts()).isEqualTo(2);
    assertThat(backend.weightHeld()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void theLargestBoundAndTheLargestWeightsWork(Strategy strategy) {
    MemoryCacheBackend backend = backend(strategy, Long.MAX_VALUE, (key, value) -> Integer.MAX_VALUE);
    for (int i = 0; i < 100; i++) {
      put(backend, "k" + i, 1);
    }
    assertThat(stats(backend).size()).isEqualTo(100);
    assertThat(backend.weightHeld()).isEqualTo(100L * Integer.MAX_VALUE);
    assertThat(backend.maximumWeight()).hasValue(Long.MAX_VALUE);
    assertThat(backend.maximumSize()).isEmpty();
  }

  private MemoryCacheBackend backend(Strategy strategy, long maximumWeight, MemoryCacheBackend.Weigher weigher) {
    return build(MemoryCacheBackend.builder().strategy(strategy).maximumWeight(maximumWeight).weigher(weigher));
  }

  private CacheEntry<Integer> entry(int value) {
    return CacheEntry.of(value, now(), CacheEntry.NEVER, CacheEntry.NEVER, Set.of("t"));
  }

  private void put(MemoryCacheBackend backend, String key, int weight) {
    backend.put(key, entry(weight)).block();
  }

  private static void get(MemoryCacheBackend backend, String key) {
    hit(backend, key, Integer.class);
  }
}
