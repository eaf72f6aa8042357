package io.reactivecache.memory;

import io.reactivecache.spi.BackendCounters;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps what depends on the set of stored entries — tag index, memory estimate, eviction count and events, number
 * of entries that can expire — in step with the store, by hearing every change inside the store's critical section.
 */
final class Bookkeeping implements StoreListener {
  private final TagIndex tags;
  private final BackendCounters counters;
  private final EventPublisher events;
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong expiring = new AtomicLong();

  /**
   * Creates the bookkeeping.
   *
   * @param tags the tag index to maintain
   * @param counters the counters to count evictions in
   * @param events where evictions and expiries are published
   */
  Bookkeeping(TagIndex tags, BackendCounters counters, EventPublisher events) {
    this.tags = tags;
    this.counters = counters;
    this.events = events;
  }

  @Override
  public void added(Stored stored) {
    tags.add(stored);
    bytes.addAndGet(stored.estimatedBytes());
    if (stored.expires()) {
      expiring.incrementAndGet();
    }
  }

  @Override
  public void removed(Stored stored, RemovalCause cause) {
    tags.remove(stored);
    bytes.addAndGet(-stored.estimatedBytes());
    if (stored.expires()) {
      expiring.decrementAndGet();
    }
    if (cause.isEviction()) {
      counters.evicted();
      events.publish(cause, stored.key());
    }
  }

  /**
   * Returns the memory estimate of the entries held.
   *
   * @return bytes
   */
  long estimatedBytes() {
    return bytes.get();
  }

  /**
   * Returns how many held entries have a finite expiry: while there are none, no cleanup needs to run.
   *
   * @return the count
   */
  long expiringEntries() {
    return expiring.get();
  }
}
