package io.reactivecache;

import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.KeyPattern;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A backend that forwards to another, with two test hooks: a gate that holds deletes until it is opened (to catch
 * a composition in the middle of a replay), and a health to report instead of the delegate's.
 */
final class DelegatingBackend implements CacheBackend {
  private final CacheBackend delegate;
  private final AtomicReference<Sinks.Empty<Void>> deleteGate = new AtomicReference<>();
  private final AtomicReference<CacheHealth> health = new AtomicReference<>();

  DelegatingBackend(CacheBackend delegate) {
    this.delegate = delegate;
  }

  /** Holds every delete until {@link #openDeletes()}. */
  void holdDeletes() {
    deleteGate.set(Sinks.empty());
  }

  /** Lets held deletes (and later ones) through. */
  void openDeletes() {
    Sinks.Empty<Void> gate = deleteGate.getAndSet(null);
    if (gate != null) {
      gate.tryEmitEmpty();
    }
  }

  void reportHealth(CacheHealth reported) {
    health.set(reported);
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public Optional<Duration> defaultTtl() {
    return delegate.defaultTtl();
  }

  @Override
  public <T> Mono<CacheEntry<T>> get(String key, io.reactivecache.ValueType<T> type) {
    return delegate.get(key, type);
  }

  @Override
  public Mono<Void> put(String key, CacheEntry<?> entry) {
    return delegate.put(key, entry);
  }

  @Override
  public Mono<Boolean> delete(String key) {
    return Mono.defer(() -> {
      Sinks.Empty<Void> gate = deleteGate.get();
      return gate == null ? delegate.delete(key) : gate.asMono().then(delegate.delete(key));
    });
  }

  @Override
  public Mono<Boolean> exists(String key) {
    return delegate.exists(key);
  }

  @Override
  public Mono<Void> clear() {
    return delegate.clear();
  }

  @Override
  public Mono<Long> deletePattern(KeyPattern pattern) {
    return delegate.deletePattern(pattern);
  }

  @Override
  public Mono<Long> invalidateTag(String tag) {
    return delegate.invalidateTag(tag);
  }

  @Override
  public Mono<CacheStats> stats() {
    return delegate.stats();
  }

  @Override
  public Mono<CacheHealth> health() {
    return Mono.defer(() -> {
      CacheHealth reported = health.get();
      return reported == null ? delegate.health() : Mono.just(reported);
    });
  }

  @Override
  public Mono<Void> close() {
    return delegate.close();
  }
}
