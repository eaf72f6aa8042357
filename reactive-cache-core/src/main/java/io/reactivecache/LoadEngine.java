package io.reactivecache;

import io.reactivecache.spi.CacheEntry;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SynchronousSink;
import reactor.util.context.ContextView;

/**
 * The {@code cachedMono} engine for one value type and policy on one backend. Internal: may change without
 * notice.
 *
 * <p>A read goes: backend entry → fresh: served; stale: served at once with one background refresh
 * (stale-while-revalidate) or loaded with the stale entry kept for stale-if-error; missing or expired: loaded.
 * A load is shared by every caller that misses while it runs and runs with the first caller's
 * {@link ContextView}. Its result is delivered to its callers at once; it is stored only if no write or
 * invalidation of the key happened meanwhile. Backend failures are absorbed: a failed read is a miss, a failed
 * write is skipped; both are counted.
 *
 * @param <T> the value type
 */
final class LoadEngine<T> {
  /** Stands for "the loader returned empty" inside the engine, where Reactor allows no null. */
  static final Object ABSENT = new Object();

  private final BackendHandle handle;
  private final ValueType<T> type;
  private final CachePolicy policy;
  private final Predicate<? super T> storable;

  /**
   * Creates an engine.
   *
   * @param handle the backend
   * @param type the value type
   * @param policy the policy
   * @param storable which loaded values may be stored (others reach their callers but are not stored)
   */
  public LoadEngine(BackendHandle handle, ValueType<T> type, CachePolicy policy, Predicate<? super T> storable) {
    this.handle = handle;
    this.type = type;
    this.policy = policy;
    this.storable = storable;
  }

  /**
   * Reads a key without loading: fresh and stale values are returned, absent markers are a miss.
   *
   * @param key the rendered key
   * @return the value, or empty
   */
  public Mono<T> read(String key) {
    if (handle.backend.readsSynchronously()) {
      return Mono.fromCallable(() -> handle.backend.getNow(key, type)
          .filter(entry -> !entry.isAbsent()).map(CacheEntry::value).orElse(null));
    }
    return handle.backend.get(key, type).handle(LoadEngine::presentValue);
  }

  /**
   * Reads a key, loading it on a miss (the {@code cachedMono} operation).
   *
   * @param key the rendered key
   * @param loader the loader, subscribed at most once per load
   * @param tags tags for the entry besides the policy's (such as a key's model)
   * @return the value, or empty when the loader returned empty
   */
  public Mono<T> get(String key, Mono<T> loader, Set<String> tags) {
    return Mono.deferContextual(context -> {
      Throwable remembered = handle.errors.isEmpty() ? null : handle.errors.recall(key, handle.now());
      if (remembered != null) {
        return Mono.error(remembered);
      }
      long retiredBefore = handle.inFlight.retirements();
      if (handle.backend.readsSynchronously()) {
        return getSynchronously(key, loader, tags, context, retiredBefore);
      }
      return handle.backend.get(key, type)
          .onErrorResume(error -> {
            handle.counters.backendFailures.increment();
            return Mono.empty();
          })
          .flatMap(entry -> serve(key, entry, loader, tags, context, retiredBefore))
          .switchIfEmpty(Mono.defer(() -> load(key, loader, tags, context, retiredBefore)))
          .handle(LoadEngine::unbox);
    });
  }

  /**
   * The same decisions as the reactive path, for a backend that reads on the calling thread: a fresh hit costs one
   * {@code Mono.just}, and the chain is assembled only for a miss or a stale entry.
   */
  private Mono<T> getSynchronously(String key, Mono<T> loader, Set<String> tags, ContextView context,
      long retiredBefore) {
    Optional<CacheEntry<T>> found;
    try {
      found = handle.backend.getNow(key, type);
    } catch (RuntimeException error) {
      handle.counters.backendFailures.increment();
      found = Optional.empty();
    }
    if (found.isEmpty()) {
      return load(key, loader, tags, context, retiredBefore).handle(LoadEngine::unbox);
    }
    CacheEntry<T> entry = found.get();
    if (entry.freshness(handle.now()) == CacheEntry.Freshness.FRESH) {
      return entry.isAbsent() ? Mono.empty() : Mono.just(entry.value());
    }
    return serve(key, entry, loader, tags, context, retiredBefore).handle(LoadEngine::unbox);
  }

