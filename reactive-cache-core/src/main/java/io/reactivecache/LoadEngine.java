package io.reactivecache;

import io.reactivecache.spi.CacheEntry;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.publisher.SynchronousSink;
import reactor.core.scheduler.Scheduler;
import reactor.util.context.ContextView;

/**
 * The {@code cachedMono} engine for one value type and policy on one backend.
 *
 * <p>Every read, whichever path it takes (a backend that answers on the calling thread or one that answers later),
 * goes through one {@linkplain #decide decision}: fresh → served; fresh but due for early refresh → served and
 * refreshed in the background; stale within {@code staleWhileRevalidate} → served at once and refreshed in the
 * background; stale within {@code staleIfError} → loaded, the stale value kept for a failure or a soft timeout;
 * missing or expired → loaded. A load is a {@link Flight}, shared by every caller that misses while it runs.
 * Backend failures are absorbed: a failed read is a miss, a failed write is skipped; both are counted.
 *
 * @param <T> the value type
 */
final class LoadEngine<T> {
  /** Stands for "the loader returned empty" inside the engine, where Reactor allows no null. */
  static final Object ABSENT = new Object();

  /** A value a load found already stored (by a load that retired just before it started): served, not stored. */
  record Found(Object value) {}

  /** What to do with what a read found. */
  enum Decision {
    /** Serve it. */
    FRESH,
    /** Serve it, and refresh it in the background: probabilistic early refresh chose this read. */
    FRESH_REFRESH_EARLY,
    /** Serve it at once although stale, and refresh it in the background. */
    STALE_REFRESH,
    /** Load, keeping the stale value for a loader failure or a soft timeout. */
    LOAD_OR_STALE,
    /** Load. */
    LOAD
  }

  /** The outcome of one call, recorded only for callers who asked for it. */
  static final class Outcome {
    volatile CacheResult.Outcome value = CacheResult.Outcome.HIT;
    volatile boolean backendFailed;

    CacheResult.Outcome result() {
      CacheResult.Outcome how = value;
      return backendFailed && (how == CacheResult.Outcome.LOADED || how == CacheResult.Outcome.COALESCED)
          ? CacheResult.Outcome.FALLBACK : how;
    }
  }

  private final BackendHandle handle;
  private final ValueType<T> type;
  private final CachePolicy policy;
  private final Predicate<? super T> storable;
  private final boolean synchronousReads;
  /** The name of the view this engine serves, whose caching can be switched off by name; null for none. */
  private final @Nullable String cacheName;

  /**
   * Creates an engine.
   *
   * @param handle the backend
   * @param type the value type
   * @param policy the policy
   * @param storable which loaded values may be stored (others reach their callers but are not stored)
   */
  LoadEngine(BackendHandle handle, ValueType<T> type, CachePolicy policy, Predicate<? super T> storable) {
    this(handle, type, policy, storable, null);
  }

  /**
   * Creates the engine of a view.
   *
   * @param handle the backend
   * @param type the value type
   * @param policy the policy
   * @param storable which loaded values may be stored
   * @param cacheName the view's name: while caching is off for it, calls go straight to the loader
   */
  LoadEngine(BackendHandle handle, ValueType<T> type, CachePolicy policy, Predicate<? super T> storable,
      @Nullable String cacheName) {
    this.handle = handle;
    this.type = type;
    this.policy = policy;
    this.storable = storable;
    this.synchronousReads = handle.readsSynchronously();
    this.cacheName = cacheName;
  }

  CachePolicy policy() {
    return policy;
  }

  /** The same view's engine under another policy (cache warming's spread TTLs); flights are shared with this one. */
  LoadEngine<T> withPolicy(CachePolicy other) {
    return new LoadEngine<>(handle, type, other, storable, cacheName);
  }

  ValueType<T> type() {
    return type;
  }

  long now() {
    return handle.now();
  }

  Scheduler clock() {
    return handle.scheduler();
  }

  // ---- reading without loading ----

  /**
   * Reads a key without loading: fresh and stale values are returned, absent markers are a miss. A value this
   * instance loaded and is still storing is returned as stored (read-your-writes). Backend failures are signalled.
   */
  Mono<T> read(String prefix, String key) {
    return CachedMono.read(this, prefix, key);
  }

