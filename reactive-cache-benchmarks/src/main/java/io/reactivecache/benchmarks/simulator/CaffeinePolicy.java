package io.reactivecache.benchmarks.simulator;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The control for the W-TinyLFU strategy: a raw Caffeine {@code Cache} bounded by {@code maximumSize}.
 * Maintenance runs on the caller's thread so that eviction happens in request order, as in Caffeine's own
 * simulator; with the default executor, results vary from run to run.
 */
final class CaffeinePolicy implements Policy {
  private final Cache<Long, Boolean> cache;

  CaffeinePolicy(long maximumSize) {
    this.cache = Caffeine.newBuilder().maximumSize(maximumSize).executor(Runnable::run).build();
  }

  @Override
  public boolean request(long key) {
    if (cache.getIfPresent(key) != null) {
      return true;
    }
    cache.put(key, Boolean.TRUE);
    return false;
  }
}
