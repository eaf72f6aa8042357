package io.reactivecache.benchmarks.simulator;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The control for "lfu means LFU": in-cache LFU as the textbook defines it. A key's count starts at 1 when it is
 * admitted and grows by one per hit; when full, the key with the lowest count is evicted, ties going to the least
 * recently used. Counts are forgotten on eviction. A sorted set keeps it obviously correct rather than fast.
 */
final class TextbookLfu implements Policy {
  private final long maximumSize;
  private final Map<Long, long[]> entries = new HashMap<>();
  // Ordered by (count, last access tick): first() is the victim.
  private final TreeSet<long[]> order = new TreeSet<>((a, b) -> a[1] != b[1]
      ? Long.compare(a[1], b[1]) : Long.compare(a[2], b[2]));
  private long tick;

  TextbookLfu(long maximumSize) {
    this.maximumSize = maximumSize;
  }

  @Override
  public boolean request(long key) {
    tick++;
    long[] entry = entries.get(key);
    if (entry != null) {
      order.remove(entry);
      entry[1]++;
      entry[2] = tick;
      order.add(entry);
      return true;
    }
    if (entries.size() >= maximumSize) {
      long[] victim = order.pollFirst();
      entries.remove(victim[0]);
    }
    entry = new long[] {key, 1, tick};
    entries.put(key, entry);
    order.add(entry);
    return false;
  }
}