  /**
   * Tells whether the backend reads on the calling thread. Then a key is checked in full only when it misses: a key
   * that hits was checked when it was stored, and scanning it for control characters was a tenth of a hit's cost.
   * (Null and empty keys are refused before any read.)
   */
  boolean readsSynchronously() {
    return synchronousReads;
  }

  /**
   * {@code block()} of a {@link CachedMono} on a backend that reads synchronously: a fresh hit (or any plain read)
   * is answered on the calling thread without subscribing; otherwise the decision made on that one read is
   * carried out and blocked on, as {@code Mono.block} would.
   *
   * @param loader the loader, or null for a plain read
   * @param timeout the longest wait, or null for none
   * @return the value, or null for empty
   */
  @Nullable T block(String prefix, String part, @Nullable Mono<T> loader, Set<String> tags,
      @Nullable Duration timeout) {
    if (!handle.allOn() && bypassed(1)) {
      return loader == null ? null : timeout == null ? loader.block() : loader.block(timeout);
    }
    if (loader == null) {
      T value = handle.readValueNow(prefix, part, type);
      if (value == null) {
        KeyRules.checkPart(prefix, part);
      }
      return value;
    }
    long mark = handle.flights().retirementMark(prefix, part);
    long now = handle.now();
    CacheEntry<T> entry = handle.readNow(prefix, part, type, now);
    Decision decision = decide(entry, now);
    if (decision == Decision.FRESH) {
      return entry.isAbsent() ? null : entry.value();
    }
    KeyRules.checkPart(prefix, part);
    Mono<T> result = act(decision, prefix.concat(part), entry, mark, loader, tags, reactor.util.context.Context.empty(),
        null).handle(LoadEngine::unbox);
    return timeout == null ? result.block() : result.block(timeout);
  }

  /** Called by {@link CachedMono} at each subscription of a read. */
  void subscribeRead(CoreSubscriber<? super T> actual, String prefix, String key) {
    if (!handle.allOn() && switchedOff(actual, null)) {
      return;
    }
    if (!synchronousReads) {
      handle.readValue(prefix.concat(key), type).subscribe(actual);
      return;
    }
    T value;
    try {
      value = handle.readValueNow(prefix, key, type);
      if (value == null) {
        KeyRules.checkPart(prefix, key);
      }
    } catch (RuntimeException error) {
      Operators.error(actual, error);
      return;
    }
    if (value == null) {
      Operators.complete(actual);
    } else {
      actual.onSubscribe(Operators.scalarSubscription(actual, value));
    }
  }

  // ---- reading with a loader: the cachedMono operation ----

  /**
   * Reads a key, loading it on a miss.
   *
   * @param key the rendered key
   * @param loader the loader, subscribed at most once per load
   * @param tags tags for the entry besides the policy's (such as a key's model)
   * @return the value, or empty when the loader returned empty
   */
  Mono<T> get(String key, Mono<T> loader, Set<String> tags) {
    return CachedMono.of(this, "", key, loader, tags);
  }

  /** As {@link #get(String, Mono, Set)} for the key {@code prefix + key}, joined only on a miss. */
  Mono<T> get(String prefix, String key, Mono<T> loader, Set<String> tags) {
    return CachedMono.of(this, prefix, key, loader, tags);
  }

  /**
   * As {@link #get}, telling how the value was obtained.
   *
   * @param key the rendered key
   * @param loader the loader
   * @param tags extra tags
   * @return the result and its outcome
   */
  Mono<CacheResult<T>> getWithOutcome(String key, Mono<T> loader, Set<String> tags) {
    return Mono.deferContextual(context -> {
      if (bypassed(1)) {
        return loader.map(value -> new CacheResult<>(value, CacheResult.Outcome.BYPASSED))
            .defaultIfEmpty(new CacheResult<>(null, CacheResult.Outcome.BYPASSED));
      }
      Outcome outcome = new Outcome();
      long mark = handle.flights().retirementMark(key);
      Runnable failed = () -> outcome.backendFailed = true;
      Mono<CacheEntry<T>> read = synchronousReads ? Mono.fromCallable(() -> handle.readNow(key, type, failed))
          : handle.read(key, type, failed);
      return read
          .flatMap(entry -> decideAndAct(key, entry, mark, loader, tags, context, outcome))
          .switchIfEmpty(Mono.defer(() -> decideAndAct(key, null, mark, loader, tags, context, outcome)))
          .map(value -> new CacheResult<>(value == ABSENT ? null : type.cast(value), outcome.result()));
    });
  }