  private Mono<Object> serve(String key, CacheEntry<T> entry, Mono<T> loader, Set<String> tags,
      ContextView context, long retiredBefore) {
    long now = handle.now();
    switch (entry.freshness(now)) {
      case FRESH:
        return Mono.just(box(entry));
      case STALE:
        if (policy.staleWhileRevalidate().compareTo(Duration.ZERO) > 0
            && now < entry.freshUntil() + policy.staleWhileRevalidate().toMillis()) {
          count(handle.counters.staleServed);
          refreshInBackground(key, loader, tags, context);
          return Mono.just(box(entry));
        }
        return loadOrServeStale(key, entry, loader, tags, context, retiredBefore);
      default:
        return load(key, loader, tags, context, retiredBefore);
    }
  }

  private Mono<Object> loadOrServeStale(String key, CacheEntry<T> stale, Mono<T> loader, Set<String> tags,
      ContextView context, long retiredBefore) {
    Mono<Object> load = load(key, loader, tags, context, retiredBefore);
    if (policy.staleIfError().isZero()) {
      return load;
    }
    long servableUntil = stale.freshUntil() + policy.staleIfError().toMillis();
    return load.onErrorResume(error -> {
      if (handle.now() < Math.min(servableUntil, stale.expiresAt())) {
        count(handle.counters.staleServed);
        return Mono.just(box(stale));
      }
      return Mono.error(error);
    });
  }

  private Mono<Object> load(String key, Mono<T> loader, Set<String> tags, ContextView context,
      long retiredBefore) {
    if (!policy.preventStampede()) {
      InFlightLoad solo = handle.inFlight.startUnshared(key, allTags(tags));
      solo.start(runLoader(key, loader, solo, () -> handle.inFlight.removeUnshared(solo)).contextWrite(context));
      return solo.result();
    }
    InFlightRegistry.Joined joined = handle.inFlight.join(key, type, allTags(tags));
    if (joined.created()) {
      InFlightLoad shared = joined.load();
      Runnable retire = () -> handle.inFlight.remove(key, type, shared);
      Mono<Object> work = handle.inFlight.retirements() == retiredBefore
          ? runLoader(key, loader, shared, retire)
          : loadUnlessStoredMeanwhile(key, loader, shared, retire);
      shared.start(work.contextWrite(context));
    } else {
      count(handle.counters.coalescedLoads);
    }
    return joined.load().result();
  }

  private void refreshInBackground(String key, Mono<T> loader, Set<String> tags, ContextView context) {
    if (handle.inFlight.isLoading(key, type)) {
      return;
    }
    InFlightRegistry.Joined joined = handle.inFlight.join(key, type, allTags(tags));
    if (!joined.created()) {
      // Another reader started the refresh (or a load) between the check and the join.
      return;
    }
    count(handle.counters.refreshes);
    InFlightLoad refresh = joined.load();
    refresh.start(runLoader(key, loader, refresh, () -> handle.inFlight.remove(key, type, refresh))
        .contextWrite(context));
    // The refresh has no caller of its own; this subscriber keeps it alive whatever foreground callers do.
    joined.load().resultForBackground().subscribe(value -> {}, error -> {});
  }

  /**
   * Reads the backend again before loading. Used when some load retired between this caller's read and its join:
   * the caller may have missed just before that load stored its value (a value is always stored before its load
   * retires), and must then get it rather than run the loader a second time. A stale entry does not count: it is
   * being refreshed. Other misses skip this read, so it costs nothing on the common path.
   */
  private Mono<Object> loadUnlessStoredMeanwhile(String key, Mono<T> loader, InFlightLoad load, Runnable retire) {
    Mono<Object> storedMeanwhile = handle.backend.get(key, type)
        .onErrorResume(error -> Mono.empty())
        .filter(entry -> entry.freshness(handle.now()) == CacheEntry.Freshness.FRESH)
        .map(LoadEngine::box)
        .doOnNext(value -> retire.run());
    return storedMeanwhile.switchIfEmpty(Mono.defer(() -> runLoader(key, loader, load, retire)))
        .doOnCancel(retire::run);
  }

