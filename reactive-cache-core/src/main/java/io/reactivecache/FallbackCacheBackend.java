package io.reactivecache;

import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.CacheEvent;
import io.reactivecache.spi.Invalidation;
import io.reactivecache.spi.KeyPattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
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
 * <p>Phases ({@link OutageJournal.Phase}): <i>up</i> (the primary serves; a failure starts an outage), <i>outage</i>
 * (the fallback serves; every write and invalidation is journaled), <i>hand-over</i> (the primary answers again).
 * Recovery, tried in the background by one operation at a time, probes the primary and replays the journal on it,
 * then starts the hand-over: from that instant writes go to the primary and nothing more is journaled, so the last
 * replay (of what was journaled before) has an end however many writes arrive. During the hand-over reads are still
 * served by the fallback, which each write first clears of what it changes: a read never sees a value older than a
 * write that completed. Once the last replay is done, the primary serves reads too.
 *
 * <p>Each outage reads and writes only its own {@link FallbackSlice}. A write of an outage may still be in flight on
 * the fallback when the outage ends; wherever it lands, no later read looks there. The fallback is cleared when an
 * outage ends, so such leftovers take memory only until then (or until the next clear).
 */
final class FallbackCacheBackend implements CacheBackend {
  /** Invalidated keys kept before the journal collapses into one clear. */
  public static final int DEFAULT_JOURNAL_LIMIT = 10_000;

  /** Read before a replay: a primary that cannot answer it is not sent the journal. */
  private static final String RECOVERY_PROBE_KEY = "reactive-cache:recovery-probe";

  private final CacheBackend primary;
  private final CacheBackend fallback;
  private final OutageJournal journal;
  private final AtomicBoolean recovering = new AtomicBoolean();
  /** Set by close(): both halves are closed then, so nothing can be served whatever the outage phase says. */
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicReference<String> outageReason = new AtomicReference<>("");
  private final LongAdder fallbacks = new LongAdder();
  private final AtomicReference<CacheStats> lastPrimaryStats = new AtomicReference<>(CacheStats.empty());

