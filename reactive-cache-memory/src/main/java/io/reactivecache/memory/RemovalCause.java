package io.reactivecache.memory;

/** Why an entry left a store. */
enum RemovalCause {
  /** A caller overwrote it. */
  REPLACED,
  /** A caller removed it (delete, pattern delete, tag invalidation, clear). */
  EXPLICIT,
  /** The size bound pushed it out. */
  SIZE,
  /** Its expiry time passed. */
  EXPIRED;

  /**
   * Tells whether the store removed the entry by itself, which is what the {@code evictions} counter counts.
   *
   * @return true for {@link #SIZE} and {@link #EXPIRED}
   */
  boolean isEviction() {
    return this == SIZE || this == EXPIRED;
  }
}
