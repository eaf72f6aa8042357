package io.reactivecache.spi;

import io.reactivecache.CacheStats;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters a backend keeps for {@link CacheStats}: hits, misses, puts, deletes, evictions, invalid payloads
 * and rejected writes. {@link LongAdder}s, because every read bumps one from many threads. Thread-safe.
 */
public final class BackendCounters {
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder puts = new LongAdder();
  private final LongAdder deletes = new LongAdder();
  private final LongAdder evictions = new LongAdder();
  private final LongAdder invalidPayloads = new LongAdder();
  private final LongAdder rejectedWrites = new LongAdder();

  /** Creates zeroed counters. */
  public BackendCounters() {}

  /** Counts a read that found a usable entry. */
  public void hit() {
    hits.increment();
  }

  /** Counts a read that found nothing usable. */
  public void miss() {
    misses.increment();
  }

  /** Counts a read that found a value of another type: a miss, and an invalid payload. */
  public void invalidPayload() {
    invalidPayloads.increment();
    misses.increment();
  }

  /** Counts a write. */
  public void put() {
    puts.increment();
  }

  /**
   * Counts entries removed on request.
   *
   * @param count how many
   */
  public void deleted(long count) {
    deletes.add(count);
  }

  /** Counts an entry the store removed by itself. */
  public void evicted() {
    evictions.increment();
  }

  /**
   * Counts entries the store removed by itself.
   *
   * @param count how many
   */
  public void evicted(long count) {
    evictions.add(count);
  }

  /** Counts a write the store refused (oversized value, server out of memory). */
  public void rejectedWrite() {
    rejectedWrites.increment();
  }

  /**
   * Returns a snapshot.
   *
   * @param size the entries held now, or -1 if unknown
   * @param estimatedBytes the memory estimate now, or -1 if unknown
   * @return the stats
   */
  public CacheStats snapshot(long size, long estimatedBytes) {
    return new CacheStats(hits.sum(), misses.sum(), puts.sum(), deletes.sum(), evictions.sum(),
        0, 0, 0, 0, 0, invalidPayloads.sum(), rejectedWrites.sum(), 0, 0, size, estimatedBytes);
  }
}
