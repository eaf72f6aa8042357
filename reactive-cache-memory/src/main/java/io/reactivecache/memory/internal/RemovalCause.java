package io.reactivecache.memory.internal;

/** Why an entry left a store. */
public enum RemovalCause {
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
  public boolean isEviction() {
    return this == SIZE || this == EXPIRED;
  }
}
