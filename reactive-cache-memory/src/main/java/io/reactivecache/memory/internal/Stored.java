package io.reactivecache.memory.internal;

import io.reactivecache.spi.CacheEntry;
import java.util.Objects;

/**
 * One key's entry as a store holds it. Identity matters: the tag index and conditional removals compare holders
 * with {@code ==}, so that a removal aimed at one write never removes a newer write of the same key.
 */
public final class Stored {
  private final String key;
  private final CacheEntry<?> entry;
  private final long estimatedBytes;

  /**
   * Wraps an entry.
   *
   * @param key the key
   * @param entry the entry
   */
  public Stored(String key, CacheEntry<?> entry) {
    this.key = Objects.requireNonNull(key, "key");
    this.entry = Objects.requireNonNull(entry, "entry");
    this.estimatedBytes = SizeEstimator.estimate(key, entry);
  }

  /**
   * Returns the key.
   *
   * @return the key
   */
  public String key() {
    return key;
  }

  /**
   * Returns the entry.
   *
   * @return the entry
   */
  public CacheEntry<?> entry() {
    return entry;
  }

  /**
   * Returns the rough memory estimate computed when the holder was created.
   *
   * @return bytes
   */
  public long estimatedBytes() {
    return estimatedBytes;
  }

  /**
   * Tells whether the entry has a finite expiry.
   *
   * @return false for {@link CacheEntry#NEVER}
   */
  public boolean expires() {
    return entry.expiresAt() != CacheEntry.NEVER;
  }

  /**
   * Tells whether the entry is expired at a time.
   *
   * @param now epoch ms from the backend's clock
   * @return true at or past the entry's expiry
   */
  public boolean expiredAt(long now) {
    return now >= entry.expiresAt();
  }

  @Override
  public String toString() {
    return "Stored{" + key.length() + " chars, " + entry + '}';
  }
}
