package io.reactivecache;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import io.reactivecache.spi.CacheEvent;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The seed's cache operations on one backend of a {@link CacheManager}: {@code manager.backend("redis").put(...)}.
 * The manager's own methods act on its default backend.
 *
 * <p>Keys are strings (validated: not null, not empty, no control characters, at most 65,536 characters; a
 * backend that bounds its stored keys, such as Redis, shortens long ones itself without ever letting two keys meet)
 * or {@link CacheKey}s (rendered, and tagged with their
 * model). Values are any object the backend can hold (for Redis: what Jackson can write and read back as the
 * type given on read). All methods are lazy, non-blocking, and signal failures as {@link CacheException}s.
 */
public interface CacheOperations {

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
  <T> Cache<T> cache(String name, ValueType<T> type, CachePolicy policy);
}
