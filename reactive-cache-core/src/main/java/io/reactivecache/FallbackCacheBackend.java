package io.reactivecache;

import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.KeyPattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A primary backend with a fallback used while the primary fails; see
 * {@link io.reactivecache.CacheBackends#withFallback}. Internal.
 *
 * <p>States: <i>up</i> (primary serves; a failure flips to <i>outage</i>) and <i>outage</i> (fallback serves,
 * every write and invalidation is journaled). In an outage, one operation at a time tries to recover: it replays
 * the journal on the primary, clears the fallback, and only then lets the primary serve again. Other operations
 * meanwhile keep using the fallback, so no caller waits on a sick primary more than once.
 */
final class FallbackCacheBackend implements CacheBackend {
  /** Invalidations kept before the journal collapses into one clear. */
  public static final int DEFAULT_JOURNAL_LIMIT = 10_000;

  private final CacheBackend primary;
  private final CacheBackend fallback;
  private final OutageJournal journal;
  private final AtomicBoolean recovering = new AtomicBoolean();
  private final AtomicReference<String> outageReason = new AtomicReference<>("");
  private final LongAdder fallbacks = new LongAdder();
  private final AtomicReference<CacheStats> lastPrimaryStats = new AtomicReference<>(CacheStats.empty());

  /**
   * Composes a primary and a fallback.
   *
   * @param primary the primary
   * @param fallback the fallback
   * @param journalLimit invalidations kept before collapsing into one clear
   */
  public FallbackCacheBackend(CacheBackend primary, CacheBackend fallback, int journalLimit) {
    this.primary = primary;
    this.fallback = fallback;
    this.journal = new OutageJournal(journalLimit);
  }

  @Override
  public String name() {
    return primary.name();
  }

  @Override
  public Optional<Duration> defaultTtl() {
    return primary.defaultTtl();
  }

  /**
   * Runs a read on the primary, or on the fallback during an outage or when the primary fails.
   */
  private <R> Mono<R> read(Function<CacheBackend, Mono<R>> operation) {
    return Mono.defer(() -> {
      if (journal.inOutage()) {
        // Recovery is tried once this operation is done, so it never races the operation it was started by.
        return onFallback(operation).doFinally(signal -> tryRecover());
      }
      return operation.apply(primary).onErrorResume(error -> {
        outageReason.set(String.valueOf(error.getMessage()));
        journal.startOutage();
        return onFallback(operation);
      });
    });
  }

  /**
   * Runs a write or invalidation on the primary; if it cannot, on the fallback, journaling {@code invalidation}
   * for the primary.
   */
  private <R> Mono<R> write(Function<CacheBackend, Mono<R>> operation, OutageJournal.Entry invalidation) {
    return Mono.defer(() -> {
      if (journal.recordIfOutage(invalidation)) {
        return onFallback(operation).doFinally(signal -> {
          journal.fallbackWriteDone();
          tryRecover();
        });
      }
      return operation.apply(primary).onErrorResume(error -> {
        outageReason.set(String.valueOf(error.getMessage()));
        journal.recordFailure(invalidation);
        return onFallback(operation).doFinally(signal -> journal.fallbackWriteDone());
      });
    });
  }

  private <R> Mono<R> onFallback(Function<CacheBackend, Mono<R>> operation) {
    return Mono.defer(() -> {
      fallbacks.increment();
      return operation.apply(fallback);
    });
  }

  /**
   * Starts a recovery attempt if none runs. The attempt runs in the background — callers are served by the
   * fallback meanwhile —: it replays the journal, proves the primary answers, clears the fallback, then ends the
   * outage if nothing new was journaled and no write reached the fallback since the clear (else the next
   * operation, or the write still in flight when it finishes, starts another attempt).
   */
  private void tryRecover() {
    if (!recovering.compareAndSet(false, true)) {
      return;
    }
    List<OutageJournal.Entry> pending = journal.drain();
    Flux.fromIterable(pending)
        .concatMap(entry -> entry.applyTo(primary))
        .then(Mono.defer(() -> primary.exists(RECOVERY_PROBE_KEY)))
        .then(Mono.defer(() -> {
          journal.fallbackClearing();
          return fallback.clear();
        }))
        .subscribe(
            ignored -> {},
            error -> {
              journal.restore(pending);
              outageReason.set(String.valueOf(error.getMessage()));
              recovering.set(false);
            },
            () -> {
              journal.endOutageIfEmpty();
              recovering.set(false);
            });
  }

  /** Probed after the replay, so that a primary with nothing to replay still proves it answers. */
  private static final String RECOVERY_PROBE_KEY = "reactive-cache:recovery-probe";

  @Override
  public <T> Mono<CacheEntry<T>> get(String key, ValueType<T> type) {
    return read(backend -> backend.get(key, type));
  }

  @Override
  public <T> Mono<Map<String, CacheEntry<T>>> getAll(java.util.Collection<String> keys, ValueType<T> type) {
    return read(backend -> backend.getAll(keys, type));
  }

  @Override
  public Mono<Boolean> exists(String key) {
    return read(backend -> backend.exists(key));
  }

  @Override
  public Mono<Void> put(String key, CacheEntry<?> entry) {
    return write(backend -> backend.put(key, entry), OutageJournal.Entry.delete(key));
  }

  @Override
  public Mono<Void> putAll(Map<String, ? extends CacheEntry<?>> entries) {
    return write(backend -> backend.putAll(entries), OutageJournal.Entry.deleteAll(new ArrayList<>(entries.keySet())));
  }

  @Override
  public Mono<Boolean> delete(String key) {
    return write(backend -> backend.delete(key), OutageJournal.Entry.delete(key));
  }

  @Override
  public Mono<Void> clear() {
    return write(CacheBackend::clear, OutageJournal.Entry.clear());
  }

  @Override
  public Mono<Long> deletePattern(KeyPattern pattern) {
    return write(backend -> backend.deletePattern(pattern), OutageJournal.Entry.pattern(pattern));
  }

  @Override
  public Mono<Long> invalidateTag(String tag) {
    return write(backend -> backend.invalidateTag(tag), OutageJournal.Entry.tag(tag));
  }

  @Override
  public Mono<CacheStats> stats() {
    // Counters only grow: while the primary cannot answer, its last snapshot stands in for it, else every
    // counter (and the meters reading them) would drop to the fallback's alone and jump back on recovery.
    Mono<CacheStats> primaryStats = primary.stats()
        .doOnNext(lastPrimaryStats::set)
        .onErrorResume(error -> Mono.fromSupplier(lastPrimaryStats::get));
    return primaryStats.zipWith(fallback.stats(), (main, spare) -> main.plus(spare).plus(new CacheStats(
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, fallbacks.sum(), 0, 0, 0)));
  }

  @Override
  public Mono<CacheHealth> health() {
    if (journal.inOutage()) {
      return Mono.just(CacheHealth.degraded("primary '" + primary.name() + "' unavailable (" + outageReason.get()
          + "); serving from fallback '" + fallback.name() + "'"
          + (journal.size() > 0 ? "; " + journal.size() + " invalidations waiting for recovery" : "")));
    }
    return primary.health().map(health -> health.status() == CacheHealth.Status.DOWN
        ? CacheHealth.degraded(health.reason() + "; fallback '" + fallback.name() + "' ready") : health);
  }

  @Override
  public Mono<Void> close() {
    return primary.close().onErrorResume(error -> Mono.empty()).then(fallback.close());
  }

  @Override
  public String toString() {
    return "FallbackCacheBackend{primary=" + primary.name() + ", fallback=" + fallback.name() + ", outage="
        + journal.inOutage() + '}';
  }
}
