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
   *       {@link CacheStats#fallbacks()}; from then on (an <i>outage</i>) every operation goes to the fallback, and
   *       health is DEGRADED with the primary's failure as the reason.</li>
   *   <li>Every write or invalidation made during the outage is journaled as an invalidation of the primary (a write
   *       makes the primary's copy of the key stale). Values written to the fallback are never copied back.</li>
   *   <li>Recovery is tried in the background after operations served by the fallback, and finishes however many
   *       writes keep arriving: the primary is probed, the journal is replayed on it, then a short
   *       <i>hand-over</i> starts. From its first instant new writes go to the primary (each also removes what it
   *       changes from the fallback, which still answers reads) and are no longer journaled, so the journal can
   *       only shrink; once what was journaled before the hand-over is replayed, the primary serves everything
   *       again.</li>
   *   <li>Each outage reads and writes only its own part of the fallback, and that part is cleared when the outage
   *       ends, so nothing written during one outage (even by a write still in flight when it ended) is ever served
   *       after it, by the primary or by a later outage.</li>
   *   <li>The journal is bounded: past {@code 10,000} invalidated keys it collapses into one clear of the primary's
   *       namespace, which over-invalidates but never serves stale data.</li>
   *   <li>Invalidations from outside this process ({@link CacheBackend#invalidations()}) are the primary's: the
   *       fallback is this process's own.</li>
   * </ul>
   *
   * @param primary the backend normally used
   * @param fallback the backend used while the primary fails, another instance than {@code primary}
   * @return the composition, named as the primary
   * @throws CacheConfigurationException if a backend is null, or both are the same instance
   */
  public static CacheBackend withFallback(CacheBackend primary, CacheBackend fallback) {
    requireBackend("primary", primary);
    requireBackend("fallback", fallback);
    if (primary == fallback) {
      throw CacheConfigurationException.invalid("fallback", "the primary backend '" + primary.name() + "'",
          "another backend instance than the primary");
    }
    return new FallbackCacheBackend(primary, fallback, FallbackCacheBackend.DEFAULT_JOURNAL_LIMIT);
  }

  /**
   * Puts a fast level (L1, usually memory) in front of a shared one (L2, usually Redis). Reads try L1, then L2,
   * and copy L2 hits into L1; writes and invalidations go to L2, then L1.
   *
   * <ul>
   *   <li><b>This process's changes</b> are seen at once: an L2 read that a write or invalidation of the same key
   *       (put, putAll, delete, pattern delete, tag invalidation, clear) overlapped is returned to its caller but
   *       never copied into L1, so a value this process deleted or replaced is not served again.</li>
   *   <li><b>Other processes' changes</b> are seen when L2 reports them ({@link CacheBackend#invalidations()}: the
   *       L1 copies they cover are dropped, and an L2 read they overtook is not copied), and at the latest when
   *       the L1 copy expires: a copy lives at most {@code l1Ttl} from the moment it is made, on this process's
   *       clock. The writer's clock plays no part, so a writer whose clock runs ahead cannot stretch the bound.
   *       Entries that expire sooner keep their own times.</li>
   * </ul>
   *
   * @param l1 the near level
   * @param l2 the shared level, another instance than {@code l1}
   * @param l1Ttl the longest an L1 copy is served, at least 1 ms (very long values mean "no cap", never an
   *     overflow)
   * @return the composition, named as L2
   * @throws CacheConfigurationException if a level is null, both are the same instance, or {@code l1Ttl} is null or
   *     shorter than 1 ms
   */
  public static CacheBackend twoLevel(CacheBackend l1, CacheBackend l2, Duration l1Ttl) {
    return twoLevel(l1, l2, l1Ttl, Schedulers.parallel());
  }

  /**
   * As {@link #twoLevel(CacheBackend, CacheBackend, Duration)}, reading time from a given clock (the one the
   * levels use).
   *
   * @param l1 the near level
   * @param l2 the shared level, another instance than {@code l1}
   * @param l1Ttl the longest an L1 copy is served, at least 1 ms
   * @param clock the clock
   * @return the composition, named as L2
   * @throws CacheConfigurationException if a level or the clock is null, both levels are the same instance, or
   *     {@code l1Ttl} is null or shorter than 1 ms
   */
  public static CacheBackend twoLevel(CacheBackend l1, CacheBackend l2, Duration l1Ttl, Scheduler clock) {
    requireBackend("l1", l1);
    requireBackend("l2", l2);
    if (l1 == l2) {
      throw CacheConfigurationException.invalid("l2", "the L1 backend '" + l1.name() + "'",
          "another backend instance than l1");
    }
    if (l1Ttl == null || l1Ttl.compareTo(Duration.ofMillis(1)) < 0) {
      throw CacheConfigurationException.invalid("l1Ttl", l1Ttl, "a duration of at least 1 ms");
    }
    if (clock == null) {
      throw CacheConfigurationException.invalid("clock", "null", "a Reactor Scheduler");
    }
    // Saturates: a TTL past what milliseconds can count is no cap at all.
    long l1TtlMillis = l1Ttl.compareTo(Duration.ofMillis(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : l1Ttl.toMillis();
    return new TwoLevelCacheBackend(l1, l2, l1TtlMillis, clock);
  }

  private static void requireBackend(String option, CacheBackend backend) {
    if (backend == null) {
      throw CacheConfigurationException.invalid(option, "null", "a backend");
    }
  }
}