  /** Called by {@link CachedMono} at each subscription. */
  void subscribe(CoreSubscriber<? super T> actual, String prefix, String part, Mono<T> loader, Set<String> tags) {
    if (!handle.allOn() && switchedOff(actual, loader)) {
      return;
    }
    if (synchronousReads) {
      long mark = handle.flights().retirementMark(prefix, part);
      long now = handle.now();
      CacheEntry<T> entry = handle.readNow(prefix, part, type, now);
      if (entry != null && decide(entry, now) == Decision.FRESH) {
        // The hot path: a fresh hit answers without assembling anything.
        if (entry.isAbsent()) {
          Operators.complete(actual);
        } else {
          actual.onSubscribe(Operators.scalarSubscription(actual, entry.value()));
        }
        return;
      }
      try {
        KeyRules.checkPart(prefix, part);
      } catch (InvalidCacheKeyException error) {
        Operators.error(actual, error);
        return;
      }
      String key = prefix.concat(part);
      act(decide(entry, now), key, entry, mark, loader, tags, actual.currentContext(), null)
          .<T>handle(LoadEngine::unbox).subscribe(actual);
      return;
    }
    String key = prefix.concat(part);
    long mark = handle.flights().retirementMark(key);
    ContextView context = actual.currentContext();
    readEntry(key)
        .flatMap(entry -> decideAndAct(key, entry, mark, loader, tags, context, null))
        .switchIfEmpty(Mono.defer(() -> decideAndAct(key, null, mark, loader, tags, context, null)))
        .<T>handle(LoadEngine::unbox)
        .subscribe(actual);
  }

  /**
   * Runtime control at a subscription, off the hot path: fails the call once the backend is gone; with caching off
   * for this view, hands the call to the loader (a read without loader completes empty).
   *
   * @return true if the call was handled here
   */
  private boolean switchedOff(CoreSubscriber<? super T> actual, @Nullable Mono<T> loader) {
    try {
      if (!bypassed(1)) {
        return false;
      }
    } catch (CacheConfigurationException gone) {
      Operators.error(actual, gone);
      return true;
    }
    if (loader == null) {
      Operators.complete(actual);
    } else {
      loader.subscribe(actual);
    }
    return true;
  }

  /**
   * Tells whether this view caches now: caching on for it and its backend.
   *
   * @throws CacheConfigurationException once the backend is gone
   */
  boolean caching() {
    if (handle.allOn()) {
      return true;
    }
    handle.checkInService();
    return handle.caching(cacheName);
  }

  /**
   * Tells whether calls must go around the cache because caching is off for this view or its backend, counting
   * them; checked at each subscription.
   *
   * @param reads how many reads (keys) the call makes
   * @return true if the call goes straight to its loader
   * @throws CacheConfigurationException once the backend is gone (removed from its manager, or closed)
   */
  boolean bypassed(long reads) {
    if (caching()) {
      return false;
    }
    if (policy.recordStats()) {
      handle.countBypassed(reads);
    }
    return true;
  }

  /** Reads the entry of a key for a decision; a backend failure is a counted miss. */
  Mono<CacheEntry<T>> readEntry(String key) {
    if (synchronousReads) {
      return Mono.fromCallable(() -> handle.readNow(key, type));
    }
    return handle.read(key, type);
  }

  private Mono<Object> decideAndAct(String key, @Nullable CacheEntry<T> entry, long mark, Mono<T> loader,
      Set<String> tags, ContextView context, @Nullable Outcome outcome) {
    return act(decide(entry, handle.now()), key, entry, mark, loader, tags, context, outcome);
  }

  /**
   * The one read decision of every path.
   *
   * @param entry what the backend returned, or null for a miss
   * @param now the time now
   * @return what to do
   */
  Decision decide(@Nullable CacheEntry<?> entry, long now) {
    if (entry == null) {
      return Decision.LOAD;
    }
    long freshUntil = entry.freshUntil();
    if (now < freshUntil) {
      return earlyRefreshDue(entry, now) ? Decision.FRESH_REFRESH_EARLY : Decision.FRESH;
    }
    if (now >= entry.expiresAt()) {
      return Decision.LOAD;
    }
    if (now < Durations.add(freshUntil, policy.staleWhileRevalidateMillis)) {
      return Decision.STALE_REFRESH;
    }
    return now < Durations.add(freshUntil, policy.staleIfErrorMillis) ? Decision.LOAD_OR_STALE : Decision.LOAD;
  }

