package io.reactivecache;

import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheEvent;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The seed's cache operations on one backend: of a {@link CacheManager} ({@code manager.backend("redis").put(...)};
 * the manager's own methods act on its default backend), or of a backend used alone, without a manager
 * ({@code CacheOperations.of(backend)}).
 *
 * <p>Keys are strings (validated: not null, not empty, no control characters, at most 65,536 characters; a
 * backend that bounds its stored keys, such as Redis, shortens long ones itself without ever letting two keys meet)
 * or {@link CacheKey}s (rendered, and tagged with their
 * model). Values are any object the backend can hold (for Redis: what Jackson can write and read back as the
 * type given on read). All methods are lazy, non-blocking, and signal failures as {@link CacheException}s.
 *
 * <p>Caching can be switched off and on at run time ({@link #disable()}, {@link #enable()}); while it is off, reads
 * miss, writes remove the key's older value instead of storing, and invalidations apply as usual. Once the backend
 * is removed from its manager (or these standalone operations are closed), every operation fails with a
 * {@link CacheConfigurationException}.
 */
public interface CacheOperations {

  /**
   * Gives a backend used alone, without a manager, the same operations a manager's backend has (the seed's
   * {@code MemoryCache(...)} or {@code RedisCache(...)} used directly): typed reads and writes, typed views with
   * {@code cachedMono}, stats, runtime switches. Writes go through the same engine as a manager's, so they reach
   * loads in flight. Time is read from {@link reactor.core.scheduler.Schedulers#parallel()}, as the backends' own
   * default clock; use {@link #of(CacheBackend, Scheduler)} for a backend built with another clock.
   *
   * <pre>{@code
   * CacheOperations cache = CacheOperations.of(MemoryCacheBackend.builder().maximumSize(5_000)
   *     .defaultTtl(Duration.ofMinutes(5)).build());
   * cache.put("key1", "value1", Duration.ofSeconds(60)).then(cache.get("key1", String.class))...
   * cache.close();   // closes the backend
   * }</pre>
   *
   * @param backend the backend; the operations own it: {@link #close()} closes it
   * @return the operations
   * @throws CacheConfigurationException if the backend is null
   */
  static CacheOperations of(CacheBackend backend) {
    return of(backend, null);
  }

  /**
   * As {@link #of(CacheBackend)}, reading time from a given clock: the one the backend was built with (tests pass a
   * {@code VirtualTimeScheduler}).
   *
   * @param backend the backend; the operations own it
   * @param clock the clock, or null for real time
   * @return the operations
   * @throws CacheConfigurationException if the backend is null
   */
  static CacheOperations of(CacheBackend backend, @Nullable Scheduler clock) {
    if (backend == null) {
      throw CacheConfigurationException.invalid("backend", "null", "a backend to use alone");
    }
    BackendHandle handle = new BackendHandle(backend, clock == null ? EngineClock.realTime() : EngineClock.of(clock),
        true, LoadObserver.NONE, null);
    return new BackendOperations(handle, CachePolicy.defaults(), true);
  }

  /**
   * Returns the backend's name.
   *
   * @return the name
   */
  String backendName();

  /**
   * Writes a value with the backend's default TTL (none if it has none).
   *
   * @param key the key
   * @param value the value
   * @return completes once written
   */
  Mono<Void> put(String key, Object value);

  /**
   * Writes a value with a TTL.
   *
   * @param key the key
   * @param value the value
   * @param ttl a positive time to live
   * @return completes once written
   */
  Mono<Void> put(String key, Object value, Duration ttl);

  /**
   * Writes a value under a structured key, tagged with its model.
   *
   * @param key the key
   * @param value the value
   * @param ttl a positive time to live
   * @return completes once written
   */
  Mono<Void> put(CacheKey key, Object value, Duration ttl);

  /**
   * Reads a value of a type.
   *
   * @param key the key
   * @param type the expected type; a value of another type is a miss
   * @param <T> the value's type
   * @return the value, or empty on a miss
   */
  <T> Mono<T> get(String key, Class<T> type);

  /**
   * Reads a value of a generic type.
   *
   * @param key the key
   * @param type the expected type, such as {@code new ValueType<List<User>>() {}}
   * @param <T> the value's type
   * @return the value, or empty on a miss
   */
  <T> Mono<T> get(String key, ValueType<T> type);

  /**
   * Reads a value under a structured key.
   *
   * @param key the key
   * @param type the expected type
   * @param <T> the value's type
   * @return the value, or empty on a miss
   */
  <T> Mono<T> get(CacheKey key, ValueType<T> type);

  /**
   * Deletes a key.
   *
   * @param key the key
   * @return true if a value was removed
   */
  Mono<Boolean> delete(String key);

  /**
   * Deletes a structured key.
   *
   * @param key the key
   * @return true if a value was removed
   */
  Mono<Boolean> delete(CacheKey key);

  /**
   * Tells whether a key holds an unexpired entry.
   *
   * @param key the key
   * @return true if it does
   */
  Mono<Boolean> exists(String key);

  /**
   * Tells whether a structured key holds an unexpired entry.
   *
   * @param key the key
   * @return true if it does
   */
  Mono<Boolean> exists(CacheKey key);

  /**
   * Removes every entry of this backend.
   *
   * @return completes once cleared
   */
  Mono<Void> clear();

  /**
   * Removes the keys matching a glob pattern ({@code *}, {@code ?}, {@code [..]}, {@code \} escapes), within
   * this backend only. A malformed pattern is refused with {@link InvalidCacheKeyException}.
   *
   * @param pattern the pattern, such as {@code "res.partner:*"}
   * @return how many entries were removed
   */
  Mono<Long> deletePattern(String pattern);

  /**
   * Removes every entry tagged with a model: written under a {@link CacheKey} with that model, or through a view
   * or function whose policy carries the tag.
   *
   * @param model the model, such as {@code "res.partner"}
   * @return how many entries were removed
   */
  Mono<Long> invalidateTag(String model);

  /**
   * Returns this backend's counters, plus those of the loads run on it.
   *
   * @return the counters
   */
  Mono<CacheStats> stats();

  /**
   * Returns this backend's health.
   *
   * @return UP, DEGRADED or DOWN with a reason
   */
  Mono<CacheHealth> health();

  /**
   * Publishes what happens to this backend's entries: evictions and expiries the backend reports, invalidations
   * made through this manager (delete, pattern delete, tag invalidation, clear) and those the backend learns of
   * from other processes. Best effort: each subscriber has a bounded buffer and loses its oldest events when it
   * does not keep up; the cache never waits for a subscriber. For logs and diagnostics, not for correctness.
   *
   * @return the events, hot, until the manager is closed
   */
  Flux<CacheEvent> events();

  /**
   * Reads several keys at once.
   *
   * @param keys the keys
   * @param type the expected type
   * @param <T> the value's type
   * @return the values found, by key
   */
  <T> Mono<Map<String, T>> getAll(Collection<String> keys, Class<T> type);

  /**
   * Writes several values at once, with one TTL.
   *
   * @param values the values by key
   * @param ttl a positive time to live
   * @return completes once written
   */
  Mono<Void> putAll(Map<String, ?> values, Duration ttl);

  /**
   * Returns a typed view of this backend with the manager's default policy.
   *
   * @param name the view's name, the prefix of its keys
   * @param type the value type
   * @param <T> the value type
   * @return the view
   */
  <T> Cache<T> cache(String name, Class<T> type);

  /**
   * Returns a typed view of this backend.
   *
   * @param name the view's name, the prefix of its keys
   * @param type the value type
   * @param policy how values are loaded and served
   * @param <T> the value type
   * @return the view
   */
  default <T> Cache<T> cache(String name, Class<T> type, CachePolicy policy) {
    return cache(name, ValueType.of(type), policy);
  }

  /**
   * Returns a typed view of this backend.
   *
   * @param name the view's name, the prefix of its keys
   * @param type the value type
   * @param policy how values are loaded and served
   * @param <T> the value type
   * @return the view
   */
  <T> Cache<T> cache(String name, ValueType<T> type, CachePolicy policy);

  /**
   * Returns a cache of query results on this backend: rows, counts and first rows, each under a key generated from
   * a {@link QueryKey} and tagged with its model.
   *
   * @param type the row type
   * @param policy how results are loaded and served (TTL, stale windows, ...)
   * @param <T> the row type
   * @return the query cache
   */
  <T> QueryCache<T> queries(Class<T> type, CachePolicy policy);

  /**
   * Turns caching off for this backend and every view on it, at run time, until {@link #enable()}: every
   * {@code cachedMono}/{@code cachedFlux} call goes straight to its loader and {@link #get} misses (both counted in
   * {@link CacheStats#bypassed()}), nothing is read or stored, a write removes the key's older value instead of
   * storing the new one, and invalidations still apply. Loads in flight deliver to their callers but do not store.
   * For an incident, or a bulk import behind the cache's back.
   *
   * @return completes once no load can store any more (stores already under way have landed)
   */
  Mono<Void> disable();

  /**
   * Turns caching back on for this backend (views switched off by name stay off). Entries cached before are served
   * again if still fresh (writes and invalidations made meanwhile removed theirs); {@link #clear()} first if the
   * source changed behind the cache's back.
   *
   * @return completes once caching is on
   */
  Mono<Void> enable();

  /**
   * Tells whether caching is on for this backend and the backend is in service.
   *
   * @return true if on
   */
  boolean isEnabled();

  /**
   * Returns the backend object behind these operations, for what only that kind of backend offers, such as resizing
   * a memory backend at run time: {@code manager.backend("memory").unwrap(MemoryCacheBackend.class).resize(5_000)}.
   * Reads and writes made on it directly bypass the engine (loads in flight do not hear of them); use these
   * operations for those.
   *
   * @param type the backend's class, or an interface it implements
   * @param <B> the backend's type
   * @return the backend, as added (a composition such as {@link CacheBackends#withFallback} is its own class)
   * @throws CacheConfigurationException if the backend is not of that type, or is gone
   */
  <B> B unwrap(Class<B> type);

  /**
   * Closes standalone operations ({@link #of(CacheBackend)}) and their backend: loads in flight deliver to their
   * callers but do not store, later calls fail with a {@link CacheConfigurationException}. A manager's backend is
   * closed by its manager: this fails with a {@link CacheConfigurationException} saying so
   * ({@link CacheManager#removeBackend(String)} takes one backend out).
   *
   * @return completes once the backend is closed
   */
  Mono<Void> close();
}
