package io.reactivecache.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheStats;
import io.reactivecache.Strategy;
import io.reactivecache.spi.CacheEntry;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.test.scheduler.VirtualTimeScheduler;

/** Expired entries leave the store on the clock's schedule, with nobody reading them. */
class ExpiryCleanupTest {
  private final VirtualTimeScheduler clock = VirtualTimeScheduler.create();
  private MemoryCacheBackend backend;

  @AfterEach
  void close() {
    if (backend != null) {
      backend.close().block();
    }
    clock.dispose();
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void expiredEntriesAreRemovedWithoutAReader(Strategy strategy) {
    backend = MemoryCacheBackend.builder().strategy(strategy).maximumSize(100).clock(clock)
        .expiryCleanupInterval(Duration.ofSeconds(1)).build();
    long now = now();
    for (int i = 0; i < 5; i++) {
      backend.put("short" + i, CacheEntry.of("v", now, now + 2_500, now + 2_500, Set.of("model", "t" + i)))
          .block();
    }
    backend.put("forever1", CacheEntry.of("v", now, CacheEntry.NEVER, CacheEntry.NEVER, Set.of("model"))).block();
    backend.put("forever2", CacheEntry.of("v", now, CacheEntry.NEVER, CacheEntry.NEVER, Set.of())).block();
    long bytesOfAll = stats().estimatedBytes();
    assertThat(backend.cleanupRunning()).isTrue();

    clock.advanceTimeBy(Duration.ofSeconds(2));
    assertThat(stats().size()).isEqualTo(7);
    assertThat(stats().evictions()).isZero();

    clock.advanceTimeBy(Duration.ofSeconds(1)); // past expiry (2.5 s) and past the next tick (3 s)
    CacheStats after = stats();
    assertThat(after.size()).isEqualTo(2);
    assertThat(after.evictions()).isEqualTo(5);
    assertThat(after.hits() + after.misses()).as("nobody read").isZero();
    assertThat(after.deletes()).isZero();
    assertThat(after.estimatedBytes()).isPositive().isLessThan(bytesOfAll);
    assertThat(backend.tagIndexMatchesStore()).isTrue();
    assertThat(backend.invalidateTag("t3").block()).isZero();
    // Nothing left that can expire: the periodic task stops rather than tick for nothing.
    assertThat(backend.cleanupRunning()).isFalse();

    long later = now();
    backend.put("again", CacheEntry.of("v", later, later + 500, later + 500, Set.of())).block();
    assertThat(backend.cleanupRunning()).isTrue();
    clock.advanceTimeBy(Duration.ofSeconds(1));
    assertThat(stats().size()).isEqualTo(2);
    assertThat(stats().evictions()).isEqualTo(6);
    assertThat(backend.invalidateTag("model").block()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void aMassExpiryIsRemovedCompletely(Strategy strategy) {
    backend = MemoryCacheBackend.builder().strategy(strategy).maximumSize(10_000).clock(clock).build();
    long now = now();
    for (int i = 0; i < 5_000; i++) {
      backend.put("k" + i, CacheEntry.of("v", now, now + 1_000 + i % 7, now + 1_000 + i % 7, Set.of("t" + i % 3)))
          .block();
    }
    clock.advanceTimeBy(Duration.ofSeconds(2));
    CacheStats stats = stats();
    assertThat(stats.size()).isZero();
    assertThat(stats.evictions()).isEqualTo(5_000);
    assertThat(stats.estimatedBytes()).isZero();
    assertThat(backend.tagIndexMatchesStore()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void closeStopsTheCleanup(Strategy strategy) {
    backend = MemoryCacheBackend.builder().strategy(strategy).clock(clock).build();
    long now = now();
    backend.put("k", CacheEntry.of("v", now, now + 1_000, now + 1_000, Set.of())).block();
    assertThat(backend.cleanupRunning()).isTrue();
    backend.close().block();
    assertThat(backend.cleanupRunning()).isFalse();
    clock.advanceTimeBy(Duration.ofSeconds(5));
    assertThat(backend.cleanupRunning()).isFalse();
    backend = null;
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void readsNeverReturnExpiredEntriesEvenBeforeTheCleanupRuns(Strategy strategy) {
    backend = MemoryCacheBackend.builder().strategy(strategy).clock(clock)
        .expiryCleanupInterval(Duration.ofHours(1)).build();
    long now = now();
    backend.put("k", CacheEntry.of("v", now, now + 1_000, now + 1_000, Set.of("t"))).block();
    clock.advanceTimeBy(Duration.ofMillis(999));
    assertThat(backend.get("k", io.reactivecache.ValueType.of(String.class)).block()).isNotNull();
    clock.advanceTimeBy(Duration.ofMillis(1));
    assertThat(backend.get("k", io.reactivecache.ValueType.of(String.class)).blockOptional()).isEmpty();
    assertThat(backend.exists("k").block()).isFalse();
    assertThat(backend.delete("k").block()).isFalse();
    assertThat(backend.invalidateTag("t").block()).isZero();
    CacheStats stats = stats();
    assertThat(stats.deletes()).isZero();
    assertThat(stats.hits()).isEqualTo(1);
    assertThat(stats.misses()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void writingAnAlreadyExpiredEntryDropsTheOlderValue(Strategy strategy) {
    backend = MemoryCacheBackend.builder().strategy(strategy).clock(clock).build();
    long now = now();
    backend.put("k", CacheEntry.of("old", now, CacheEntry.NEVER, CacheEntry.NEVER, Set.of())).block();
    backend.put("k", CacheEntry.of("new", now - 2_000, now - 1_000, now, Set.of())).block();
    assertThat(backend.exists("k").block()).isFalse();
    assertThat(stats().puts()).isEqualTo(1);
  }

  private long now() {
    return clock.now(TimeUnit.MILLISECONDS);
  }

  private CacheStats stats() {
    return backend.stats().block();
  }
}