  /**
   * Composes a primary and a fallback.
   *
   * @param primary the primary
   * @param fallback the fallback
   * @param journalLimit invalidated keys kept before collapsing into one clear
   */
  FallbackCacheBackend(CacheBackend primary, CacheBackend fallback, int journalLimit) {
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

  /** Runs a read on the primary, or on the current outage's part of the fallback. */
  private <R> Mono<R> read(Function<CacheBackend, Mono<R>> operation) {
    return Mono.defer(() -> {
      OutageJournal.State state = journal.state();
      if (state.phase() != OutageJournal.Phase.UP) {
        // Recovery is tried once this operation is done, so it never races the operation it was started by.
        return onFallback(state, operation).doFinally(signal -> tryRecover());
      }
      return operation.apply(primary).onErrorResume(error -> {
        outageReason.set(String.valueOf(error.getMessage()));
        return onFallback(journal.primaryFailed(null), operation);
      });
    });
  }

  /**
   * Runs a write or invalidation on the primary, or in an outage on the fallback, journaling {@code invalidation}
   * for the primary. In a hand-over, the fallback first forgets what the write changes, so its reads never return
   * a value older than the write.
   */
  private <R> Mono<R> write(Function<CacheBackend, Mono<R>> operation, OutageJournal.Entry invalidation) {
    return Mono.defer(() -> {
      OutageJournal.State state = journal.journalIfOutage(invalidation);
      return switch (state.phase()) {
        case OUTAGE -> onFallback(state, operation).doFinally(signal -> tryRecover());
        case HANDOVER -> invalidation.applyTo(slice(state)).then(onPrimary(operation, invalidation));
        case UP -> onPrimary(operation, invalidation);
      };
    });
  }

  private <R> Mono<R> onPrimary(Function<CacheBackend, Mono<R>> operation, OutageJournal.Entry invalidation) {
    return operation.apply(primary).onErrorResume(error -> {
      outageReason.set(String.valueOf(error.getMessage()));
      return onFallback(journal.primaryFailed(invalidation), operation);
    });
  }

  private <R> Mono<R> onFallback(OutageJournal.State state, Function<CacheBackend, Mono<R>> operation) {
    return Mono.defer(() -> {
      fallbacks.increment();
      return operation.apply(slice(state));
    });
  }

  private CacheBackend slice(OutageJournal.State state) {
    return new FallbackSlice(fallback, state.outage());
  }

  /**
   * Starts a recovery attempt if an outage is on and no attempt runs. The attempt runs in the background (callers
   * are served by the fallback meanwhile): probe the primary, replay what is journaled, start the hand-over, replay
   * what was journaled meanwhile, end the hand-over, clear the fallback. A failing replay puts back what it took,
   * and the outage goes on; the next operation on the fallback tries again. Probing first keeps an attempt on a
   * primary still down cheap (one call its circuit breaker usually refuses at once), however long the journal.
   */
  private void tryRecover() {
    if (journal.state().phase() != OutageJournal.Phase.OUTAGE || !recovering.compareAndSet(false, true)) {
      return;
    }
    primary.exists(RECOVERY_PROBE_KEY)
        .then(Mono.defer(() -> replayed(journal.drain())))
        .then(Mono.defer(() -> replayed(journal.startHandover())))
        .then(Mono.defer(() -> journal.finishHandover()
            // The ended outage's part of the fallback is never read again; clearing it only frees memory, so a
            // failure to clear costs nothing but that memory until the fallback's own bounds evict it.
            ? fallback.clear().onErrorResume(error -> Mono.empty()) : Mono.<Void>empty()))
        .doFinally(signal -> recovering.set(false))
        .subscribe(ignored -> {}, error -> outageReason.set(String.valueOf(error.getMessage())));
  }

  private Mono<Void> replayed(List<OutageJournal.Entry> entries) {
    return OutageJournal.replay(entries, primary).doOnError(error -> journal.replayFailed(entries));
  }

  @Override
  public <T> Mono<CacheEntry<T>> get(String key, ValueType<T> type) {
    return read(backend -> backend.get(key, type));
  }

  @Override
  public <T> Mono<Map<String, CacheEntry<T>>> getAll(Collection<String> keys, ValueType<T> type) {
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
    return write(backend -> backend.putAll(entries),
        OutageJournal.Entry.deleteAll(new ArrayList<>(entries.keySet())));
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
    if (closed.get()) {
      return Mono.just(CacheHealth.down("the fallback composition of '" + primary.name() + "' and '"
          + fallback.name() + "' is closed"));
    }
    OutageJournal.Phase phase = journal.state().phase();
    if (phase == OutageJournal.Phase.OUTAGE) {
      return Mono.just(CacheHealth.degraded("primary '" + primary.name() + "' unavailable (" + outageReason.get()
          + "); serving from fallback '" + fallback.name() + "'"
          + (journal.size() > 0 ? "; " + journal.size() + " invalidations waiting for recovery" : "")));
    }
    if (phase == OutageJournal.Phase.HANDOVER) {
      return Mono.just(CacheHealth.degraded("primary '" + primary.name() + "' answers again; handing back from"
          + " fallback '" + fallback.name() + "' once the invalidations of the outage are replayed"));
    }
    return primary.health().map(health -> health.status() == CacheHealth.Status.DOWN
        ? CacheHealth.degraded(health.reason() + "; fallback '" + fallback.name() + "' ready") : health);
  }

  /** The primary's: the fallback holds only what this process wrote, so nothing outside can change it. */
  @Override
  public Flux<Invalidation> invalidations() {
    return primary.invalidations();
  }

  /**
   * The primary's evictions and expiries. The fallback's concern entries of one outage, under keys of its own
   * ({@link FallbackSlice}), and would report stand-ins, not the cache's entries.
   */
  @Override
  public Flux<CacheEvent> events() {
    return primary.events();
  }

  @Override
  public Mono<Void> close() {
    return Mono.fromRunnable(() -> closed.set(true))
        .then(primary.close().onErrorResume(error -> Mono.empty()))
        .then(fallback.close());
  }

  @Override
  public String toString() {
    return "FallbackCacheBackend{primary=" + primary.name() + ", fallback=" + fallback.name() + ", state="
        + journal.state() + '}';
  }
}
