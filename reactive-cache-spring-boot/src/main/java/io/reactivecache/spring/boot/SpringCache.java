package io.reactivecache.spring.boot;

import io.reactivecache.CacheBackendException;
import io.reactivecache.CacheConfigurationException;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.springframework.cache.Cache;
import reactor.core.publisher.Mono;

/**
 * A Spring {@link Cache} on one typed reactive-cache view. Internal.
 *
 * <ul>
 *   <li>{@link #retrieve(Object, Supplier)} ({@code @Cacheable(sync = true)}) is the view's {@code cachedMono}: one
 *       load per key however many callers miss, stale-while-revalidate, empty results cached as the policy says,
 *       backend failures absorbed (a failed read is a miss, a failed write is skipped).</li>
 *   <li>{@link #retrieve(Object)} ({@code @Cacheable} without sync) reads; a backend failure is a miss, so Spring
 *       calls the method instead of failing the request.</li>
 *   <li>{@link #put}, {@link #evict} and {@link #clear} never block: they start the write and return; reads through
 *       this cache wait for the writes before them (see {@link PendingWrites}).</li>
 *   <li>The synchronous {@link #get} methods would have to block, and are refused with a message saying so.</li>
 * </ul>
 *
 * @param <T> the value type
 */
final class SpringCache<T> implements Cache {
  private final io.reactivecache.Cache<T> view;
  private final PendingWrites writes;

  SpringCache(io.reactivecache.Cache<T> view, PendingWrites writes) {
    this.view = view;
    this.writes = writes;
  }

  @Override
  public String getName() {
    return view.name();
  }

  @Override
  public io.reactivecache.Cache<T> getNativeCache() {
    return view;
  }

  @Override
  public CompletableFuture<?> retrieve(Object key) {
    String stored = SpringCacheKeys.render(key);
    return writes.read(stored, view.get(stored))
        .onErrorResume(CacheBackendException.class, error -> Mono.empty())
        .toFuture();
  }

  @Override
  @SuppressWarnings("unchecked")
  public <V> CompletableFuture<V> retrieve(Object key, Supplier<CompletableFuture<V>> valueLoader) {
    String stored = SpringCacheKeys.render(key);
    // The method runs only when the engine subscribes to the loader: once per load, never on a hit.
    Mono<T> loader = Mono.defer(() -> Mono.fromFuture(valueLoader.get())).map(value -> (T) value);
    return writes.read(stored, view.get(stored, loader)).map(value -> (V) value).toFuture();
  }

  @Override
  @SuppressWarnings("unchecked")
  public void put(Object key, Object value) {
    String stored = SpringCacheKeys.render(key);
    // A method that returned empty says "nothing there": the key is dropped, and the next read loads (and caches
    // the empty result if the policy's empty-ttl says so).
    writes.write(stored, value == null ? view.delete(stored) : view.put(stored, (T) value));
  }

  @Override
  public void evict(Object key) {
    String stored = SpringCacheKeys.render(key);
    writes.write(stored, view.delete(stored));
  }

  @Override
  public boolean evictIfPresent(Object key) {
    evict(key);
    return false;
  }

  @Override
  public void clear() {
    writes.clear(view.clear());
  }

  @Override
  public boolean invalidate() {
    clear();
    return false;
  }

  @Override
  public ValueWrapper get(Object key) {
    throw blocking();
  }

  @Override
  public <V> V get(Object key, Class<V> type) {
    throw blocking();
  }

  @Override
  public <V> V get(Object key, Callable<V> valueLoader) {
    throw blocking();
  }

  @Override
  public ValueWrapper putIfAbsent(Object key, Object value) {
    throw blocking();
  }

  private CacheConfigurationException blocking() {
    return new CacheConfigurationException("Cache '" + view.name() + "' is reactive: it serves methods returning"
        + " Mono, Flux or CompletableFuture, and a synchronous read would block. Make the method return a Mono, or"
        + " give it another cacheManager");
  }

  @Override
  public String toString() {
    return "SpringCache{" + view + '}';
  }
}
