package io.reactivecache;

/**
 * A snapshot of a cache's counters. Counters only grow (until the process restarts); {@link #size()} and
 * {@link #estimatedBytes()} are gauges read at the time of the snapshot.
 *
 * <p>A backend fills in what it observes (hits, misses, puts, deletes, evictions, size, memory, invalid payloads,
 * rejected writes, fallbacks); the {@code cachedMono} operator adds what only it sees (loads, stale reads,
 * coalesced loads, refreshes). {@link #plus(CacheStats)} sums snapshots, for totals across backends.
 *
 * @param hits reads that found a usable entry, including a cached empty result (an {@linkplain
 *     io.reactivecache.spi.CacheEntry#isAbsent() absent} entry stored by negative caching: the cache answered)
 * @param misses reads that found nothing usable (no entry, expired, undecodable, of another type)
 * @param puts entries written
 * @param deletes entries removed on request (delete, pattern delete, model invalidation, clear)
 * @param evictions entries removed by the backend itself (size bound, expiry)
 * @param loadSuccesses loader runs that completed with a value or empty
 * @param loadFailures loader runs that failed
 * @param staleServed reads answered with a stale entry (stale-while-revalidate or stale-if-error)
 * @param coalescedLoads callers that joined a load already in flight instead of starting one
 * @param refreshes background refreshes started for stale entries
 * @param invalidPayloads stored values that could not be used (corrupt, wrong type, wrong key) and counted as misses
 * @param rejectedWrites writes refused by the backend (oversized value, server out of memory)
 * @param fallbacks operations answered by a fallback because the primary backend failed
 * @param backendFailures backend operations that failed and were absorbed by {@code cachedMono} (a failed read
 *     served as a miss, a failed write skipped) so that callers still got their value
 * @param size entries held now, or -1 when the backend cannot tell cheaply
 * @param estimatedBytes an estimate of the memory the entries use, or -1 when unknown
 * @param loadMillis the total time loads took, in milliseconds on the cache's clock (with {@code loadSuccesses +
 *     loadFailures}, the mean load time; {@code cache.load.duration} in the meters)
 * @param bypassed reads (one per key) answered without the cache because caching was disabled for the backend or
 *     the view: the loader's result, or a miss for a read without loader ({@code cache.bypassed} in the meters)
 */
public record CacheStats(
    long hits,
    long misses,
    long puts,
    long deletes,
    long evictions,
    long loadSuccesses,
    long loadFailures,
    long staleServed,
    long coalescedLoads,
    long refreshes,
    long invalidPayloads,
    long rejectedWrites,
    long fallbacks,
    long backendFailures,
    long size,
    long estimatedBytes,
    long loadMillis,
    long bypassed) {

  private static final CacheStats EMPTY = new CacheStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  /**
   * Creates a snapshot without bypassed reads (which only the engine counts).
   *
   * @param hits see the record components
   * @param misses see the record components
   * @param puts see the record components
   * @param deletes see the record components
   * @param evictions see the record components
   * @param loadSuccesses see the record components
   * @param loadFailures see the record components
   * @param staleServed see the record components
   * @param coalescedLoads see the record components
   * @param refreshes see the record components
   * @param invalidPayloads see the record components
   * @param rejectedWrites see the record components
   * @param fallbacks see the record components
   * @param backendFailures see the record components
   * @param size see the record components
   * @param estimatedBytes see the record components
   * @param loadMillis see the record components
   */
  public CacheStats(long hits, long misses, long puts, long deletes, long evictions, long loadSuccesses,
      long loadFailures, long staleServed, long coalescedLoads, long refreshes, long invalidPayloads,
      long rejectedWrites, long fallbacks, long backendFailures, long size, long estimatedBytes, long loadMillis) {
    this(hits, misses, puts, deletes, evictions, loadSuccesses, loadFailures, staleServed, coalescedLoads, refreshes,
        invalidPayloads, rejectedWrites, fallbacks, backendFailures, size, estimatedBytes, loadMillis, 0);
  }

  /**
   * Creates a snapshot without load times, as a backend reports its own counters.
   *
   * @param hits see the record components
   * @param misses see the record components
   * @param puts see the record components
   * @param deletes see the record components
   * @param evictions see the record components
   * @param loadSuccesses see the record components
   * @param loadFailures see the record components
   * @param staleServed see the record components
   * @param coalescedLoads see the record components
   * @param refreshes see the record components
   * @param invalidPayloads see the record components
   * @param rejectedWrites see the record components
   * @param fallbacks see the record components
   * @param backendFailures see the record components
   * @param size see the record components
   * @param estimatedBytes see the record components
   */
  public CacheStats(long hits, long misses, long puts, long deletes, long evictions, long loadSuccesses,
      long loadFailures, long staleServed, long coalescedLoads, long refreshes, long invalidPayloads,
      long rejectedWrites, long fallbacks, long backendFailures, long size, long estimatedBytes) {
    this(hits, misses, puts, deletes, evictions, loadSuccesses, loadFailures, staleServed, coalescedLoads, refreshes,
        invalidPayloads, rejectedWrites, fallbacks, backendFailures, size, estimatedBytes, 0);
  }

  /**
   * Returns a snapshot with every counter at zero.
   *
   * @return the empty snapshot
   */
  public static CacheStats empty() {
    return EMPTY;
  }

  /**
   * Returns the share of reads that hit, between 0 and 1; 0 when there were no reads.
   *
   * @return hits / (hits + misses)
   */
  public double hitRate() {
    long requests = hits + misses;
    return requests == 0 ? 0.0 : (double) hits / requests;
  }

  /**
   * Returns the number of reads.
   *
   * @return hits + misses
   */
  public long requests() {
    return hits + misses;
  }

  /**
   * Returns the sum of this snapshot and another. Gauges that are unknown (-1) in either stay unknown.
   *
   * @param other the other snapshot
   * @return the sum
   */
  public CacheStats plus(CacheStats other) {
    return new CacheStats(
        hits + other.hits,
        misses + other.misses,
        puts + other.puts,
        deletes + other.deletes,
        evictions + other.evictions,
        loadSuccesses + other.loadSuccesses,
        loadFailures + other.loadFailures,
        staleServed + other.staleServed,
        coalescedLoads + other.coalescedLoads,
        refreshes + other.refreshes,
        invalidPayloads + other.invalidPayloads,
        rejectedWrites + other.rejectedWrites,
        fallbacks + other.fallbacks,
        backendFailures + other.backendFailures,
        gauge(size, other.size),
        gauge(estimatedBytes, other.estimatedBytes),
        loadMillis + other.loadMillis,
        bypassed + other.bypassed);
  }

  private static long gauge(long a, long b) {
    return a < 0 || b < 0 ? -1 : a + b;
  }
}
