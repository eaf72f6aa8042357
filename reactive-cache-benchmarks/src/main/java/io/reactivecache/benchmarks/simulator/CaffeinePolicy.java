package io.reactivecache.benchmarks.simulator;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The control for the W-TinyLFU strategy: a raw Caffeine {@code Cache} bounded by {@code maximumSize}.
 * Maintenance runs on the caller's thread so that eviction happens in request order, as in Caffeine's own
 * simulator; with the default executor, results vary from run to run.
 */
final class CaffeinePolicy implements Policy {
  private final Cache<String, Boolean> cache;

  CaffeinePolicy(long maximumSize) {
    this.cache = Caffeine.newBuilder().maximumSize(maximumSize).executor(Runnable::run).build();
  }

  @Override
  public boolean request(long key) {
    // String keys, as our backend sees them: Caffeine's frequency sketch hashes the key, so the key type alone
    // moves W-TinyLFU's hit ratio on small traces.
    String k = Long.toString(key);
    if (cache.getIfPresent(k) != null) {
      return true;
    }
    cache.put(k, Boolean.TRUE);
    return false;
  }
}
