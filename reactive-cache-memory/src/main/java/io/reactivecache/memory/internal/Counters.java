package io.reactivecache.memory.internal;

import io.reactivecache.CacheStats;
import java.util.concurrent.atomic.LongAdder;

/** The memory backend's counters; {@link LongAdder}s because every read bumps one from many threads. */
public final class Counters {
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder puts = new LongAdder();
  private final LongAdder deletes = new LongAdder();
  private final LongAdder evictions = new LongAdder();
  private final LongAdder invalidPayloads = new LongAdder();

  /** Creates zeroed counters. */
  public Counters() {}

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
   * Returns a snapshot.
   *
   * @param size the entries held now
   * @param estimatedBytes the memory estimate now
   * @return the stats
   */
  public CacheStats snapshot(long size, long estimatedBytes) {
    return new CacheStats(hits.sum(), misses.sum(), puts.sum(), deletes.sum(), evictions.sum(),
        0, 0, 0, 0, 0, invalidPayloads.sum(), 0, 0, 0, size, estimatedBytes);
  }
}
