package io.reactivecache;

import java.util.concurrent.atomic.LongAdder;

/**
 * What only the {@code cachedMono} engine sees, per backend: loads, stale reads, coalesced loads, refreshes and
 * backend failures it absorbed. Internal: may change without notice.
 */
final class EngineCounters {
  final LongAdder loadSuccesses = new LongAdder();
  final LongAdder loadFailures = new LongAdder();
  final LongAdder staleServed = new LongAdder();
  final LongAdder coalescedLoads = new LongAdder();
  final LongAdder refreshes = new LongAdder();
  final LongAdder backendFailures = new LongAdder();

  /**
   * Adds these counters to a backend's snapshot.
   *
   * @param backend the backend's own counters
   * @return the combined snapshot
   */
  public CacheStats addTo(CacheStats backend) {
    return new CacheStats(
        backend.hits(),
        backend.misses(),
        backend.puts(),
        backend.deletes(),
        backend.evictions(),
        backend.loadSuccesses() + loadSuccesses.sum(),
        backend.loadFailures() + loadFailures.sum(),
        backend.staleServed() + staleServed.sum(),
        backend.coalescedLoads() + coalescedLoads.sum(),
        backend.refreshes() + refreshes.sum(),
        backend.invalidPayloads(),
        backend.rejectedWrites(),
        backend.fallbacks(),
        backend.backendFailures() + backendFailures.sum(),
        backend.size(),
        backend.estimatedBytes());
  }
}
