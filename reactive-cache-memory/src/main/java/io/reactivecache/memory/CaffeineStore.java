package io.reactivecache.memory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The default ({@code ttl}) store: Caffeine bounded by size (W-TinyLFU) with each entry's own expiry, on the
 * backend's clock.
 *
 * <p>Caffeine runs its maintenance on the calling thread ({@code executor(Runnable::run)}): it then takes its
 * eviction lock only with {@code tryLock}, never parking a Reactor thread, and size bound and listener calls happen
 * before the write returns. The one call that takes the lock unconditionally, {@link Cache#cleanUp()}, is moved off
 * Reactor's non-blocking threads. Every change goes through {@code asMap().compute}, so the listener runs inside
 * Caffeine's per-key critical section, as Caffeine's own eviction listener does.
 */
final class CaffeineStore implements EntryStore {
  private final Cache<String, Stored> cache;
  private final StoreListener listener;
  private final Scheduler clock;

  /**
   * Creates the store.
   *
   * @param maximumSize the bound, at least 1
   * @param clock the backend's clock, read as Caffeine's ticker
   * @param listener hears every change
   */
  CaffeineStore(long maximumSize, Scheduler clock, StoreListener listener) {
    this.listener = listener;
    this.clock = clock;
    this.cache = Caffeine.newBuilder()
        .maximumSize(maximumSize)
        // No expireAfter: Caffeine's variable expiry reads its ticker (our clock) on every read, which made a hit
        // about five times slower in the benchmarks. Reads check expiresAt themselves, and the backend's periodic
        // cleanup sweeps expired entries out (sweepExpired), so nothing expired is served or kept for long.
        .executor(Runnable::run)
        .<String, Stored>evictionListener((key, stored, cause) -> {
          if (stored != null) {
            listener.removed(stored, RemovalCause.SIZE);
          }
        })
        .build();
  }

  @Override
  public Stored get(String key, long now) {
    return live(cache.getIfPresent(key), now);
  }

  @Override
  public Stored peek(String key, long now) {
    return live(cache.policy().getIfPresentQuietly(key), now);
  }

  @Override
  public void put(Stored stored, long now) {
    cache.asMap().compute(stored.key(), (key, old) -> {
      if (old != null) {
        listener.removed(old, old.expiredAt(now) ? RemovalCause.EXPIRED : RemovalCause.REPLACED);
      }
      listener.added(stored);
      return stored;
    });
  }

  @Override
  public Stored remove(String key, long now) {
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
        // Conditional on the holder seen: a key rewritten since is a newer write and stays.
        cache.asMap().computeIfPresent(stored.key(), (key, old) -> {
          if (old != stored) {
            return old;
          }
          listener.removed(old, RemovalCause.EXPIRED);
          return null;
        });
      }
    }
    cache.cleanUp();
  }

  private Stored removeInside(Stored old, long now) {
    // Caffeine hides entries it sees expired; this guards the same instant read through two clock units.
    boolean expired = old.expiredAt(now);
    listener.removed(old, expired ? RemovalCause.EXPIRED : RemovalCause.EXPLICIT);
    return expired ? null : old;
  }

  private static Stored live(Stored stored, long now) {
    return stored == null || stored.expiredAt(now) ? null : stored;
  }

  /** Each entry lives until its own {@code expiresAt}; reads do not extend it. */
}
