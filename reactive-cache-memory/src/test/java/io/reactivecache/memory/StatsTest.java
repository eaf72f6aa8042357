package io.reactivecache.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheStats;
import io.reactivecache.Strategy;
import io.reactivecache.ValueType;
import io.reactivecache.spi.CacheEntry;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.test.scheduler.VirtualTimeScheduler;

class StatsTest {
  private final VirtualTimeScheduler clock = VirtualTimeScheduler.create();
  private MemoryCacheBackend backend;

  @AfterEach
  void close() {
    backend.close().block();
    clock.dispose();
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void estimatedBytesFollowTheEntriesHeld(Strategy strategy) {
    backend = MemoryCacheBackend.builder().strategy(strategy).clock(clock).build();
    assertThat(stats().estimatedBytes()).isZero();
    backend.put("small", entry("x")).block();
    long small = stats().estimatedBytes();
    backend.put("large", entry("x".repeat(10_000))).block();
    long both = stats().estimatedBytes();
    assertThat(small).isPositive();
    assertThat(both - small).as("a 10,000-char string counts at least its chars").isGreaterThanOrEqualTo(10_000);
    backend.put("large", entry("y")).block();
    assertThat(stats().estimatedBytes()).isLessThan(both);
    backend.clear().block();
    assertThat(stats().estimatedBytes()).isZero();
    assertThat(stats().size()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void wrongTypesInBulkReadsAreCountedMisses(Strategy strategy) {
    backend = MemoryCacheBackend.builder().strategy(strategy).clock(clock).build();
    backend.putAll(Map.of("a", entry("text"), "b", entry(42))).block();
    Map<String, CacheEntry<Integer>> found = backend.getAll(List.of("a", "b", "c"), ValueType.of(int.class)).block();
    assertThat(found).containsOnlyKeys("b");
    assertThat(found.get("b").value()).isEqualTo(42);
    CacheStats stats = stats();
    assertThat(stats.hits()).isEqualTo(1);
    assertThat(stats.misses()).isEqualTo(2);
    assertThat(stats.invalidPayloads()).isEqualTo(1);
    assertThat(stats.puts()).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void absentMarkersAreHitsWhateverTheType(Strategy strategy) {
    backend = MemoryCacheBackend.builder().strategy(strategy).clock(clock).build();
    backend.put("none", CacheEntry.absent(0, CacheEntry.NEVER, CacheEntry.NEVER, Set.of())).block();
    assertThat(backend.get("none", ValueType.of(Long.class)).block().isAbsent()).isTrue();
    assertThat(stats().hits()).isEqualTo(1);
    assertThat(stats().invalidPayloads()).isZero();
  }

  private static <T> CacheEntry<T> entry(T value) {
    return CacheEntry.of(value, 0, CacheEntry.NEVER, CacheEntry.NEVER, Set.of());
  }

  private CacheStats stats() {
    return backend.stats().block();
  }
}
