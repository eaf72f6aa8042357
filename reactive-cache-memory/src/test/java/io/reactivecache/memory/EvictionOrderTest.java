package io.reactivecache.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheStats;
import io.reactivecache.Strategy;
import io.reactivecache.spi.CacheEntry;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Which entry each policy evicts, on sequences small enough to work out by hand. */
class EvictionOrderTest extends MemoryTestSupport {

  @Test
  void lruEvictsTheLeastRecentlyReadOrWritten() {
    MemoryCacheBackend lru = backend(Strategy.LRU, 3);
    put(lru, "a");
    put(lru, "b");
    put(lru, "c");
    get(lru, "a"); // recency, oldest first: b c a
    put(lru, "d"); // evicts b -> c a d
    assertThat(present(lru, "a", "b", "c", "d")).containsExactly("a", "c", "d");
    get(lru, "c"); // a d c
    put(lru, "e"); // evicts a -> d c e
    assertThat(present(lru, "a", "c", "d", "e")).containsExactly("c", "d", "e");
    put(lru, "d"); // an overwrite is a use: c e d
    put(lru, "f"); // evicts c
    assertThat(present(lru, "c", "d", "e", "f")).containsExactly("d", "e", "f");
    assertThat(stats(lru).evictions()).isEqualTo(3);
  }

  @Test
  void existsDoesNotCountAsAUse() {
    MemoryCacheBackend lru = backend(Strategy.LRU, 2);
    put(lru, "a");
    put(lru, "b");
    assertThat(lru.exists("a").block()).isTrue();
    put(lru, "c"); // a is still the least recent
    assertThat(lru.exists("a").block()).isFalse();
    assertThat(lru.exists("b").block()).isTrue();
  }

  @Test
  void lfuEvictsTheLeastFrequentlyUsedAndBreaksTiesByRecency() {
    MemoryCacheBackend lfu = backend(Strategy.LFU, 3);
    put(lfu, "a");
    put(lfu, "b");
    put(lfu, "c");
    get(lfu, "a");
    get(lfu, "a"); // a=3
    get(lfu, "b"); // b=2, c=1
    put(lfu, "d"); // evicts c (count 1); the newcomer is never its own victim
    assertThat(present(lfu, "a", "b", "c", "d")).containsExactly("a", "b", "d");
    get(lfu, "d"); // d=2, used after b=2
    put(lfu, "e"); // tie b/d at 2: b was used longer ago
    assertThat(present(lfu, "a", "b", "d", "e")).containsExactly("a", "d", "e");
    put(lfu, "e"); // overwrite counts: e=2, now more recent than d=2
    put(lfu, "f"); // evicts d
    assertThat(present(lfu, "a", "d", "e", "f")).containsExactly("a", "e", "f");
  }

  @Test
  void lfuForgetsCountsOnEviction() {
    MemoryCacheBackend lfu = backend(Strategy.LFU, 2);
    put(lfu, "a");
    for (int i = 0; i < 5; i++) {
      get(lfu, "a");
    }
    put(lfu, "b");
    get(lfu, "b");
    lfu.delete("a").block();
    put(lfu, "a"); // readmitted with count 1: b (2) outranks it
    put(lfu, "c"); // evicts a
    assertThat(present(lfu, "a", "b", "c")).containsExactly("b", "c");
  }

  @ParameterizedTest
  @EnumSource(value = Strategy.class, names = {"LRU", "LFU"})
  void expiredEntriesAreEvictedBeforeLiveOnes(Strategy strategy) {
    MemoryCacheBackend backend = backend(strategy, 2);
    long now = now();
    backend.put("short", CacheEntry.of("v", now, now + 1_000, now + 1_000, Set.of())).block();
    put(backend, "long");
    get(backend, "short");
    get(backend, "short"); // most recent and most frequent, but about to expire
    clock.advanceTimeBy(Duration.ofMillis(1_000));
    put(backend, "new");
    assertThat(present(backend, "short", "long", "new")).containsExactly("long", "new");
    assertThat(stats(backend).evictions()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void sizeNeverExceedsTheBoundAndEvictionsAreCounted(Strategy strategy) {
    MemoryCacheBackend backend = backend(strategy, 10);
    for (int i = 0; i < 100; i++) {
      put(backend, "k" + i);
    }
    backend.cleanUpNow();
    CacheStats stats = stats(backend);
    assertThat(stats.size()).isEqualTo(10);
    assertThat(stats.evictions()).isEqualTo(90);
    assertThat(stats.deletes()).isZero();
    assertThat(stats.puts()).isEqualTo(100);
    assertThat(backend.tagIndexMatchesStore()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void explicitDeletesAreNotEvictions(Strategy strategy) {
    MemoryCacheBackend backend = backend(strategy, 10);
    put(backend, "a", "t");
    put(backend, "b", "t");
    put(backend, "c");
    put(backend, "d");
    assertThat(backend.delete("a").block()).isTrue();
    assertThat(backend.invalidateTag("t").block()).isEqualTo(1);
    assertThat(backend.deletePattern(io.reactivecache.spi.KeyPattern.of("c")).block()).isEqualTo(1);
    backend.clear().block();
    CacheStats stats = stats(backend);
    assertThat(stats.deletes()).isEqualTo(4);
    assertThat(stats.evictions()).isZero();
    assertThat(stats.size()).isZero();
    assertThat(stats.estimatedBytes()).isZero();
  }

  private MemoryCacheBackend backend(Strategy strategy, long size) {
    return build(MemoryCacheBackend.builder().strategy(strategy).maximumSize(size));
  }

  private void put(MemoryCacheBackend backend, String key, String... tags) {
    backend.put(key, CacheEntry.of("value of " + key, now(), CacheEntry.NEVER, CacheEntry.NEVER, Set.of(tags)))
        .block();
  }

  private static void get(MemoryCacheBackend backend, String key) {
    hit(backend, key, String.class);
  }
}
