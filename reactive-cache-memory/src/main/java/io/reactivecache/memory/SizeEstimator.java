package io.reactivecache.memory;

import io.reactivecache.spi.CacheEntry;

/**
 * A rough, cheap estimate of the heap an entry uses, for the {@code estimatedBytes} gauge.
 *
 * <p>Measuring an arbitrary object graph would cost more than caching it, so only what is cheap to know is counted
 * exactly: strings (at two bytes per char, an upper bound with compact strings), byte arrays and boxed primitives.
 * Any other value counts as {@link #OTHER_VALUE} bytes. The fixed overhead covers the holder, the {@link CacheEntry},
 * the map node and the eviction bookkeeping on a 64-bit JVM with compressed pointers; each tag adds its string and
 * its slot in the tag index.
 */
final class SizeEstimator {
  /** Holder, entry object, map node and policy links. */
  static final long ENTRY_OVERHEAD = 160;
  /** A value whose size cannot be known cheaply. */
  static final long OTHER_VALUE = 64;
  /** A tag's slot in the entry's tag set and in the tag index. */
  static final long TAG_OVERHEAD = 64;

  private SizeEstimator() {}

  /**
   * Estimates the bytes used by one entry.
   *
   * @param key the key
   * @param entry the entry
   * @return the estimate
   */
  static long estimate(String key, CacheEntry<?> entry) {
    long bytes = ENTRY_OVERHEAD + string(key);
    for (String tag : entry.tags()) {
      bytes += TAG_OVERHEAD + string(tag);
    }
    if (!entry.isAbsent()) {
      bytes += value(entry.value());
    }
    return bytes;
  }

  private static long value(Object value) {
    if (value instanceof String) {
      return string((String) value);
    }
    if (value instanceof byte[]) {
      return 16 + ((byte[]) value).length;
    }
    if (value instanceof Number || value instanceof Boolean || value instanceof Character) {
      return 16;
    }
    return OTHER_VALUE;
  }

  private static long string(String s) {
    // String object + array header + the chars.
    return 40 + 2L * s.length();
  }
}
