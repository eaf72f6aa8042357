package io.reactivecache;

import java.util.concurrent.atomic.LongAdder;

/**
 * What only the engine sees, per backend: loads and their total time, stale reads, coalesced loads, refreshes and
 * the backend failures it absorbed.
 */
final class EngineCounters {
  private final LongAdder loadSuccesses = new LongAdder();
  private final LongAdder loadFailures = new LongAdder();
  private final LongAdder loadMillis = new LongAdder();
  private final LongAdder staleServed = new LongAdder();
  private final LongAdder coalescedLoads = new LongAdder();
  private final LongAdder refreshes = new LongAdder();
  private final LongAdder backendFailures = new LongAdder();

  void loaded(boolean success, long millis) {
    (success ? loadSuccesses : loadFailures).increment();
    loadMillis.add(millis);
  }

  void staleServed() {
    staleServed.increment();
  }

  void coalesced() {
    coalescedLoads.increment();
  }

  void refreshed() {
    refreshes.increment();
  }

  void backendFailed() {
    backendFailures.increment();
  }

  /** Adds these counters to a backend's snapshot. */
  CacheStats addTo(CacheStats backend) {
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
        backend.estimatedBytes(),
        backend.loadMillis() + loadMillis.sum());
  }
}
