package io.reactivecache;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * A typed view of one backend: values of type {@code T} under keys prefixed with the view's name, read and
 * loaded under one {@link CachePolicy}. Obtained from {@link CacheManager#cache(String, Class)}.
 *
 * <h2>The {@code cachedMono} rules</h2>
 * {@link #get(String, Mono)} and the {@link #cachedMono(String)} operator follow these rules:
 * <ol>
 *   <li>One load per key at a time in this process, however many callers miss at once: they share it.</li>
 *   <li>The load is cancelled only when its last caller cancels; one caller's timeout never fails the others.</li>
 *   <li>Errors reach the callers of that load and are not cached (unless {@link CachePolicy#errorTtl()} is set):
 *       the next call loads again.</li>
 *   <li>An empty result is a result: cached as "absent" for {@link CachePolicy#emptyTtl()}, or not cached.</li>
 *   <li>A write or invalidation of the key while a load runs wins: the callers waiting get the loaded value,
 *       but it is not stored.</li>
 *   <li>Fresh: returned. Stale, within {@link CachePolicy#staleWhileRevalidate()}: returned at once, and one
 *       background refresh starts. Expired: loaded. Loader error with a stale entry within
 *       {@link CachePolicy#staleIfError()}: the stale value is returned.</li>
 *   <li>The loader runs with the Reactor {@code Context} of the caller that started the load. A value that depends
 *       on the context must have a key that does: use {@link #cachedMono(Function)}.</li>
 *   <li>Optional, per {@link CachePolicy}: TTL jitter, probabilistic early refresh, a TTL computed from the value,
 *       soft and hard load timeouts, {@code Flux} caching bounded by {@link CachePolicy#maxElements()}.</li>
 * </ol>
 *
 * <h2>When a loaded value is stored, and read-your-writes</h2>
 * A loaded value is handed to the store and to the waiting callers together: callers do not wait for a remote
 * backend's write to land. Until it has landed, the load stays registered in this process: callers that miss join
 * it and get the value at once, and {@link #get(String)} returns it. So once a caller has received a loaded value,
 * a read of that key on the same instance returns it (or something newer), on every backend. Another instance sees
 * it once the write has landed. A write that fails is skipped (counted in {@link CacheStats#backendFailures()}).
 * A backend failure never reaches a {@code cachedMono} caller: a failed read is a miss, a failed write is
 * skipped, and both are counted in {@link CacheStats#backendFailures()}. The direct operations ({@link #get(String)},
 * {@link #put}, {@link #delete}, …) do signal backend failures, as {@link CacheBackendException}.
 *
 * <p>All methods are lazy and non-blocking, return no {@code null}, and refuse null, empty or control-character
 * keys with {@link InvalidCacheKeyException} (signalled on subscription). Thread-safe.
 *
 * @param <T> the value type
 */
public interface Cache<T> {

  /**
   * Returns the view's name (the prefix of its keys).
   *
   * @return the name
   */
  String name();

  /**
   * Returns the view's policy.
   *
   * @return the policy
   */
  CachePolicy policy();

  /**
   * Reads a value without loading. Fresh and stale values are returned; absent markers are a miss.
   *
   * @param key the key
   * @return the value, or empty on a miss
   */
  Mono<T> get(String key);

  /**
   * Reads a value, loading it with {@code loader} on a miss (the {@code cachedMono} operation).
   *
   * @param key the key
   * @param loader the loader; subscribed at most once per load, never when the value is cached
   * @return the value, or empty when the loader returns empty
   */
  Mono<T> get(String key, Mono<T> loader);

  /**
   * As {@link #get(String, Mono)}, telling how the value was obtained: hit, loaded, coalesced, stale,
   * stale-if-error, or fallback (the backend failed). For callers who log or measure per call; the plain
   * {@link #get(String, Mono)} costs nothing for it.
   *
   * @param key the key
   * @param loader the loader
   * @return the result and how it was obtained
   */
  Mono<CacheResult<T>> getWithOutcome(String key, Mono<T> loader);

  /**
   * Returns an operator for {@link Mono#transform}: {@code repository.findById(id).transform(users.cachedMono(id))}.
   *
   * @param key the key
   * @return the operator; it applies {@link #get(String, Mono)} with the transformed {@code Mono} as loader
   */
  Function<Mono<T>, Mono<T>> cachedMono(String key);

  /**
   * Returns an operator whose key is computed from the subscriber's Reactor {@code Context} (for example a tenant),
   * so values that depend on the context never mix.
   *
   * @param keyFromContext computes the key from the context of each subscriber
   * @return the operator
   */
  Function<Mono<T>, Mono<T>> cachedMono(Function<ContextView, String> keyFromContext);

  /**
   * Reads a cached sequence, loading it with {@code loader} on a miss. The sequence is stored as one entry if it
   * has at most {@link CachePolicy#maxElements()} elements; a longer one reaches its callers but is not stored.
   *
   * @param key the key
   * @param loader the loader
   * @return the elements
   */
  Flux<T> getFlux(String key, Flux<T> loader);

  /**
   * Returns an operator for {@link Flux#transform}: {@code repository.findAll().transform(cache.cachedFlux("all"))}.
   *
   * @param key the key
   * @return the operator
   */
  Function<Flux<T>, Flux<T>> cachedFlux(String key);

  /**
   * Writes a value with the policy's TTL (or the backend's default). Loads of the key in flight will not store
   * their older results.
   *
   * @param key the key
   * @param value the value
   * @return completes once written
   */
  Mono<Void> put(String key, T value);

  /**
   * Writes a value with its own TTL.
   *
   * @param key the key
   * @param value the value
   * @param ttl a positive time to live
   * @return completes once written
   */
  Mono<Void> put(String key, T value, Duration ttl);

  /**
   * Deletes a key; a load of it in flight will not store its result.
   *
   * @param key the key
   * @return true if a value was removed
   */
  Mono<Boolean> delete(String key);

  /**
   * Tells whether a key holds an unexpired entry.
   *
   * @param key the key
   * @return true if it does
   */
  Mono<Boolean> exists(String key);

  /**
   * Reads several keys at once (one round trip where the backend allows).
   *
   * @param keys the keys
   * @return the values found, by key; missing keys are left out
   */
  Mono<Map<String, T>> getAll(Collection<String> keys);

  /**
   * Reads several keys, loading the missing ones with one call of {@code loader}: what is cached is read in one
   * backend round trip; keys whose load is already in flight (a single {@link #get(String, Mono)} or another
   * {@code getAll}) join it; the rest are loaded together, and each loaded key is stored and shared with single
   * callers of that key like any load. Stale keys follow the policy (served and refreshed, or reloaded) one by one.
   *
   * @param keys the keys
   * @param loader gets the keys to load (the caller's keys, without the view's prefix) and returns the values it
   *     found; a key it leaves out is an empty result (cached as absent only with an {@code emptyTtl})
   * @return the values, by key, in the order given; keys without a value are left out
   */
  Mono<Map<String, T>> getAll(Collection<String> keys,
      Function<? super Set<String>, ? extends Mono<? extends Map<String, ? extends T>>> loader);

  /**
   * Writes several values at once with the policy's TTL.
   *
   * @param values the values by key
   * @return completes once written
   */
  Mono<Void> putAll(Map<String, ? extends T> values);

  /**
   * Removes every key of this view.
   *
   * @return how many entries were removed
   */
  Mono<Long> clear();
}
