package io.reactivecache;

import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.CacheEvent;
import io.reactivecache.spi.Invalidation;
import io.reactivecache.spi.KeyPattern;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongFunction;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * L1 in front of L2; see {@link io.reactivecache.CacheBackends#twoLevel}. Internal.
 *
 * <p>L1 holds copies of L2 entries and must never hold one that a change overtook. Every change of a key made
 * through this composition, and every invalidation L2 reports from outside, is tracked while it runs
 * ({@link MutationTracker}); an L2 value is copied into L1 only if no change of its key was in flight when the L2
 * read began and none began until the copy landed (checked before the copy, and again after it, removing the copy
 * if a change slipped in between). Writes put their value in L1 only under the same rule, so two concurrent writes of
 * a key cannot leave L1 and L2 holding different values. An L1 hit touches none of this.
 */
final class TwoLevelCacheBackend implements CacheBackend {
  private final CacheBackend l1;
  private final CacheBackend l2;
  private final long l1TtlMillis;
  private final Scheduler clock;
  private final MutationTracker changes = new MutationTracker();
  private final Sinks.Many<Invalidation> fromOutside = Sinks.many().multicast().directBestEffort();
  private final AtomicReference<Disposable> listening = new AtomicReference<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * Composes two levels.
   *
   * @param l1 the near level
   * @param l2 the shared level
   * @param l1TtlMillis the longest an L1 copy is served, in milliseconds of the reader's clock (at least 1;
   *     {@code Long.MAX_VALUE} for no cap)
   * @param clock the clock
   */
  TwoLevelCacheBackend(CacheBackend l1, CacheBackend l2, long l1TtlMillis, Scheduler clock) {
    this.l1 = l1;
    this.l2 = l2;
    this.l1TtlMillis = l1TtlMillis;
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
        .switchIfEmpty(Mono.defer(() -> {
          listenToL2();
          long token = changes.beforeRead(key);
          return l2.get(key, type).flatMap(entry -> toL1(key, entry, token)
              // A failing L1 serves nothing (its reads are misses), so a copy it could not take is no harm.
              .onErrorResume(error -> Mono.empty())
              .thenReturn(entry));
        }));
  }

  /**
   * Puts what L2 holds (as read, or as just written) in L1 if no change of the key overlapped the L2 operation;
   * else removes the key from L1, which may hold an older value. A change that starts while the copy is being
   * written is caught by the second check, which takes the copy out again.
   */
  private Mono<Void> toL1(String key, CacheEntry<?> entry, long token) {
    return Mono.defer(() -> !changes.unchanged(key, token) ? l1.delete(key).then()
        : l1.put(key, capped(entry)).then(Mono.defer(() ->
            changes.unchanged(key, token) ? Mono.<Void>empty() : l1.delete(key).then())));
  }

  /**
   * The L1 copy expires no later than l1Ttl from now on this process's clock, whatever the writer's clock said, so
   * another process's change is seen by then even when the writer's clock runs ahead.
   */
  private CacheEntry<?> capped(CacheEntry<?> entry) {
    long now = clock.now(TimeUnit.MILLISECONDS);
    long limit = now > CacheEntry.NEVER - l1TtlMillis ? CacheEntry.NEVER : now + l1TtlMillis;
    if (entry.expiresAt() <= limit) {
      return entry;
    }
    long freshUntil = Math.min(entry.freshUntil(), limit);
    // A writer whose clock runs ahead wrote a time still to come here; the copy cannot be written after it is stale.
    long writtenAt = Math.min(entry.writtenAt(), freshUntil);
    CacheEntry<?> copy = entry.isAbsent() ? CacheEntry.absent(writtenAt, freshUntil, limit, entry.tags())
        : CacheEntry.of(entry.value(), writtenAt, freshUntil, limit, entry.tags());
    return copy.withLoadMillis(entry.loadMillis());
  }

  /**
   * Runs a change of one key, tracked from before it starts until it ends (however it ends), so reads overlapping
   * it copy nothing into L1. The body gets the token {@link MutationTracker#beginKey} returned.
   */
  private <R> Mono<R> changingKey(String key, LongFunction<Mono<R>> body) {
    return Mono.defer(() -> {
      long token = changes.beginKey(key);
      return tracked(body.apply(token), () -> changes.endKey(key));
    });
  }

  /** As {@link #changingKey} for a change that may touch every key. */
  private <R> Mono<R> changingAll(Mono<R> body) {
    return Mono.defer(() -> {
      changes.beginAll();
      return tracked(body, changes::endAll);
    });
  }

  /**
   * Ends the tracking exactly once, before the caller sees the outcome (so a read issued after the change completed
   * may copy again). A cancelled change ends at the cancel: L2 may still carry it out later, and a read in between
   * could then put the older value in L1 for at most {@code l1Ttl} (documented).
   */
  private static <R> Mono<R> tracked(Mono<R> body, Runnable end) {
    AtomicBoolean ended = new AtomicBoolean();
    Runnable once = () -> {
      if (ended.compareAndSet(false, true)) {
        end.run();
      }
    };
    return body.doOnEach(signal -> {
      if (!signal.isOnSubscribe()) {
        once.run();
      }
    }).doOnCancel(once);
  }

  /**
   * L2 first; if L2 fails, L1 still forgets what the change covers (a failed L2 change, a timed-out one say, may
   * have happened) and the error is signalled.
   */
  private static <R> Mono<R> l2First(Mono<R> onL2, Mono<?> forgetInL1) {
    return onL2.onErrorResume(error -> forgetInL1.onErrorResume(ignored -> Mono.empty()).then(Mono.error(error)));
  }

  @Override
  public Mono<Void> put(String key, CacheEntry<?> entry) {
    return changingKey(key, token -> {
      listenToL2();
      return l2First(l2.put(key, entry), l1.delete(key)).then(toL1(key, entry, token));
    });
  }

  @Override
  public Mono<Void> putAll(Map<String, ? extends CacheEntry<?>> entries) {
    return Mono.defer(() -> {
      listenToL2();
      Map<String, Long> tokens = new LinkedHashMap<>();
      entries.keySet().forEach(key -> tokens.put(key, changes.beginKey(key)));
      Mono<Void> body = l2First(l2.putAll(entries), Flux.fromIterable(entries.keySet()).concatMap(l1::delete).then())
          .then(Flux.fromIterable(tokens.entrySet())
              .concatMap(token -> toL1(token.getKey(), entries.get(token.getKey()), token.getValue()))
              .then());
      return tracked(body, () -> tokens.keySet().forEach(changes::endKey));
    });
  }

  @Override
  public Mono<Boolean> delete(String key) {
    return changingKey(key, token -> l2First(l2.delete(key), l1.delete(key))
        .flatMap(inL2 -> l1.delete(key).map(inL1 -> inL2 || inL1)));
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
    return changingAll(l2First(l2.clear(), l1.clear()).then(l1.clear()));
  }

  @Override
  public Mono<Long> deletePattern(KeyPattern pattern) {
    return changingAll(l2First(l2.deletePattern(pattern), l1.deletePattern(pattern))
        .flatMap(removed -> l1.deletePattern(pattern).thenReturn(removed)));
  }

  @Override
  public Mono<Long> invalidateTag(String tag) {
    return changingAll(l2First(l2.invalidateTag(tag), l1.invalidateTag(tag))
        .flatMap(removed -> l1.invalidateTag(tag).thenReturn(removed)));
  }

  /**
   * Starts applying L2's invalidations from outside to L1, once: from the first copy put in L1 (before that L1 holds
   * nothing to drop) or the first subscriber to {@link #invalidations()}. Not at construction, so building the
   * composition opens nothing.
   */
  private void listenToL2() {
    if (listening.get() != null || closed.get()) {
      return;
    }
    Disposable.Swap subscription = Disposables.swap();
    if (listening.compareAndSet(null, subscription)) {
      subscription.update(l2.invalidations().concatMap(this::dropFromL1).subscribe());
    }
  }

  /**
   * Drops what an invalidation from outside covers from L1, tracked as a change so that a read in flight does not
   * copy the value it overtook, then passes it on.
   */
  private Mono<Invalidation> dropFromL1(Invalidation invalidation) {
    Mono<?> drop = switch (invalidation.scope()) {
      case KEY -> changingKey(invalidation.target(), token -> l1.delete(invalidation.target()));
      case PATTERN -> changingAll(Mono.defer(() -> l1.deletePattern(KeyPattern.of(invalidation.target()))));
      case TAG -> changingAll(l1.invalidateTag(invalidation.target()));
      case ALL -> changingAll(l1.clear());
    };
    return drop
        // A failing L1 serves nothing; the invalidation still reaches the engine.
        .onErrorResume(error -> Mono.empty())
        .then(Mono.fromRunnable(() -> fromOutside.tryEmitNext(invalidation)))
        .thenReturn(invalidation);
  }

  /**
   * L2's invalidations from outside, each passed on once L1 has dropped what it covers (so whoever reacts to it reads
   * L2), merged with L1's own (none for an in-process L1).
   */
  @Override
  public Flux<Invalidation> invalidations() {
    return Flux.merge(Flux.defer(() -> {
      listenToL2();
      return fromOutside.asFlux();
    }), l1.invalidations());
  }

  /** L2's evictions and expiries; L1's concern copies only, whose loss is not a change of the cache. */
  @Override
  public Flux<CacheEvent> events() {
    return l2.events();
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
    return Mono.defer(() -> {
      if (closed.compareAndSet(false, true)) {
        Disposable subscription = listening.get();
        if (subscription != null) {
          subscription.dispose();
        }
        fromOutside.tryEmitComplete();
      }
      return l1.close().onErrorResume(error -> Mono.empty()).then(l2.close());
    });
  }

  @Override
  public String toString() {
    return "TwoLevelCacheBackend{l1=" + l1.name() + ", l2=" + l2.name() + ", l1Ttl="
        + (l1TtlMillis == Long.MAX_VALUE ? "none" : l1TtlMillis + "ms") + '}';
  }
}
