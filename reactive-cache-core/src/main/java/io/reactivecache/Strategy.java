package io.reactivecache;

import java.util.Locale;

/**
 * How a size-bounded backend chooses what to evict. Each name means exactly what it says, so a trace replayed
 * through {@link #LRU} gives textbook LRU hit ratios.
 */
public enum Strategy {
  /**
   * The default: Caffeine's W-TinyLFU admission and eviction (near-optimal hit ratio on most workloads), with a
   * time to live per entry.
   */
  TTL,
  /** Least recently used: the entry read or written longest ago is evicted first. */
  LRU,
  /**
   * Least frequently used: the entry with the fewest accesses since it was admitted is evicted first; ties go to
   * the least recently used of them.
   */
  LFU;

  /**
   * Parses a strategy name, ignoring case ({@code "ttl"}, {@code "lru"}, {@code "lfu"}).
   *
   * @param name the strategy's name
   * @return the strategy
   * @throws CacheConfigurationException naming the option {@code strategy} if the name is unknown
   */
  public static Strategy parse(String name) {
    if (name != null) {
      for (Strategy s : values()) {
        if (s.name().equalsIgnoreCase(name.trim())) {
          return s;
        }
      }
    }
    throw CacheConfigurationException.invalid("strategy", name == null ? "null" : "'" + name + "'",
        "one of ttl, lru, lfu");
  }

  /**
   * Returns the lower-case name used in configuration and metrics.
   *
   * @return {@code "ttl"}, {@code "lru"} or {@code "lfu"}
   */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
