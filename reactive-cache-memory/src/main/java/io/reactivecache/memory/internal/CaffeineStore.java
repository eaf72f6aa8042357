package io.reactivecache.memory.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
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
public final class CaffeineStore implements EntryStore {
  private final Cache<String, Stored> cache;
  private final StoreListener listener;

  /**
   * Creates the store.
   *
   * @param maximumSize the bound, at least 1
   * @param clock the backend's clock, read as Caffeine's ticker
   * @param listener hears every change
   */
  public CaffeineStore(long maximumSize, Scheduler clock, StoreListener listener) {
    this.listener = listener;
    this.cache = Caffeine.newBuilder()
        .maximumSize(maximumSize)
        .expireAfter(new EntryExpiry())
        .ticker(() -> clock.now(TimeUnit.NANOSECONDS))
        .executor(Runnable::run)
        .<String, Stored>evictionListener((key, stored, cause) -> {
          if (stored != null) {
            listener.removed(stored, cause == com.github.benmanes.caffeine.cache.RemovalCause.EXPIRED
                ? RemovalCause.EXPIRED : RemovalCause.SIZE);
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
    // One cleanUp() expires a bounded number of entries (1,000 in Caffeine 3.3); repeat while it makes progress.
    long before;
    do {
      before = cache.estimatedSize();
      cache.cleanUp();
    } while (cache.estimatedSize() < before);
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
  private static final class EntryExpiry implements Expiry<String, Stored> {
    @Override
    public long expireAfterCreate(String key, Stored stored, long currentTime) {
      return nanosLeft(stored, currentTime);
    }

    @Override
    public long expireAfterUpdate(String key, Stored stored, long currentTime, long currentDuration) {
      return nanosLeft(stored, currentTime);
    }

    @Override
    public long expireAfterRead(String key, Stored stored, long currentTime, long currentDuration) {
      return currentDuration;
    }

    private static long nanosLeft(Stored stored, long currentTime) {
      long expiresAt = stored.entry().expiresAt();
      if (!stored.expires() || expiresAt > Long.MAX_VALUE / 1_000_000) {
        return Long.MAX_VALUE;
      }
      return Math.max(0, expiresAt * 1_000_000 - currentTime);
    }
  }
}
