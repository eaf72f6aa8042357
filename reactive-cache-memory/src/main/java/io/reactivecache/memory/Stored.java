package io.reactivecache.memory;

import io.reactivecache.ValueType;
import io.reactivecache.spi.CacheEntry;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One key's entry as a store holds it. Identity matters: the tag index and conditional removals compare holders
 * with {@code ==}, so that a removal aimed at one write never removes a newer write of the same key.
 */
final class Stored {
  private final String key;
  private final CacheEntry<?> entry;
  /** The entry as the SPI's synchronous read returns it, made once so that a hit allocates nothing. */
  private final Optional<CacheEntry<?>> asOptional;
  private final long estimatedBytes;
  private final int weight;
  /**
   * The last type the value was found to have (see {@link #holds}). A benign race: a reader may see an older type
   * or none and check again, never a type that was not verified (references are written whole). Not volatile, so
   * that a hit costs one plain load here.
   */
  private @Nullable ValueType<?> verified;

  /**
   * Wraps an entry.
   *
   * @param key the key
   * @param entry the entry
   * @param weight what the entry counts against the bound: 1 under {@code maximumSize}, the weigher's answer
   *     under {@code maximumWeight}
   */
  Stored(String key, CacheEntry<?> entry, int weight) {
    this.key = Objects.requireNonNull(key, "key");
    this.entry = Objects.requireNonNull(entry, "entry");
    this.asOptional = Optional.of(entry);
    this.estimatedBytes = SizeEstimator.estimate(key, entry);
    this.weight = weight;
  }

  String key() {
    return key;
  }

  CacheEntry<?> entry() {
    return entry;
  }

  /** Returns the entry as an {@code Optional} of the caller's type, already checked with {@link #holds}. */
  @SuppressWarnings("unchecked")
  <T> Optional<CacheEntry<T>> asOptional() {
    return (Optional<CacheEntry<T>>) (Optional<?>) asOptional;
  }

  /** Returns the rough memory estimate computed when the holder was created. */
  long estimatedBytes() {
    return estimatedBytes;
  }

  /** Returns what the entry counts against the store's bound, at least 0. */
  int weight() {
    return weight;
  }

  /**
   * Tells whether the value (not absent) can be returned as {@code type}, type arguments included. The check
   * reads every element of a collection, so its success is remembered: a hit with the same type (a {@code Cache}
   * view keeps one instance) costs a comparison. Values are not copied, and callers must not mutate them
   * after writing, which is what makes remembering sound.
   */
  boolean holds(ValueType<?> type) {
    if (type == verified || type.equals(verified)) {
      return true;
    }
    if (!TypeCheck.conforms(entry.value(), type)) {
      return false;
    }
    verified = type;
    return true;
  }

  /** Tells whether the entry has a finite expiry. */
  boolean expires() {
    return entry.expiresAt() != CacheEntry.NEVER;
  }

  /** Tells whether the entry is expired at {@code now}, epoch ms from the backend's clock. */
  boolean expiredAt(long now) {
    return now >= entry.expiresAt();
  }

  @Override
  public String toString() {
    return "Stored{" + key.length() + " chars, weight " + weight + ", " + entry + '}';
  }
}
