package io.reactivecache.benchmarks.jmh;

import java.util.ArrayList;
import java.util.List;

/** The keys every memory benchmark reads: a fixed set, all present, walked in a scrambled order. */
final class Keys {
  /** How many keys are prefilled; a power of two so a mask picks one. */
  static final int COUNT = 1 << 12;
  static final int MASK = COUNT - 1;

  private Keys() {}

  static String[] names(String prefix) {
    String[] keys = new String[COUNT];
    for (int i = 0; i < COUNT; i++) {
      keys[i] = prefix + i;
    }
    return keys;
  }

  /** The {@code n} keys starting at {@code from}, wrapping round. */
  static List<String> slice(String[] keys, int from, int n) {
    List<String> slice = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      slice.add(keys[(from + i) & MASK]);
    }
    return slice;
  }

  /** A per-thread cursor: an odd stride visits every key, and no two threads share a counter. */
  static int next(int[] cursor) {
    cursor[0] = cursor[0] + 0x9E3779B1;
    return (cursor[0] >>> 7) & MASK;
  }
}