  /**
   * Probabilistic early refresh (XFetch): refresh when {@code now − Δ·β·ln(u) ≥ freshUntil}, u uniform in (0, 1].
   * The random draw is skipped while the entry is so far from its end that no draw could refresh it
   * ({@code −ln(u) < 40} for every double u &gt; 0), so most fresh hits cost a comparison.
   */
  private boolean earlyRefreshDue(CacheEntry<?> entry, long now) {
    double beta = policy.earlyRefresh();
    long loadMillis = entry.loadMillis();
    if (beta == 0.0 || loadMillis == 0 || entry.freshUntil() == CacheEntry.NEVER) {
      return false;
    }
    double scale = loadMillis * beta;
    double remaining = entry.freshUntil() - now;
    if (remaining > scale * 40) {
      return false;
    }
    double u = 1.0 - handle.random().nextDouble(); // (0, 1]
    return -scale * Math.log(u) >= remaining;
  }

  /** Carries out a decision. */
  Mono<Object> act(Decision decision, String key, @Nullable CacheEntry<T> entry, long mark, Mono<T> loader,
      Set<String> tags, ContextView context, @Nullable Outcome outcome) {
    switch (decision) {
      case FRESH:
        return Mono.just(box(entry));
      case FRESH_REFRESH_EARLY:
        refreshInBackground(key, loader, tags, context, entry.expiresAt());
        return Mono.just(box(entry));
      case STALE_REFRESH:
        if (policy.recordStats()) {
          handle.counters().staleServed();
        }
        record(outcome, CacheResult.Outcome.STALE);
        refreshInBackground(key, loader, tags, context,
            Math.min(entry.expiresAt(), Durations.add(entry.freshUntil(), policy.staleWhileRevalidateMillis)));
        return Mono.just(box(entry));
      case LOAD_OR_STALE:
        return load(key, entry, mark, loader, tags, context, outcome);
      default:
        return load(key, null, mark, loader, tags, context, outcome);
    }
  }

  /**
   * Loads, unless an error of this key and policy is still remembered. With a stale entry, a failure (or the soft
   * timeout) serves it instead, within the stale-if-error window.
   */
  Mono<Object> load(String key, @Nullable CacheEntry<T> stale, long mark, Mono<T> loader, Set<String> tags,
      ContextView context, @Nullable Outcome outcome) {
    Throwable remembered = policy.errorTtlMillis == 0 ? null : handle.recallError(key, policy, handle.now());
    Mono<Object> result = remembered != null ? Mono.error(remembered)
        : joinOrStart(key, stale, mark, loader, tags, context, outcome);
    if (stale == null) {
      return result;
    }
    long servableUntil = staleServableUntil(stale);
    return result.onErrorResume(error -> handle.now() < servableUntil
        ? Mono.fromSupplier(() -> serveStale(stale, outcome, CacheResult.Outcome.STALE_IF_ERROR))
        : Mono.error(error));
  }

  private Mono<Object> joinOrStart(String key, @Nullable CacheEntry<T> stale, long mark, Mono<T> loader,
      Set<String> tags, ContextView context, @Nullable Outcome outcome) {
    FlightRegistry flights = handle.flights();
    Flight flight;
    if (!policy.preventStampede()) {
      flight = flights.startUnshared(key, type, allTags(tags));
      record(outcome, CacheResult.Outcome.LOADED);
      flight.start(this, loader, context);
    } else {
      FlightRegistry.Joined joined = flights.join(key, type, allTags(tags));
      flight = joined.flight();
      if (joined.created()) {
        record(outcome, CacheResult.Outcome.LOADED);
        flight.start(this, flights.retiredSince(key, mark) ? storedMeanwhileOr(key, loader) : loader, context);
      } else {
        if (policy.recordStats()) {
          handle.counters().coalesced();
        }
        record(outcome, CacheResult.Outcome.COALESCED);
      }
    }
    Mono<Object> result = flight.result();
    if (stale == null || policy.softTimeoutMillis == 0) {
      return result;
    }
    // Past the soft timeout the caller gets its stale value; the hold (taken before the timeout cancels this
    // caller's wait) keeps the load running for as long as the stale value may be served, so it still lands.
    Mono<Long> softTimeout = Mono.delay(Duration.ofMillis(policy.softTimeoutMillis), handle.scheduler())
        .doOnNext(tick -> flight.holdUntil(this, stale.expiresAt()));
    return result.timeout(softTimeout,
        Mono.fromSupplier(() -> serveStale(stale, outcome, CacheResult.Outcome.STALE)));
  }