  /** The load itself; {@code retire} takes it out of the registry once its result is stored or dropped. */
  private Mono<Object> runLoader(String key, Mono<T> loader, InFlightLoad load, Runnable retire) {
    return loader
        .<Object>map(value -> value)
        .defaultIfEmpty(ABSENT)
        .doOnNext(value -> {
          count(handle.counters.loadSuccesses);
          store(key, value, load, retire);
        })
        .doOnError(error -> {
          count(handle.counters.loadFailures);
          retire.run();
          if (!policy.errorTtl().isZero()) {
            handle.errors.remember(key, error, handle.now() + policy.errorTtl().toMillis());
          }
        })
        .doOnCancel(retire::run);
  }

  /**
   * Stores a loaded value unless the key was written or invalidated meanwhile, then retires the load. The store
   * runs in the background: callers already have the value.
   */
  private void store(String key, Object value, InFlightLoad load, Runnable retire) {
    if (!policyAllowsStoring(value) || !load.beginStore()) {
      retire.run();
      return;
    }
    handle.backend.put(key, newEntry(value, load.tags))
        .onErrorResume(error -> {
          handle.counters.backendFailures.increment();
          return Mono.empty();
        })
        .doFinally(signal -> {
          // Retire first: endStore() releases invalidations waiting on this store, and what their callers do next
          // (a get) must not find this load still registered.
          retire.run();
          load.endStore();
        })
        .subscribe();
  }

  @SuppressWarnings("unchecked")
  private boolean policyAllowsStoring(Object value) {
    if (value == ABSENT) {
      return !policy.emptyTtl().isZero();
    }
    return storable.test((T) value);
  }

  private Set<String> allTags(Set<String> tags) {
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

  /**
   * Makes the entry for a value written now under this engine's policy.
   *
   * @param value the value, or {@link #ABSENT}
   * @param tags the entry's tags
   * @return the entry
   */
  CacheEntry<?> newEntry(Object value, Set<String> tags) {
    long now = handle.now();
    Optional<Duration> ttl = value == ABSENT ? Optional.of(policy.emptyTtl())
        : policy.ttl().or(handle.backend::defaultTtl);
    return newEntry(value, now, ttl, policy, tags);
  }

  /**
   * Makes an entry: fresh for the TTL (shortened by jitter), then servable stale for the policy's stale window.
   *
   * @param value the value, or {@link #ABSENT}
   * @param now the time now (epoch ms)
   * @param ttl the time to live, empty for none
   * @param policy the policy (jitter, stale window)
   * @param tags the entry's tags
   * @return the entry
   */
  public static CacheEntry<?> newEntry(Object value, long now, Optional<Duration> ttl, CachePolicy policy,
      Set<String> tags) {
    long freshUntil = CacheEntry.NEVER;
    long expiresAt = CacheEntry.NEVER;
    if (ttl.isPresent()) {
      long ttlMillis = ttl.get().toMillis();
      if (policy.ttlJitter() > 0) {
        ttlMillis -= (long) (ttlMillis * policy.ttlJitter() * ThreadLocalRandom.current().nextDouble());
      }
      freshUntil = saturatedAdd(now, Math.max(1, ttlMillis));
      expiresAt = saturatedAdd(freshUntil, policy.staleWindow().toMillis());
    }
    return value == ABSENT ? CacheEntry.absent(now, freshUntil, expiresAt, tags)
        : CacheEntry.of(value, now, freshUntil, expiresAt, tags);
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? CacheEntry.NEVER : Math.min(sum, CacheEntry.NEVER);
  }

  private void count(java.util.concurrent.atomic.LongAdder counter) {
    if (policy.recordStats()) {
      counter.increment();
    }
  }

  private static Object box(CacheEntry<?> entry) {
    return entry.isAbsent() ? ABSENT : entry.value();
  }

  @SuppressWarnings("unchecked")
  private static <T> void unbox(Object value, SynchronousSink<T> sink) {
    if (value != ABSENT) {
      sink.next((T) value);
    }
  }

  private static <T> void presentValue(CacheEntry<T> entry, SynchronousSink<T> sink) {
    if (!entry.isAbsent()) {
      sink.next(entry.value());
    }
  }
}
