package io.reactivecache.memory;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tag to the holders written with it, so that a tag is invalidated without scanning the store.
 *
 * <p>Each tag's inner map is only read or changed inside {@link ConcurrentHashMap#compute} on its tag (or taken out
 * whole by {@link #take}), so a plain {@link HashMap} is safe there. Holders are kept, not only keys, so that
 * removing an old holder never unindexes a newer write of the same key.
 */
final class TagIndex {
  private final ConcurrentHashMap<String, Map<String, Stored>> byTag = new ConcurrentHashMap<>();

  /** Creates an empty index. */
  TagIndex() {}

  /**
   * Indexes a holder under each of its tags.
   *
   * @param stored the holder
   */
  void add(Stored stored) {
    for (String tag : stored.entry().tags()) {
      byTag.compute(tag, (t, holders) -> {
        Map<String, Stored> map = holders == null ? new HashMap<>() : holders;
        map.put(stored.key(), stored);
        return map;
      });
    }
  }

  /**
   * Unindexes a holder; a newer holder of the same key stays indexed.
   *
   * @param stored the holder
   */
  void remove(Stored stored) {
    for (String tag : stored.entry().tags()) {
      byTag.computeIfPresent(tag, (t, holders) -> {
        holders.remove(stored.key(), stored);
        return holders.isEmpty() ? null : holders;
      });
    }
  }

  /**
   * Removes a tag from the index and returns its holders; the caller then removes them from the store.
   *
   * @param tag the tag
   * @return the holders by key, possibly empty
   */
  Map<String, Stored> take(String tag) {
    Map<String, Stored> holders = byTag.remove(tag);
    return holders == null ? Map.of() : holders;
  }

  /**
   * Returns the number of (tag, holder) pairs indexed, for consistency checks.
   *
   * @return the count
   */
  long pairs() {
    long[] total = {0};
    byTag.forEach((tag, holders) -> byTag.computeIfPresent(tag, (t, h) -> {
      total[0] += h.size();
      return h;
    }));
    return total[0];
  }

  /**
   * Tells whether a holder is indexed under a tag.
   *
   * @param tag the tag
   * @param stored the holder
   * @return true if indexed
   */
  boolean contains(String tag, Stored stored) {
    boolean[] found = {false};
    byTag.computeIfPresent(tag, (t, holders) -> {
      found[0] = holders.get(stored.key()) == stored;
      return holders;
    });
    return found[0];
  }

  /** Empties the index. */
  void clear() {
    byTag.clear();
  }
}
