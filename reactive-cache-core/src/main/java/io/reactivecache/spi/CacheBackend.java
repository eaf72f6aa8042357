package io.reactivecache.spi;

import io.reactivecache.CacheHealth;
import io.reactivecache.CacheStats;
import io.reactivecache.ValueType;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A store of {@link CacheEntry entries}: what a backend author implements (memory, Redis, a decorator).
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Lazy</b>: nothing happens before subscription; every subscription performs the operation again.</li>
 *   <li><b>Non-blocking</b>: no method blocks the calling thread or the thread a result is signalled on.</li>
 *   <li><b>No nulls</b>: an empty {@code Mono} from {@link #get} is a miss. Arguments are never null.</li>
 *   <li><b>Expiry</b>: an entry at or past {@link CacheEntry#expiresAt()} (by the backend's clock) is never
 *       returned, nor reported by {@link #exists}.</li>
 *   <li><b>Types</b>: {@link #get} returns only values of the requested type; a stored value of another type, or
 *       one that cannot be decoded, is a miss (counted in {@link CacheStats#invalidPayloads()}), never an error or
 *       a {@link ClassCastException}.</li>
 *   <li><b>Keys</b> are already validated by the caller; a backend may prefix them with its own namespace and
 *       must never touch keys outside it.</li>
 *   <li><b>Errors</b>: an operation that cannot be done signals a {@link io.reactivecache.CacheBackendException}
 *       (or a subtype) whose message says what to do.</li>
 * </ul>
 * Every backend passes the contract suite shipped in core's test-jar ({@code io.reactivecache.testing}),
 * unchanged. New capabilities arrive as {@code default} methods, so existing backends keep compiling.
 */
public interface CacheBackend {

  /**
   * Returns the backend's name, unique within a {@link io.reactivecache.CacheManager}.
   *
   * @return the name
   */
  String name();

  /**
   * Returns the time to live given to values written without one, if the backend was configured with it.
   *
   * @return the default time to live, or empty for "until evicted"
   */
  default Optional<Duration> defaultTtl() {
    return Optional.empty();
  }

  /**
   * Reads the entry for a key.
   *
   * @param key the key
   * @param type the type the caller expects
   * @param <T> the value's type
   * @return the entry (fresh or stale, never expired), or empty on a miss
   */
  <T> Mono<CacheEntry<T>> get(String key, ValueType<T> type);

  /**
   * Tells whether {@link #getNow} may be called: true only for a backend whose reads complete on the calling thread
   * without blocking (an in-process store). Default: false.
   *
   * @return true if {@link #getNow} is supported
   */
  default boolean readsSynchronously() {
    return false;
  }

  /**
   * Reads an entry at once, on the calling thread, with the same meaning and counters as {@link #get}. Lets the
   * engine answer a fresh hit without assembling a reactive chain. Called only when {@link #readsSynchronously()}
   * is true; must never block.
   *
   * @param key the key
   * @param type the type the caller expects
   * @param <T> the value's type
   * @return the entry (fresh or stale, never expired), or empty on a miss
   * @throws io.reactivecache.CacheBackendException if the read fails (for example after close)
   * @throws UnsupportedOperationException if the backend does not read synchronously (the default)
   */
  default <T> Optional<CacheEntry<T>> getNow(String key, ValueType<T> type) {
    throw new UnsupportedOperationException(name() + " does not read synchronously; use get()");
  }

  /**
   * As {@link #getNow(String, ValueType)} for the key {@code prefix + key}, at a time the caller already read from
   * the cache's clock: the engine's hit path, which then neither builds the key nor reads the clock twice. A backend
   * that can look the key up from its two parts, and check expiry at the given time, overrides it; the default
   * joins the parts and calls {@link #getNow(String, ValueType)}.
   *
   * @param prefix the key's first part (a view's prefix), possibly empty
   * @param key the key's second part
   * @param type the type the caller expects
   * @param now the time now (epoch ms) on the cache's clock
   * @param <T> the value's type
   * @return the entry (fresh or stale, never expired at {@code now}), or empty on a miss
   * @throws io.reactivecache.CacheBackendException if the read fails
   * @throws UnsupportedOperationException if the backend does not read synchronously
   */
  default <T> Optional<CacheEntry<T>> getNow(String prefix, String key, ValueType<T> type, long now) {
    return getNow(prefix.isEmpty() ? key : prefix.concat(key), type);
  }

  /**
   * Writes an entry, replacing any previous one. An entry already expired is not written.
   *
   * @param key the key
   * @param entry the entry
   * @return completes once written
   */
  Mono<Void> put(String key, CacheEntry<?> entry);

  /**
   * Removes a key.
   *
   * @param key the key
   * @return true if an entry was removed
   */
  Mono<Boolean> delete(String key);

  /**
   * Tells whether a key holds an unexpired entry (an absent marker counts).
   *
   * @param key the key
   * @return true if an unexpired entry exists
   */
  Mono<Boolean> exists(String key);

  /**
   * Removes every entry of this backend (of its namespace only, for a shared store).
   *
   * @return completes once cleared
   */
  Mono<Void> clear();

  /**
   * Removes every key matching a pattern, within this backend's namespace only.
   *
   * @param pattern the validated pattern, matched against keys as written
   * @return the number of entries removed
   */
  Mono<Long> deletePattern(KeyPattern pattern);

  /**
   * Removes every entry written with a tag (a model name, for model invalidation), without scanning the whole
   * store.
   *
   * @param tag the tag
   * @return the number of entries removed
   */
  Mono<Long> invalidateTag(String tag);

  /**
   * Returns a snapshot of this backend's counters.
   *
   * @return the counters
   */
  Mono<CacheStats> stats();

  /**
   * Reports the backend's health.
   *
   * @return UP, DEGRADED or DOWN with the reason
   */
  default Mono<CacheHealth> health() {
    return Mono.just(CacheHealth.up());
  }

  /**
   * Reads several keys. Backends that can, do it in one round trip.
   *
   * @param keys the keys
   * @param type the type the caller expects
   * @param <T> the value's type
   * @return the entries found, by key, in the order of {@code keys}; missing keys are left out
   */
  default <T> Mono<Map<String, CacheEntry<T>>> getAll(Collection<String> keys, ValueType<T> type) {
    return Flux.fromIterable(keys)
        .distinct()
        .concatMap(key -> get(key, type).map(entry -> Map.entry(key, entry)))
        .collect(LinkedHashMap::new, (map, e) -> map.put(e.getKey(), e.getValue()));
  }

  /**
   * Writes several entries. Backends that can, do it in one round trip.
   *
   * @param entries the entries by key
   * @return completes once all are written
   */
  default Mono<Void> putAll(Map<String, ? extends CacheEntry<?>> entries) {
    return Flux.fromIterable(entries.entrySet())
        .concatMap(e -> put(e.getKey(), e.getValue()))
        .then();
  }

  /**
   * Publishes the invalidations this backend learns of from <em>outside</em> this process: another instance's
   * deletes, pattern deletes, tag invalidations and writes, or "everything" when the backend may have missed some
   * (after a reconnect). The engine subscribes once per manager and treats each exactly like a local delete (an
   * in-flight load of a covered key delivers to its waiting callers but does not store). Invalidations made through
   * this backend by this process must not be published back: the engine already applied them.
   *
   * <p>Contract: hot, never signals an error and never completes while the backend is open (a backend that loses its
   * source publishes {@link Invalidation#all(String)} once it is back); non-blocking. Default: none, for a backend
   * that only this process writes.
   *
   * @return the invalidations from outside
   */
  default Flux<Invalidation> invalidations() {
    return Flux.empty();
  }

  /**
   * Publishes the evictions and expiries this backend carries out by itself ({@link CacheEvent.Type#EVICTED},
   * {@link CacheEvent.Type#EXPIRED}). Invalidations requested through a cache manager are published by the manager,
   * not here. Best effort: hot, bounded, never blocks or slows the backend (a subscriber that does not keep up loses
   * events). Default: none.
   *
   * @return the backend's own events
   */
  default Flux<CacheEvent> events() {
    return Flux.empty();
  }

  /**
   * Releases what the backend created (connections, threads). Resources it was given are left alone. Calls
   * after close fail with a {@link io.reactivecache.CacheBackendException}.
   *
   * @return completes once closed
   */
  Mono<Void> close();
}
