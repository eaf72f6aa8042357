package io.reactivecache.benchmarks.simulator;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The control for "lru means LRU": a {@link LinkedHashMap} in access order that drops its eldest entry once over
 * capacity, the textbook definition with nothing clever in it.
 */
final class TextbookLru implements Policy {
  private final Map<Long, Boolean> map;

  TextbookLru(long maximumSize) {
    this.map = new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
        return size() > maximumSize;
      }
    };
  }

  @Override
  public boolean request(long key) {
    if (map.get(key) != null) {
      return true;
    }
    map.put(key, Boolean.TRUE);
    return false;
  }
}
