package io.reactivecache.memory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The default ({@code ttl}) store: Caffeine bounded by size or by weight (W-TinyLFU) with each entry's own expiry,
 * on the backend's clock.
 *
 * <p>Caffeine runs its maintenance on the calling thread ({@code executor(Runnable::run)}): it then takes its
 * eviction lock only with {@code tryLock}, never parking a Reactor thread, and size bound and listener calls happen
 * before the write returns. The calls that take the lock unconditionally, {@link Cache#cleanUp()} and a resize, are
 * kept off Reactor's non-blocking threads. Every change goes through {@code asMap().compute}, so the listener runs
 * inside Caffeine's per-key critical section, as Caffeine's own eviction listener does.
 */
final class CaffeineStore implements EntryStore {
  private final Cache<String, Stored> cache;
  private final StoreListener listener;
  private final Scheduler clock;
  /** Caffeine's bound, kept here so that a write can be checked against it without asking Caffeine's policy. */
  private volatile long maximum;

  /**
   * Creates the store.
   *
   * @param maximum the bound, at least 1: a number of entries, or a weight when {@code weighted}
   * @param weighted whether the bound is on the holders' {@linkplain Stored#weight() weights}
   * @param clock the backend's clock
   * @param listener hears every change
   */
  CaffeineStore(long maximum, boolean weighted, Scheduler clock, StoreListener listener) {
    this.listener = listener;
    this.clock = clock;
    this.maximum = maximum;
    Caffeine<String, Stored> builder = Caffeine.newBuilder()
        // No expireAfter: Caffeine's variable expiry reads its ticker (our clock) on every read, which made a hit
        // about five times slower in the benchmarks. Reads check expiresAt themselves, and the backend's periodic
        // cleanup sweeps expired entries out (cleanUp), so nothing expired is served or kept for long.
        .executor(Runnable::run)
        .<String, Stored>evictionListener((key, stored, cause) -> {
          if (stored != null) {
            listener.removed(stored, RemovalCause.SIZE);
          }
        });
    if (weighted) {
      builder.maximumWeight(maximum).weigher((String key, Stored stored) -> stored.weight());
    } else {
      builder.maximumSize(maximum);
    }
    this.cache = builder.build();
  }

  @Override
  public @Nullable Stored get(Object key, long now) {
    // asMap().get takes any Object (so KeyParts can find a String key) and records the access like getIfPresent.
    return live(cache.asMap().get(key), now);
  }

  @Override
  public @Nullable Stored peek(String key, long now) {
    return live(cache.policy().getIfPresentQuietly(key), now);
  }

  @Override
  public boolean put(Stored stored, long now) {
    if (stored.weight() > maximum) {
      // Caffeine would admit it and evict it at once, possibly with others; it is refused whole instead.
      return false;
    }
    cache.asMap().compute(stored.key(), (key, old) -> {
      if (old != null) {
        listener.removed(old, old.expiredAt(now) ? RemovalCause.EXPIRED : RemovalCause.REPLACED);
      }
      listener.added(stored);
      return stored;
    });
    return true;
  }

  @Override
  public @Nullable Stored remove(String key, long now) {
    Stored[] removed = {null};
    cache.asMap().computeIfPresent(key, (k, old) -> {
      removed[0] = removeInside(old, now);
      return null;
    });
    return removed[0];
  }

  @Override
  public boolean remove(String key, Stored expected, long now) {
    Stored[] removed = {null};
    cache.asMap().computeIfPresent(key, (k, old) -> {
      if (old != expected) {
        return old;
      }
      removed[0] = removeInside(old, now);
      return null;
    });
    return removed[0] != null;
  }

  @Override
  public List<Stored> removeAll(long now) {
    // Key by key rather than invalidateAll(): that takes Caffeine's eviction lock unconditionally.
    List<Stored> removed = new ArrayList<>();
    for (String key : new ArrayList<>(cache.asMap().keySet())) {
      Stored stored = remove(key, now);
      if (stored != null) {
        removed.add(stored);
      }
    }
    return removed;
  }

  @Override
  public List<Stored> entries(long now) {
    List<Stored> live = new ArrayList<>();
    for (Stored stored : cache.asMap().values()) {
      if (!stored.expiredAt(now)) {
        live.add(stored);
      }
    }
    return live;
  }

  @Override
  public long size() {
    return cache.estimatedSize();
  }

  @Override
  public long weight() {
    // For stats and tests; Caffeine's own weightedSize() would take the eviction lock.
    long total = 0;
    for (Stored stored : cache.asMap().values()) {
      total += stored.weight();
    }
    return total;
  }

  @Override
  public long maximum() {
    return maximum;
  }

  @Override
  public synchronized void resize(long newMaximum, long now) {
    // Under this monitor so that concurrent resizes leave the field and Caffeine agreeing. Caffeine evicts down to
    // the new bound before setMaximum returns, through the eviction listener (cause SIZE).
    maximum = newMaximum;
    cache.policy().eviction().orElseThrow().setMaximum(newMaximum);
  }

  @Override
  public void cleanUp(long now) {
    if (Schedulers.isInNonBlockingThread()) {
      ForkJoinPool.commonPool().execute(this::cleanUpFully);
    } else {
      cleanUpFully();
    }
  }

  private void cleanUpFully() {
    long now = clock.now(TimeUnit.MILLISECONDS);
    for (Stored stored : cache.asMap().values()) {
      if (stored.expiredAt(now)) {
        expire(stored);
      }
    }
    cache.cleanUp();
  }

  /** Removes an expired holder, unless the key was rewritten since (a newer write stays). */
  private void expire(Stored stored) {
    cache.asMap().computeIfPresent(stored.key(), (key, old) -> {
      if (old != stored) {
        return old;
      }
      listener.removed(old, RemovalCause.EXPIRED);
      return null;
    });
  }

  private @Nullable Stored removeInside(Stored old, long now) {
    // Caffeine hides entries it sees expired; this guards the same instant read through two clock units.
    boolean expired = old.expiredAt(now);
    listener.removed(old, expired ? RemovalCause.EXPIRED : RemovalCause.EXPLICIT);
    return expired ? null : old;
  }

  /** The holder if it is live; an expired one is removed at once (counted, and published), as the exact stores do. */
  private @Nullable Stored live(@Nullable Stored stored, long now) {
    if (stored == null) {
      return null;
    }
    if (stored.expiredAt(now)) {
      expire(stored);
      return null;
    }
    return stored;
  }
}