  /**
   * Reads the backend again before loading. Used when a flight of the key's stripe retired between this caller's
   * read and its join: the caller may have missed just before that flight's value landed, and must then get it
   * rather than run the loader a second time.
   */
  private Mono<Object> storedMeanwhileOr(String key, Mono<T> loader) {
    return readEntry(key)
        .filter(entry -> handle.now() < entry.freshUntil())
        .<Object>map(entry -> new Found(box(entry)))
        .switchIfEmpty(Mono.defer(() -> loader.map(value -> value)));
  }

  /**
   * Starts one background refresh of a key unless a load of it runs already (or an error of it is remembered).
   * Nobody waits for it: a timed hold keeps it alive until {@code holdUntil}, after which a refresh nobody joined is
   * cancelled, so a hung refresh never locks the key.
   */
  void refreshInBackground(String key, Mono<T> loader, Set<String> tags, ContextView context, long holdUntil) {
    FlightRegistry flights = handle.flights();
    if (flights.isLoading(key, type)
        || (policy.errorTtlMillis != 0 && handle.recallError(key, policy, handle.now()) != null)) {
      return;
    }
    FlightRegistry.Joined joined = flights.join(key, type, allTags(tags));
    Flight refresh = joined.flight();
    if (joined.created()) {
      if (policy.recordStats()) {
        handle.counters().refreshed();
      }
      refresh.holdUntil(this, holdUntil);
      refresh.start(this, loader, context);
    }
    // The join registered this call as a caller; the refresh is held (or was another's), so let go at once.
    refresh.release();
  }

  // ---- what a flight, and the Flux and bulk loads, ask of their engine ----

  FlightRegistry flights() {
    return handle.flights();
  }

  /** Reads several entries in one backend call; a failure reads as all misses, counted. */
  Mono<Map<String, CacheEntry<T>>> readAll(Collection<String> keys) {
    return handle.readAll(keys, type);
  }

  /** Returns the error of this key and policy still remembered, or null. */
  @Nullable Throwable rememberedError(String key) {
    return policy.errorTtlMillis == 0 ? null : handle.recallError(key, policy, handle.now());
  }

  void countCoalesced() {
    if (policy.recordStats()) {
      handle.counters().coalesced();
    }
  }

  /** Until when a stale entry may be served when its load fails (stale-if-error). */
  long staleServableUntil(CacheEntry<?> stale) {
    return Math.min(stale.expiresAt(), Durations.add(stale.freshUntil(), policy.staleIfErrorMillis));
  }

  /** Counts a stale value served because its load failed. */
  void countStaleServed() {
    if (policy.recordStats()) {
      handle.counters().staleServed();
    }
  }

  /** Wraps a load with the policy's hard timeout and the manager's observation. */
  Mono<Object> instrument(Mono<Object> load, String key) {
    Mono<Object> timed = load;
    if (policy.loadTimeoutMillis != 0) {
      Duration timeout = Duration.ofMillis(policy.loadTimeoutMillis);
      timed = load.timeout(timeout, Mono.error(() -> new CacheLoadTimeoutException(key, timeout)),
          handle.scheduler());
    }
    return handle.observer().observe(timed, handle.name(), key);
  }

  void countLoad(boolean success, long millis) {
    if (policy.recordStats()) {
      handle.counters().loaded(success, millis);
    }
  }

  boolean remembersErrors() {
    return policy.errorTtlMillis != 0;
  }

  void rememberError(String key, Set<String> tags, Throwable error) {
    handle.rememberError(key, policy, tags, error);
  }

  /** Stores a loaded entry, unless caching was switched off for this view (or the backend retired) meanwhile. */
  Mono<Void> store(String key, CacheEntry<?> entry) {
    return handle.allOn() || handle.caching(cacheName) ? handle.store(key, entry) : Mono.empty();
  }

  void deleteOvertaken(String key) {
    handle.deleteOvertaken(key);
  }

