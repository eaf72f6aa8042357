package io.reactivecache;

import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.KeyPattern;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A backend as the manager uses it: every write and invalidation goes through here so that loads in flight
 * hear of it (a write or invalidation during a load wins over the load's result). Internal.
 */
final class BackendHandle {
  final CacheBackend backend;
  final Scheduler clock;
  final EngineCounters counters = new EngineCounters();
  final InFlightRegistry inFlight = new InFlightRegistry();
  final ErrorMemory errors = new ErrorMemory();
  private final boolean owned;

  /**
   * Wraps a backend.
   *
   * @param backend the backend
   * @param clock the clock every timestamp is read from
   * @param owned true if the manager created the backend and must close it
   */
  public BackendHandle(CacheBackend backend, Scheduler clock, boolean owned) {
    this.backend = backend;
    this.clock = clock;
    this.owned = owned;
  }

  /**
   * Returns the backend.
   *
   * @return the backend
   */
  public CacheBackend backend() {
    return backend;
  }

  /**
   * Returns the backend's name.
   *
   * @return the name
   */
  public String name() {
    return backend.name();
  }

  /**
   * Returns the time now from the clock.
   *
   * @return epoch milliseconds
   */
  public long now() {
    return clock.now(TimeUnit.MILLISECONDS);
  }

  /**
   * Writes an entry; loads of the key in flight will not store their older result.
   *
   * @param key the key
   * @param entry the entry
   * @return completes when written
   */
  public Mono<Void> put(String key, CacheEntry<?> entry) {
    return Mono.defer(() -> {
      errors.forget(key);
      return inFlight.invalidateKey(key).then(backend.put(key, entry));
    });
  }

  /**
   * Writes entries; loads of those keys in flight will not store their older results.
   *
   * @param entries the entries by key
   * @return completes when written
   */
  public Mono<Void> putAll(Map<String, ? extends CacheEntry<?>> entries) {
    return Mono.defer(() -> {
      entries.keySet().forEach(errors::forget);
      return Flux.fromIterable(entries.keySet()).flatMap(inFlight::invalidateKey).then(backend.putAll(entries));
    });
  }

  /**
   * Deletes a key, and invalidates its loads in flight.
   *
   * @param key the key
   * @return true if an entry was removed
   */
  public Mono<Boolean> delete(String key) {
    return Mono.defer(() -> {
      errors.forget(key);
      return inFlight.invalidateKey(key).then(backend.delete(key));
    });
  }

  /**
   * Deletes keys matching a pattern, and invalidates matching loads in flight.
   *
   * @param pattern the pattern
   * @return how many entries were removed
   */
  public Mono<Long> deletePattern(KeyPattern pattern) {
    return Mono.defer(() -> {
      errors.forgetAll();
      return inFlight.invalidatePattern(pattern).then(backend.deletePattern(pattern));
    });
  }

  /**
   * Removes entries tagged with a model, and invalidates loads in flight carrying it.
   *
   * @param tag the tag
   * @return how many entries were removed
   */
  public Mono<Long> invalidateTag(String tag) {
    return Mono.defer(() -> {
      errors.forgetAll();
      return inFlight.invalidateTag(tag).then(backend.invalidateTag(tag));
    });
  }

  /**
   * Clears the backend, and invalidates every load in flight.
   *
   * @return completes when cleared
   */
  public Mono<Void> clear() {
    return Mono.defer(() -> {
      errors.forgetAll();
      return inFlight.invalidateAll().then(backend.clear());
    });
  }

  /**
   * Reads several keys at once, returning present values by the caller's names for them (absent markers and
   * misses are left out).
   *
   * @param byStoredKey the caller's name of each key, by the key stored under
   * @param type the expected type
   * @param <T> the value type
   * @return the values found, by the caller's names, in the order given
   */
  public <T> Mono<Map<String, T>> getValues(Map<String, String> byStoredKey, ValueType<T> type) {
    return backend.getAll(byStoredKey.keySet(), type).map(found -> {
      Map<String, T> values = new LinkedHashMap<>();
      found.forEach((storedKey, entry) -> {
        if (!entry.isAbsent()) {
          values.put(byStoredKey.get(storedKey), entry.value());
        }
      });
      return values;
    });
  }

  /**
   * Checks a TTL given for one write.
   *
   * @param ttl the TTL
   * @return the TTL
   * @throws io.reactivecache.CacheConfigurationException naming {@code ttl} if it is not positive
   */
  public static Duration positiveTtl(Duration ttl) {
    if (ttl == null || ttl.isNegative() || ttl.isZero()) {
      throw io.reactivecache.CacheConfigurationException.invalid("ttl", ttl, "a positive duration");
    }
    return ttl;
  }

  /**
   * Returns the backend's counters plus the engine's.
   *
   * @return the combined snapshot
   */
  public Mono<CacheStats> stats() {
    return backend.stats().map(counters::addTo);
  }

  /**
   * Returns the engine's counters alone, as a snapshot.
   *
   * @return the engine's counters
   */
  public CacheStats engineStats() {
    return counters.addTo(CacheStats.empty());
  }

  /**
   * Closes the backend if the manager created it; a borrowed backend is left open.
   *
   * @return completes when closed
   */
  public Mono<Void> close() {
    return owned ? backend.close() : Mono.empty();
  }
}
