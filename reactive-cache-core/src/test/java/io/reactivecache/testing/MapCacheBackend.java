package io.reactivecache.testing;

import io.reactivecache.CacheBackendException;
import io.reactivecache.CacheStats;
import io.reactivecache.ValueType;
import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.Invalidation;
import io.reactivecache.spi.KeyPattern;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * The simplest correct backend: an unbounded map, for core's own tests and as the reference the contract suite
 * is checked against. It can be made to fail on demand ({@link #failWith}), to inject backend faults.
 */
public class MapCacheBackend implements CacheBackend {
  private final String name;
  private final Scheduler clock;
  private final Optional<Duration> defaultTtl;
  private final Map<String, CacheEntry<?>> entries = new ConcurrentHashMap<>();
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
  private final Sinks.Many<Invalidation> outside = Sinks.many().multicast().directBestEffort();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();
  private final AtomicLong puts = new AtomicLong();
  private final AtomicLong deletes = new AtomicLong();
  private final AtomicLong invalid = new AtomicLong();
  /** Counts every operation that reached the backend, failed or not. */
  public final AtomicLong operations = new AtomicLong();

  /**
   * Creates the backend.
   *
   * @param name its name
   * @param clock its clock
   * @param defaultTtl the default TTL, or null
   */
  public MapCacheBackend(String name, Scheduler clock, Duration defaultTtl) {
    this(name, clock, defaultTtl, false);
  }

  /**
   * Creates the backend, optionally answering {@link #getNow} (as an in-process backend does).
   *
   * @param name its name
   * @param clock its clock
   * @param defaultTtl the default TTL, or null
   * @param synchronousReads true to support {@link #getNow}
   */
  public MapCacheBackend(String name, Scheduler clock, Duration defaultTtl, boolean synchronousReads) {
    this.name = name;
    this.clock = clock;
    this.defaultTtl = Optional.ofNullable(defaultTtl);
    this.synchronousReads = synchronousReads;
  }

  private final boolean synchronousReads;

  @Override
  public boolean readsSynchronously() {
    return synchronousReads;
  }

  @Override
  public <T> Optional<CacheEntry<T>> getNow(String key, ValueType<T> type) {
    if (!synchronousReads) {
      return CacheBackend.super.getNow(key, type);
    }
    operations.incrementAndGet();
    if (closed.get()) {
      throw new CacheBackendException(name, "closed: create a new backend");
    }
    RuntimeException error = failure.get();
    if (error != null) {
      throw error;
    }
    return Optional.ofNullable(read(key, type));
  }

  /**
   * Makes every operation fail with the given error, or work again with null.
   *
   * @param error the error, or null
   */
  public void failWith(RuntimeException error) {
    failure.set(error);
  }

  /**
   * Returns the raw entry stored under a key, expired or not, for assertions.
   *
   * @param key the key
   * @return the entry, or null
   */
  public CacheEntry<?> raw(String key) {
    return entries.get(key);
  }

  /**
   * Returns the number of entries held, expired ones included.
   *
   * @return the count
   */
  public int rawSize() {
    return entries.size();
  }

  private long now() {
    return clock.now(TimeUnit.MILLISECONDS);
  }

  private <R> Mono<R> op(java.util.function.Supplier<R> action) {
    return Mono.fromSupplier(() -> {
      operations.incrementAndGet();
      if (closed.get()) {
        throw new CacheBackendException(name, "closed: create a new backend");
      }
      RuntimeException error = failure.get();
      if (error != null) {
        throw error;
      }
      return action.get();
    });
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Optional<Duration> defaultTtl() {
    return defaultTtl;
  }

  @Override
  public <T> Mono<CacheEntry<T>> get(String key, ValueType<T> type) {
    return op(() -> read(key, type));
  }

  private <T> CacheEntry<T> read(String key, ValueType<T> type) {
    CacheEntry<?> entry = entries.get(key);
    if (entry == null || entry.freshness(now()) == CacheEntry.Freshness.EXPIRED) {
      misses.incrementAndGet();
      return null;
    }
    if (!entry.isAbsent() && !type.isInstance(entry.value())) {
      invalid.incrementAndGet();
      misses.incrementAndGet();
      return null;
    }
    hits.incrementAndGet();
    return entry.<T>retype();
  }

  @Override
  public Mono<Void> put(String key, CacheEntry<?> entry) {
    return op(() -> {
      synchronized (outside) {
        if (entry.freshness(now()) != CacheEntry.Freshness.EXPIRED) {
          entries.put(key, entry);
          puts.incrementAndGet();
        } else {
          // Not written, and the key's older value must not outlive this newer write.
          entries.remove(key);
        }
      }
      return null;
    }).then();
  }

  /**
   * Simulates a change made by another process sharing this store: applies it here and publishes it on
   * {@link #invalidations()} in one step, as if notifications took no time to arrive (a real backend's notification
   * can arrive after a write of ours that landed after the change; closing that gap needs the store itself to
   * refuse such writes).
   *
   * @param invalidation what the other process invalidated
   */
  public void invalidateFromOutside(Invalidation invalidation) {
    synchronized (outside) {
      removeWhere((key, entry) -> invalidation.covers(key, entry.tags()));
      outside.tryEmitNext(invalidation);
    }
  }

  /**
   * Simulates another process writing a key: stores the entry and publishes the key's invalidation in one step.
   *
   * @param key the key
   * @param entry what the other process wrote
   */
  public void putFromOutside(String key, CacheEntry<?> entry) {
    synchronized (outside) {
      entries.put(key, entry);
      outside.tryEmitNext(Invalidation.key(key));
    }
  }

  @Override
  public Flux<Invalidation> invalidations() {
    return outside.asFlux();
  }

  @Override
  public Mono<Boolean> delete(String key) {
    return op(() -> {
      boolean removed = entries.remove(key) != null;
      if (removed) {
        deletes.incrementAndGet();
      }
      return removed;
    });
  }

  @Override
  public Mono<Boolean> exists(String key) {
    return op(() -> {
      CacheEntry<?> entry = entries.get(key);
      return entry != null && entry.freshness(now()) != CacheEntry.Freshness.EXPIRED;
    });
  }

  @Override
  public Mono<Void> clear() {
    return op(() -> {
      deletes.addAndGet(entries.size());
      entries.clear();
      return null;
    }).then();
  }

  @Override
  public Mono<Long> deletePattern(KeyPattern pattern) {
    return op(() -> removeWhere((key, entry) -> pattern.matches(key)));
  }

  @Override
  public Mono<Long> invalidateTag(String tag) {
    return op(() -> removeWhere((key, entry) -> entry.tags().contains(tag)));
  }

  private long removeWhere(java.util.function.BiPredicate<String, CacheEntry<?>> which) {
    long removed = 0;
    for (Map.Entry<String, CacheEntry<?>> e : entries.entrySet()) {
      if (which.test(e.getKey(), e.getValue()) && entries.remove(e.getKey(), e.getValue())) {
        removed++;
      }
    }
    deletes.addAndGet(removed);
    return removed;
  }

  @Override
  public Mono<CacheStats> stats() {
    return op(() -> new CacheStats(hits.get(), misses.get(), puts.get(), deletes.get(), 0, 0, 0, 0, 0, 0,
        invalid.get(), 0, 0, 0, entries.size(), -1));
  }

  @Override
  public Mono<Void> close() {
    return Mono.fromRunnable(() -> closed.set(true));
  }
}
