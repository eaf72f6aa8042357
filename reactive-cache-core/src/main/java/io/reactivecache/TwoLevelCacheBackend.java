package io.reactivecache;

import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.KeyPattern;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * L1 in front of L2; see {@link io.reactivecache.CacheBackends#twoLevel}. Internal.
 */
final class TwoLevelCacheBackend implements CacheBackend {
  private final CacheBackend l1;
  private final CacheBackend l2;
  private final long l1TtlMillis;
  private final Scheduler clock;

  /**
   * Composes two levels.
   *
   * @param l1 the near level
   * @param l2 the shared level
   * @param l1Ttl the longest an L1 copy is served
   * @param clock the clock
   */
  public TwoLevelCacheBackend(CacheBackend l1, CacheBackend l2, Duration l1Ttl, Scheduler clock) {
    this.l1 = l1;
    this.l2 = l2;
    this.l1TtlMillis = l1Ttl.toMillis();
    this.clock = clock;
  }

  @Override
  public String name() {
    return l2.name();
  }

  @Override
  public Optional<Duration> defaultTtl() {
    return l2.defaultTtl();
  }

  @Override
  public <T> Mono<CacheEntry<T>> get(String key, ValueType<T> type) {
    return l1.get(key, type)
        .onErrorResume(error -> Mono.empty())
        .switchIfEmpty(Mono.defer(() -> l2.get(key, type)
            .flatMap(entry -> l1.put(key, capped(entry))
                .onErrorResume(error -> Mono.empty())
                .thenReturn(entry))));
  }

  /** The L1 copy expires no later than l1Ttl from now, so another process's change is seen by then. */
  private CacheEntry<?> capped(CacheEntry<?> entry) {
    long now = clock.now(TimeUnit.MILLISECONDS);
    long limit = Math.max(now, entry.writtenAt()) + l1TtlMillis;
    if (entry.expiresAt() <= limit) {
      return entry;
    }
    long freshUntil = Math.min(entry.freshUntil(), limit);
    return entry.isAbsent() ? CacheEntry.absent(entry.writtenAt(), freshUntil, limit, entry.tags())
        : CacheEntry.of(entry.value(), entry.writtenAt(), freshUntil, limit, entry.tags());
  }

  @Override
  public Mono<Void> put(String key, CacheEntry<?> entry) {
    // The cap is computed when the write happens, not when it is assembled.
    return l2.put(key, entry).then(Mono.defer(() -> l1.put(key, capped(entry))));
  }

  @Override
  public Mono<Void> putAll(Map<String, ? extends CacheEntry<?>> entries) {
    return l2.putAll(entries).then(Mono.defer(() -> {
      Map<String, CacheEntry<?>> copies = new java.util.LinkedHashMap<>();
      entries.forEach((key, entry) -> copies.put(key, capped(entry)));
      return l1.putAll(copies);
    }));
  }

  @Override
  public Mono<Boolean> delete(String key) {
    return l2.delete(key).zipWith(l1.delete(key), (inL2, inL1) -> inL2 || inL1);
  }

  @Override
  public Mono<Boolean> exists(String key) {
    // As for get: a failing L1 is a miss, never an error, since L2 holds everything L1 does.
    return l1.exists(key)
        .onErrorResume(error -> Mono.just(false))
        .flatMap(inL1 -> inL1 ? Mono.just(true) : l2.exists(key));
  }

  @Override
  public Mono<Void> clear() {
    return l2.clear().then(l1.clear());
  }

  @Override
  public Mono<Long> deletePattern(KeyPattern pattern) {
    return l2.deletePattern(pattern).flatMap(removed -> l1.deletePattern(pattern).thenReturn(removed));
  }

  @Override
  public Mono<Long> invalidateTag(String tag) {
    return l2.invalidateTag(tag).flatMap(removed -> l1.invalidateTag(tag).thenReturn(removed));
  }

  @Override
  public Mono<CacheStats> stats() {
    return l1.stats().zipWith(l2.stats(), (near, shared) -> new CacheStats(
        near.hits() + shared.hits(),
        shared.misses(),
        shared.puts(),
        shared.deletes(),
        near.evictions() + shared.evictions(),
        0, 0, 0, 0, 0,
        near.invalidPayloads() + shared.invalidPayloads(),
        near.rejectedWrites() + shared.rejectedWrites(),
        near.fallbacks() + shared.fallbacks(),
        near.backendFailures() + shared.backendFailures(),
        shared.size(),
        near.estimatedBytes()));
  }

  @Override
  public Mono<CacheHealth> health() {
    return l2.health().zipWith(l1.health(), (shared, near) -> shared.status() != CacheHealth.Status.UP ? shared
        : near.status() != CacheHealth.Status.UP
            ? CacheHealth.degraded("near level '" + l1.name() + "': " + near.reason()) : shared);
  }

  @Override
  public Mono<Void> close() {
    return l1.close().onErrorResume(error -> Mono.empty()).then(l2.close());
  }

  @Override
  public String toString() {
    return "TwoLevelCacheBackend{l1=" + l1.name() + ", l2=" + l2.name() + ", l1Ttl=" + l1TtlMillis + "ms}";
  }
}
