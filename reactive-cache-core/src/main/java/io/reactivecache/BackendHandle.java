package io.reactivecache;

import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.CacheEvent;
import io.reactivecache.spi.Invalidation;
import io.reactivecache.spi.KeyPattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A backend as the manager uses it. Every write and invalidation goes through here, local or learned from
 * {@link CacheBackend#invalidations()}, so that loads in flight hear of it (rule 5) and remembered errors are
 * forgotten; every read the engine makes goes through here, so that a backend failure is absorbed and counted the
 * same way on every path. It also holds the backend's runtime switches: caching on or off, for the whole backend or
 * for the views of one name, and whether the backend is gone (removed from its manager, or closed when used alone).
 */
final class BackendHandle {
  /** Puts of a bulk write in flight at once: enough to pipeline, few enough not to swamp a remote backend. */
  private static final int BULK_INVALIDATION_CONCURRENCY = 64;

  private final CacheBackend backend;
  private final EngineClock clock;
  private final boolean owned;
  private final EngineCounters counters = new EngineCounters();
  private final FlightRegistry flights = new FlightRegistry();
  private final ErrorMemory errors = new ErrorMemory();
  private final EventPublisher events = new EventPublisher();
  private final LoadObserver observer;
  private final @Nullable RandomGenerator random;
  private final AtomicBoolean listening = new AtomicBoolean();
  private final Disposable.Swap outsideInvalidations = Disposables.swap();
  private final AtomicReference<Switches> switches = new AtomicReference<>(Switches.ON);

  /**
   * The runtime switches, replaced whole on each change. {@link #ON} is the one instance meaning "all on", so the hot
   * path checks them with one volatile read and one comparison.
   *
   * @param enabled caching on for the backend
   * @param disabledCaches names of the views caching is off for
   * @param gone null while the backend is in service, else the message every call now fails with
   */
  private record Switches(boolean enabled, Set<String> disabledCaches, @Nullable String gone) {
    static final Switches ON = new Switches(true, Set.of(), null);

    Switches normalized() {
      return enabled && disabledCaches.isEmpty() && gone == null ? ON : this;
    }
  }

  /**
   * Wraps a backend.
   *
   * @param backend the backend
   * @param clock the clock every timestamp is read from
   * @param owned true if the manager created the backend and must close it
   * @param observer wraps each load (observations), or {@link LoadObserver#NONE}
   * @param random the random source of jitter and early refresh; null for {@code ThreadLocalRandom}
   */
  BackendHandle(CacheBackend backend, EngineClock clock, boolean owned, LoadObserver observer,
      @Nullable RandomGenerator random) {
    this.backend = backend;
    this.clock = clock;
    this.owned = owned;
    this.observer = observer;
    this.random = random;
  }

  String name() {
    return backend.name();
  }

  CacheBackend backend() {
    return backend;
  }

  long now() {
    return clock.now();
  }

  Scheduler scheduler() {
    return clock.scheduler();
  }

  RandomGenerator random() {
    return random != null ? random : java.util.concurrent.ThreadLocalRandom.current();
  }

  LoadObserver observer() {
    return observer;
  }

  EngineCounters counters() {
    return counters;
  }

  FlightRegistry flights() {
    listenForOutsideInvalidations();
    return flights;
  }

  java.util.Optional<Duration> defaultTtl() {
    return backend.defaultTtl();
  }

  boolean readsSynchronously() {
    return backend.readsSynchronously();
  }

  // ---- reads made by the engine: a failure is a counted miss ----

  /** Reads on the calling thread (only when {@link #readsSynchronously()}); a failure is a counted miss. */
  <T> @Nullable CacheEntry<T> readNow(String key, ValueType<T> type) {
    try {
      return backend.getNow(key, type).orElse(null);
    } catch (RuntimeException error) {
      counters.backendFailed();
      return null;
    }
  }

  /** As {@link #readNow(String, ValueType)} for the key {@code prefix + key} at a time already read. */
  <T> @Nullable CacheEntry<T> readNow(String prefix, String key, ValueType<T> type, long now) {
    try {
      return backend.getNow(prefix, key, type, now).orElse(null);
    } catch (RuntimeException error) {
      counters.backendFailed();
      return null;
    }
  }

  /** As {@link #readNow(String, ValueType)}, telling {@code onFailure} when the read failed. */
  <T> @Nullable CacheEntry<T> readNow(String key, ValueType<T> type, Runnable onFailure) {
    try {
      return backend.getNow(key, type).orElse(null);
    } catch (RuntimeException error) {
      counters.backendFailed();
      onFailure.run();
      return null;
    }
  }

  /** Reads an entry; a failure is a counted miss. */
  <T> Mono<CacheEntry<T>> read(String key, ValueType<T> type) {
    return backend.get(key, type).onErrorResume(error -> {
      counters.backendFailed();
      return Mono.empty();
    });
  }

  /** As {@link #read(String, ValueType)}, telling {@code onFailure} when the read failed. */
  <T> Mono<CacheEntry<T>> read(String key, ValueType<T> type, Runnable onFailure) {
    return backend.get(key, type).onErrorResume(error -> {
      counters.backendFailed();
      onFailure.run();
      return Mono.empty();
    });
  }

  /** Reads several entries in one call; a failure reads as all misses, counted. */
  <T> Mono<Map<String, CacheEntry<T>>> readAll(Collection<String> keys, ValueType<T> type) {
    return backend.getAll(keys, type).onErrorResume(error -> {
      counters.backendFailed();
      return Mono.just(Map.of());
    });
  }

  /** Stores what a load produced; a failure is counted and skipped (the callers already have the value). */
  Mono<Void> store(String key, CacheEntry<?> entry) {
    return backend.put(key, entry).onErrorResume(error -> {
      counters.backendFailed();
      return Mono.empty();
    });
  }

  /** Deletes what a load stored after another process invalidated the key during the store. */
  void deleteOvertaken(String key) {
    backend.delete(key).onErrorResume(error -> {
      counters.backendFailed();
      return Mono.empty();
    }).subscribe();
  }

  // ---- direct reads: failures are signalled ----

  /**
   * Reads a present value for a caller, the newest this instance knows: a loaded value whose store has not landed
   * yet is returned as if it had (read-your-writes). Absent markers are a miss.
   */
  <T> Mono<T> readValue(String key, ValueType<T> type) {
    Object beingStored = flights.valueBeingStored(key, type);
    if (beingStored != null) {
      return beingStored == LoadEngine.ABSENT ? Mono.empty() : Mono.just(type.cast(beingStored));
    }
    return backend.get(key, type).handle((entry, sink) -> {
      if (!entry.isAbsent()) {
        sink.next(entry.value());
      }
    });
  }

  /**
   * As {@link #readValue}, synchronously, for a backend that {@linkplain #readsSynchronously() can}, for the key
   * {@code prefix + key} (joined only if a load is in flight).
   */
  <T> @Nullable T readValueNow(String prefix, String key, ValueType<T> type) {
    if (!flights.isEmpty()) {
      Object beingStored = flights.valueBeingStored(prefix.concat(key), type);
      if (beingStored != null) {
        return beingStored == LoadEngine.ABSENT ? null : type.cast(beingStored);
      }
    }
    CacheEntry<T> entry = backend.getNow(prefix, key, type, now()).orElse(null);
    return entry == null || entry.isAbsent() ? null : entry.value();
  }

  /** Reads several present values, by the caller's names (absent markers and misses are left out). */
  <T> Mono<Map<String, T>> readValues(Map<String, String> byStoredKey, ValueType<T> type) {
    return backend.getAll(byStoredKey.keySet(), type).map(found -> {
      Map<String, T> values = new LinkedHashMap<>();
      for (Map.Entry<String, String> key : byStoredKey.entrySet()) {
        Object beingStored = flights.valueBeingStored(key.getKey(), type);
        CacheEntry<T> entry = found.get(key.getKey());
        if (beingStored != null) {
          if (beingStored != LoadEngine.ABSENT) {
            values.put(key.getValue(), type.cast(beingStored));
          }
        } else if (entry != null && !entry.isAbsent()) {
          values.put(key.getValue(), entry.value());
        }
      }
      return values;
    });
  }

  Mono<Boolean> exists(String key) {
    return backend.exists(key);
  }

  // ---- writes and invalidations: loads in flight hear of them first ----

  /** Writes an entry; loads of the key in flight will not store their older result. */
  Mono<Void> put(String key, CacheEntry<?> entry) {
    Mono<Void> write = backend.put(key, entry);
    // Nearly always nothing is in flight and no error is remembered: the write alone, without assembling the
    // invalidation (a put was 0.02x a raw Caffeine put, 871 B/op, before this shortcut).
    return Mono.defer(() -> nothingToInvalidate() ? write : invalidated(Invalidation.key(key)).then(write));
  }

  private boolean nothingToInvalidate() {
    return flights.isEmpty() && errors.isEmpty();
  }

  /** Writes entries; loads of those keys in flight will not store their older results. */
  Mono<Void> putAll(Map<String, ? extends CacheEntry<?>> entries) {
    return Flux.fromIterable(new ArrayList<>(entries.keySet()))
        .flatMap(key -> invalidated(Invalidation.key(key)), BULK_INVALIDATION_CONCURRENCY)
        .then(Mono.defer(() -> backend.putAll(entries)));
  }

  /** Deletes a key; a load of it in flight will not store its result. */
  Mono<Boolean> delete(String key) {
    return invalidated(Invalidation.key(key)).then(backend.delete(key)).doOnNext(removed -> {
      if (removed) {
        events.publish(CacheEvent.Type.INVALIDATED, CacheEvent.Cause.DELETE, key);
      }
    });
  }

  /** Deletes the keys a pattern matches, and invalidates matching loads in flight. */
  Mono<Long> deletePattern(KeyPattern pattern) {
    return invalidated(Invalidation.pattern(pattern)).then(backend.deletePattern(pattern))
        .doOnNext(removed -> events.publish(CacheEvent.Type.INVALIDATED, CacheEvent.Cause.PATTERN, pattern.glob()));
  }

  /** Removes entries carrying a tag, and invalidates loads in flight carrying it. */
  Mono<Long> invalidateTag(String tag) {
    return invalidated(Invalidation.tag(tag)).then(backend.invalidateTag(tag))
        .doOnNext(removed -> events.publish(CacheEvent.Type.INVALIDATED, CacheEvent.Cause.TAG, tag));
  }

  /** Clears the backend, and invalidates every load in flight. */
  Mono<Void> clear() {
    return invalidated(Invalidation.all("clear")).then(backend.clear())
        .doOnSuccess(done -> events.publish(CacheEvent.Type.INVALIDATED, CacheEvent.Cause.CLEAR, "clear"));
  }

  /**
   * Applies an invalidation to what this process holds (loads in flight, remembered errors), completing once
   * stores already under way have landed, so the caller's own operation lands after them.
   */
  private Mono<Void> invalidated(Invalidation invalidation) {
    return Mono.defer(() -> flights.invalidate(invalidation, false)
        .then(Mono.fromRunnable(() -> errors.forget(invalidation))));
  }

  /** Subscribes, once, to the invalidations the backend learns of from outside this process. */
  private void listenForOutsideInvalidations() {
    if (listening.get() || !listening.compareAndSet(false, true)) {
      return;
    }
    outsideInvalidations.update(backend.invalidations().subscribe(invalidation -> {
      flights.invalidate(invalidation, true).subscribe();
      errors.forget(invalidation);
      events.publish(CacheEvent.Type.INVALIDATED, CacheEvent.Cause.REMOTE, invalidation.target());
    }, error -> counters.backendFailed()));
  }

  // ---- remembered errors ----

  void rememberError(String key, CachePolicy policy, Set<String> tags, Throwable error) {
    errors.remember(key, policy, tags, error, now());
  }

  @Nullable Throwable recallError(String key, CachePolicy policy, long now) {
    return errors.recall(key, policy, now);
  }

  // ---- runtime control ----

  /** Tells whether every switch is on: caching enabled for the backend and every view, and the backend in service. */
  boolean allOn() {
    return switches.get() == Switches.ON;
  }

  /**
   * Tells whether values are read from and stored in the backend for the views named {@code cache} (null: the
   * backend's own operations); false once the backend is gone.
   */
  boolean caching(@Nullable String cache) {
    Switches now = switches.get();
    return now == Switches.ON
        || (now.gone() == null && now.enabled() && (cache == null || !now.disabledCaches().contains(cache)));
  }

  /** Throws the {@link CacheConfigurationException} every call gets once the backend is gone. */
  void checkInService() {
    String gone = switches.get().gone();
    if (gone != null) {
      throw new CacheConfigurationException(gone);
    }
  }

  /**
   * Runs a direct operation: fails once the backend is gone, runs {@code off} instead of {@code on} while caching is
   * off for the views named {@code cache} (null: the backend's own operations). Called inside {@code Mono.defer}.
   */
  <R> Mono<R> gated(@Nullable String cache, Supplier<Mono<R>> on, Supplier<Mono<R>> off) {
    if (allOn()) {
      return on.get();
    }
    checkInService();
    return caching(cache) ? on.get() : off.get();
  }

  /** Counts reads that went around a disabled cache. */
  void countBypassed(long reads) {
    counters.bypassed(reads);
  }

  /**
   * Turns caching on or off for the backend ({@code cache} null) or for the views of one name. Turning it off
   * completes once no load can store any more: loads in flight deliver to their callers but store nothing, and
   * stores already under way have landed.
   */
  Mono<Void> switchCaching(@Nullable String cache, boolean on) {
    return Mono.defer(() -> {
      checkInService();
      switches.updateAndGet(now -> {
        if (cache == null) {
          return new Switches(on, now.disabledCaches(), now.gone()).normalized();
        }
        Set<String> disabled = new HashSet<>(now.disabledCaches());
        if (on) {
          disabled.remove(cache);
        } else {
          disabled.add(cache);
        }
        return new Switches(now.enabled(), Set.copyOf(disabled), now.gone()).normalized();
      });
      if (on) {
        return Mono.empty();
      }
      return invalidated(cache == null ? Invalidation.all("caching disabled")
          : Invalidation.pattern(KeyPattern.prefix(DefaultCache.prefixOf(cache))));
    });
  }

  /**
   * Takes the backend out of service for good: every later call fails with a {@link CacheConfigurationException}
   * saying {@code reason}; loads in flight deliver to their callers but store nothing. Completes once stores already
   * under way have landed and the backend is closed (if owned).
   */
  Mono<Void> retire(String reason) {
    return Mono.defer(() -> {
      Switches before = switches.getAndUpdate(now -> now.gone() != null ? now
          : new Switches(now.enabled(), now.disabledCaches(), reason));
      if (before.gone() != null) {
        return Mono.error(new CacheConfigurationException(before.gone()));
      }
      return flights.invalidate(Invalidation.all("backend retired"), false).then(close());
    });
  }

  // ---- stats, events, health, close ----

  /** Returns the backend's counters plus the engine's. */
  Mono<CacheStats> stats() {
    return backend.stats().map(counters::addTo);
  }

  /** Returns the engine's counters alone, as a snapshot. */
  CacheStats engineStats() {
    return counters.addTo(CacheStats.empty());
  }

  Flux<CacheEvent> events() {
    return Flux.defer(() -> {
      listenForOutsideInvalidations();
      return Flux.merge(events.flux(), backend.events());
    });
  }

  Mono<io.reactivecache.CacheHealth> health() {
    return backend.health();
  }

  /** Closes the backend if the manager created it; a borrowed backend is left open. */
  Mono<Void> close() {
    return Mono.defer(() -> {
      outsideInvalidations.dispose();
      events.complete();
      return owned ? backend.close() : Mono.empty();
    });
  }

  /**
   * Checks a TTL given for one write.
   *
   * @param ttl the TTL
   * @return the TTL
   * @throws CacheConfigurationException naming {@code ttl} if it is not positive
   */
  static Duration positiveTtl(@Nullable Duration ttl) {
    if (ttl == null || ttl.isNegative() || ttl.isZero()) {
      throw CacheConfigurationException.invalid("ttl", ttl, "a positive duration");
    }
    return ttl;
  }
}
