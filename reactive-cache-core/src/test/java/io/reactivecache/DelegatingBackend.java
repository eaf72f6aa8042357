package io.reactivecache;

import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.Invalidation;
import io.reactivecache.spi.KeyPattern;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A backend that forwards to another, with test hooks: gates that hold deletes, or the replies of reads, or puts,
 * until opened (to catch a composition in the middle of a replay, or a read whose reply a change overtakes), and a
 * health to report instead of the delegate's.
 */
final class DelegatingBackend implements CacheBackend {
  private final CacheBackend delegate;
  /** Stands for "every key" among the delete gates (a key never holds a NUL). */
  private static final String ANY_KEY = "\0";
  private final Map<String, Sinks.Empty<Void>> deleteGates = new ConcurrentHashMap<>();
  private final AtomicReference<Sinks.Empty<Void>> readReplyGate = new AtomicReference<>();
  private final AtomicReference<Sinks.Empty<Void>> putGate = new AtomicReference<>();
  private final AtomicReference<CacheHealth> health = new AtomicReference<>();
  private final AtomicReference<Runnable> afterDelete = new AtomicReference<>(() -> {});
  private final AtomicReference<Duration> putDelay = new AtomicReference<>(Duration.ZERO);

  DelegatingBackend(CacheBackend delegate) {
    this.delegate = delegate;
  }

  /** Holds every delete until {@link #openDeletes()}. */
  void holdDeletes() {
    holdDeletesOf(ANY_KEY);
  }

  /** Lets held deletes (and later ones) through. */
  void openDeletes() {
    openDeletesOf(ANY_KEY);
  }

  /** Holds deletes of one key until {@link #openDeletesOf}. */
  void holdDeletesOf(String key) {
    deleteGates.put(key, Sinks.empty());
  }

  /** Lets held deletes of one key (and later ones) through. */
  void openDeletesOf(String key) {
    Sinks.Empty<Void> held = deleteGates.remove(key);
    if (held != null) {
      held.tryEmitEmpty();
    }
  }

  /**
   * Holds the reply of every read until {@link #openReadReplies()}: the read itself is done at once (it sees the
   * store as it is now), only its answer is late, as a network reply overtaken by a later command's effect.
   */
  void holdReadReplies() {
    readReplyGate.set(Sinks.empty());
  }

  /** Lets held read replies (and later ones) through. */
  void openReadReplies() {
    open(readReplyGate);
  }

  /** Holds every put (before it reaches the delegate) until {@link #openPuts()}. */
  void holdPuts() {
    putGate.set(Sinks.empty());
  }

  /** Lets held puts (and later ones) through. */
  void openPuts() {
    open(putGate);
  }

  private static void open(AtomicReference<Sinks.Empty<Void>> gate) {
    Sinks.Empty<Void> held = gate.getAndSet(null);
    if (held != null) {
      held.tryEmitEmpty();
    }
  }

  /** Makes every put wait (real time, on Reactor's parallel scheduler) before it reaches the delegate. */
  void delayPuts(Duration delay) {
    putDelay.set(delay);
  }

  /** Runs an action after each delete the delegate carried out, before the delete's caller hears of it. */
  void afterEachDelete(Runnable action) {
    afterDelete.set(action);
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
    return Mono.defer(() -> {
      Sinks.Empty<Void> gate = readReplyGate.get();
      if (gate == null) {
        return delegate.get(key, type);
      }
      // Read now, answer later: the cached Mono keeps what the store held at this instant.
      Mono<CacheEntry<T>> readNow = delegate.get(key, type).cache();
      readNow.subscribe(ignored -> {}, error -> {});
      return gate.asMono().then(readNow);
    });
  }

  @Override
  public Mono<Void> put(String key, CacheEntry<?> entry) {
    return Mono.defer(() -> {
      Sinks.Empty<Void> gate = putGate.get();
      Duration delay = putDelay.get();
      Mono<Void> put = delay.isZero() ? delegate.put(key, entry) : Mono.delay(delay).then(delegate.put(key, entry));
      return gate == null ? put : gate.asMono().then(put);
    });
  }

  @Override
  public Flux<Invalidation> invalidations() {
    return delegate.invalidations();
  }

  @Override
  public Mono<Boolean> delete(String key) {
    return Mono.defer(() -> {
      Sinks.Empty<Void> gate = deleteGates.getOrDefault(key, deleteGates.get(ANY_KEY));
      Mono<Boolean> delete = delegate.delete(key).doOnSuccess(removed -> afterDelete.get().run());
      return gate == null ? delete : gate.asMono().then(delete);
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
