package io.reactivecache.spi;

import java.util.Objects;

/**
 * Something that happened to entries of one backend: an eviction, an expiry, an invalidation, with its cause.
 * Published on a backend's event stream (see {@link CacheBackend#events()}): best effort, for logs and diagnostics, never for
 * correctness (a slow subscriber loses events, it never slows the cache).
 *
 * @param type what happened
 * @param cause why
 * @param target the key; for {@link Cause#PATTERN} the pattern, for {@link Cause#TAG} the tag, for
 *     {@link Cause#CLEAR} and a remote "everything" the reason
 */
public record CacheEvent(Type type, Cause cause, String target) {
  /** What happened. */
  public enum Type {
    /** Removed to respect a bound (size or weight). */
    EVICTED,
    /** Removed because its time was up. */
    EXPIRED,
    /** Removed or overwritten on request, here or (for {@link Cause#REMOTE}) in another process. */
    INVALIDATED
  }

  /** Why it happened. */
  public enum Cause {
    /** The size or weight bound. */
    SIZE,
    /** The entry's expiry time passed. */
    TTL,
    /** A delete of the key. */
    DELETE,
    /** A write replaced the entry. */
    OVERWRITE,
    /** A pattern delete. */
    PATTERN,
    /** A tag invalidation. */
    TAG,
    /** A clear of the backend or of a view. */
    CLEAR,
    /** Another process, as reported by the backend. */
    REMOTE
  }

  /**
   * Validates the event.
   *
   * @param type what happened
   * @param cause why
   * @param target the key, pattern, tag or reason
   */
  public CacheEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(cause, "cause");
    Objects.requireNonNull(target, "target");
  }
}