  /**
   * Makes the entry to store for a loaded value, or null when the policy stores none: empty results without an
   * {@code emptyTtl}, values the view refuses (a sequence over {@code maxElements}), values whose computed TTL is
   * not positive.
   *
   * @param value the value, or {@link #ABSENT}
   * @param loadMillis how long the load took
   * @param tags the entry's tags
   * @return the entry, or null
   */
  @SuppressWarnings("unchecked")
  @Nullable CacheEntry<?> entryToStore(Object value, long loadMillis, Set<String> tags) {
    long ttlMillis;
    if (value == ABSENT) {
      if (policy.emptyTtlMillis == 0) {
        return null;
      }
      ttlMillis = policy.emptyTtlMillis;
    } else {
      if (!storable.test((T) value)) {
        return null;
      }
      ttlMillis = ttlMillisOf(value);
      if (ttlMillis == 0) {
        return null;
      }
    }
    return newEntry(value, handle.now(), ttlMillis, policy, tags, handle.random()).withLoadMillis(loadMillis);
  }

  /** The TTL of a value in ms: computed, the policy's, the backend's default, or -1 for none; 0 = do not store. */
  private long ttlMillisOf(Object value) {
    Function<Object, Duration> ttlOfValue = policy.ttlOfValue().orElse(null);
    if (ttlOfValue != null) {
      Duration ttl = ttlOfValue.apply(value);
      return ttl == null || ttl.isNegative() || ttl.isZero() ? 0 : Durations.toMillis(ttl);
    }
    Duration ttl = policy.ttl().or(handle::defaultTtl).orElse(null);
    return ttl == null ? -1 : Durations.toMillis(ttl);
  }

  /**
   * Makes the entry for a value written now under this engine's policy (a {@code put}).
   *
   * @param value the value, or {@link #ABSENT}
   * @param tags the entry's tags
   * @return the entry
   */
  CacheEntry<?> newEntry(Object value, Set<String> tags) {
    long ttlMillis = value == ABSENT ? policy.emptyTtlMillis : ttlMillisOf(value);
    long now = handle.now();
    if (ttlMillis == 0) {
      // The policy's TTL function said "do not store": an entry already expired, which a backend does not keep
      // (and which removes the key's older value).
      return CacheEntry.of(value, now, now, now, tags);
    }
    return newEntry(value, now, ttlMillis, policy, tags, handle.random());
  }

  /**
   * Makes an entry: fresh for the TTL (shortened by jitter), then servable stale for the policy's stale window.
   *
   * @param value the value, or {@link #ABSENT}
   * @param now the time now (epoch ms)
   * @param ttlMillis the time to live, or a negative number for none
   * @param policy the policy (jitter, stale window)
   * @param tags the entry's tags
   * @param random the source of jitter
   * @return the entry
   */
  static CacheEntry<?> newEntry(Object value, long now, long ttlMillis, CachePolicy policy, Set<String> tags,
      RandomGenerator random) {
    long freshUntil = CacheEntry.NEVER;
    long expiresAt = CacheEntry.NEVER;
    if (ttlMillis >= 0) {
      long ttl = ttlMillis;
      if (policy.ttlJitter() > 0) {
        ttl -= (long) (ttl * policy.ttlJitter() * random.nextDouble());
      }
      freshUntil = Durations.add(now, Math.max(1, ttl));
      expiresAt = Durations.add(freshUntil, policy.staleWindowMillis);
    }
    return value == ABSENT ? CacheEntry.absent(now, freshUntil, expiresAt, tags)
        : CacheEntry.of(value, now, freshUntil, expiresAt, tags);
  }

  Set<String> allTags(Set<String> tags) {
    if (tags.isEmpty()) {
      return policy.tags();
    }
    if (policy.tags().isEmpty()) {
      return tags;
    }
    Set<String> all = new HashSet<>(policy.tags());
    all.addAll(tags);
    return all;
  }

  private Object serveStale(CacheEntry<T> stale, @Nullable Outcome outcome, CacheResult.Outcome how) {
    countStaleServed();
    record(outcome, how);
    return box(stale);
  }

  private static void record(@Nullable Outcome outcome, CacheResult.Outcome value) {
    if (outcome != null) {
      outcome.value = value;
    }
  }

  static Object box(CacheEntry<?> entry) {
    return entry.isAbsent() ? ABSENT : entry.value();
  }

  @SuppressWarnings("unchecked")
  static <T> void unbox(Object value, SynchronousSink<T> sink) {
    if (value != ABSENT) {
      sink.next((T) value);
    }
  }
}
