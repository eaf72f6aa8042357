package io.reactivecache;

import io.reactivecache.spi.CacheBackend;
import java.time.Duration;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Compositions of backends. Each returns a {@link CacheBackend} that takes ownership of its components: closing
 * it closes them.
 */
public final class CacheBackends {
  private CacheBackends() {}

  /**
   * Serves from {@code fallback} while {@code primary} fails (for example memory while Redis is down).
   *
   * <ul>
   *   <li>An operation that fails on the primary is done on the fallback instead, and counted in
   *       {@link CacheStats#fallbacks()}; health is DEGRADED with the primary's failure as the reason.</li>
   *   <li>Every write or invalidation made during the outage is journaled as an invalidation of the primary
   *       (a write makes the primary's copy of the key stale). On recovery the journal is applied to the primary
   *       before the primary serves again; values written only to the fallback are not copied back, and the
   *       fallback is cleared, so nothing it held can leak into a later outage.</li>
   *   <li>The journal is bounded: past {@code 10,000} invalidations it collapses into one clear of the primary's
   *       namespace, which over-invalidates but never serves stale data.</li>
   * </ul>
   *
   * @param primary the backend normally used
   * @param fallback the backend used while the primary fails
   * @return the composition, named as the primary
   */
  public static CacheBackend withFallback(CacheBackend primary, CacheBackend fallback) {
    return new FallbackCacheBackend(primary, fallback, FallbackCacheBackend.DEFAULT_JOURNAL_LIMIT);
  }

  /**
   * Puts a fast level (L1, usually memory) in front of a shared one (L2, usually Redis). Reads try L1, then L2,
   * and copy L2 hits into L1; writes and invalidations go to both (L2 first).
   *
   * <p>Another process's writes to L2 are seen by this process's L1 only once the L1 copy expires: {@code l1Ttl}
   * caps how long an L1 copy lives, and so how stale this process can be.
   *
   * @param l1 the near level
   * @param l2 the shared level
   * @param l1Ttl the longest an L1 copy is served, positive
   * @return the composition, named as L2
   */
  public static CacheBackend twoLevel(CacheBackend l1, CacheBackend l2, Duration l1Ttl) {
    return twoLevel(l1, l2, l1Ttl, Schedulers.parallel());
  }

  /**
   * As {@link #twoLevel(CacheBackend, CacheBackend, Duration)}, reading time from a given clock (the one the
   * levels use).
   *
   * @param l1 the near level
   * @param l2 the shared level
   * @param l1Ttl the longest an L1 copy is served, positive
   * @param clock the clock
   * @return the composition, named as L2
   */
  public static CacheBackend twoLevel(CacheBackend l1, CacheBackend l2, Duration l1Ttl, Scheduler clock) {
    if (l1Ttl == null || l1Ttl.isNegative() || l1Ttl.isZero()) {
      throw CacheConfigurationException.invalid("l1Ttl", l1Ttl, "a positive duration");
    }
    return new TwoLevelCacheBackend(l1, l2, l1Ttl, clock);
  }
}
