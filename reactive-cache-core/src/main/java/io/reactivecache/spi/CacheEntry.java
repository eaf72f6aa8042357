package io.reactivecache.spi;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a backend stores for one key: a value or the "absent" marker (negative caching, never a Java
 * {@code null}), when it was written, until when it is fresh, and when it must no longer be served at all, plus
 * the tags (models) it can be invalidated by.
 *
 * <p>Times are epoch milliseconds read from the cache's injected clock. Between {@link #freshUntil()} and
 * {@link #expiresAt()} the entry is {@linkplain Freshness#STALE stale}: it may be served while a refresh runs, or
 * when the loader fails. From {@link #expiresAt()} on it is {@linkplain Freshness#EXPIRED expired}: a backend must
 * never return it. {@link #NEVER} means no expiry.
 *
 * <p>Immutable and thread-safe.
 *
 * @param <T> the value's type
 */
public final class CacheEntry<T> {
  /** An expiry time that never comes. */
  public static final long NEVER = Long.MAX_VALUE;

  /** Where an entry stands at a given time. */
  public enum Freshness {
    /** Before {@link CacheEntry#freshUntil()}: serve it. */
    FRESH,
    /** Between fresh-until and expiry: serve it while one refresh runs, or when the loader fails. */
    STALE,
    /** At or past expiry: never serve it. */
    EXPIRED
  }

  private final T value;
  private final long writtenAt;
  private final long freshUntil;
  private final long expiresAt;
  private final Set<String> tags;
  private final long loadMillis;

  private CacheEntry(T value, long writtenAt, long freshUntil, long expiresAt, Set<String> tags, long loadMillis) {
    if (freshUntil > expiresAt) {
      throw new IllegalArgumentException(
          "freshUntil (" + freshUntil + ") must not be after expiresAt (" + expiresAt + ")");
    }
    if (writtenAt > freshUntil) {
      throw new IllegalArgumentException(
          "writtenAt (" + writtenAt + ") must not be after freshUntil (" + freshUntil + ")");
    }
    this.value = value;
    this.writtenAt = writtenAt;
    this.freshUntil = freshUntil;
    this.expiresAt = expiresAt;
    if (loadMillis < 0) {
      throw new IllegalArgumentException("loadMillis (" + loadMillis + ") must not be negative");
    }
    this.tags = Set.copyOf(Objects.requireNonNull(tags, "tags"));
    this.loadMillis = loadMillis;
  }

  /**
   * Creates an entry holding a value.
   *
   * @param value the value, not null
   * @param writtenAt when it was written (epoch ms)
   * @param freshUntil until when it is fresh (epoch ms), not after {@code expiresAt}
   * @param expiresAt when it must no longer be served (epoch ms), or {@link #NEVER}
   * @param tags the tags (models) that invalidate it
   * @param <T> the value's type
   * @return the entry
   */
  public static <T> CacheEntry<T> of(T value, long writtenAt, long freshUntil, long expiresAt, Set<String> tags) {
    return new CacheEntry<>(Objects.requireNonNull(value, "value"), writtenAt, freshUntil, expiresAt, tags, 0);
  }

  /**
   * Creates an entry that records "the loader returned nothing" (negative caching).
   *
   * @param writtenAt when it was written (epoch ms)
   * @param freshUntil until when it is fresh (epoch ms)
   * @param expiresAt when it must no longer be served (epoch ms), or {@link #NEVER}
   * @param tags the tags (models) that invalidate it
   * @param <T> the type the value would have had
   * @return the absent entry
   */
  public static <T> CacheEntry<T> absent(long writtenAt, long freshUntil, long expiresAt, Set<String> tags) {
    return new CacheEntry<>(null, writtenAt, freshUntil, expiresAt, tags, 0);
  }

  /**
   * Returns this entry with the time its value took to load, which probabilistic early refresh weighs: an entry
   * that is slow to recompute is refreshed earlier. Backends that store entries elsewhere keep it with the entry
   * (0, "unknown", when an older format did not).
   *
   * @param loadMillis the load's duration in milliseconds, at least 0
   * @return an entry equal to this one but for its load time
   */
  public CacheEntry<T> withLoadMillis(long loadMillis) {
    return loadMillis == this.loadMillis ? this
        : new CacheEntry<>(value, writtenAt, freshUntil, expiresAt, tags, loadMillis);
  }

  /**
   * Returns how long the value took to load.
   *
   * @return milliseconds; 0 when unknown (written directly, or by an older format)
   */
  public long loadMillis() {
    return loadMillis;
  }

  /**
   * Tells whether this entry records an absent value.
   *
   * @return true for the negative-caching marker
   */
  public boolean isAbsent() {
    return value == null;
  }

  /**
   * Returns the value.
   *
   * @return the value
   * @throws IllegalStateException if the entry {@linkplain #isAbsent() is absent}
   */
  public T value() {
    if (value == null) {
      throw new IllegalStateException("absent entry has no value");
    }
    return value;
  }

  /**
   * Returns the value, or empty for an absent entry.
   *
   * @return the value if present
   */
  public Optional<T> valueIfPresent() {
    return Optional.ofNullable(value);
  }

  /**
   * Returns when the entry was written.
   *
   * @return epoch milliseconds
   */
  public long writtenAt() {
    return writtenAt;
  }

  /**
   * Returns until when the entry is fresh.
   *
   * @return epoch milliseconds
   */
  public long freshUntil() {
    return freshUntil;
  }

  /**
   * Returns when the entry must no longer be served.
   *
   * @return epoch milliseconds, or {@link #NEVER}
   */
  public long expiresAt() {
    return expiresAt;
  }

  /**
   * Returns the tags (models) whose invalidation removes this entry.
   *
   * @return an immutable set, possibly empty
   */
  public Set<String> tags() {
    return tags;
  }

  /**
   * Tells where the entry stands at a given time.
   *
   * @param now the current time (epoch ms) from the cache's clock
   * @return fresh, stale or expired
   */
  public Freshness freshness(long now) {
    if (now >= expiresAt) {
      return Freshness.EXPIRED;
    }
    return now < freshUntil ? Freshness.FRESH : Freshness.STALE;
  }

  /**
   * Returns the time left before expiry, for backends that set a native time to live.
   *
   * @param now the current time (epoch ms)
   * @return milliseconds until {@link #expiresAt()} ({@code Long.MAX_VALUE} for never), 0 if already expired
   */
  public long millisToExpiry(long now) {
    if (expiresAt == NEVER) {
      return Long.MAX_VALUE;
    }
    return Math.max(0, expiresAt - now);
  }

  /**
   * Returns an entry with the same value and tags but another type parameter, for a value already checked to
   * be of that type.
   *
   * @param <R> the new type
   * @return this entry, retyped
   */
  @SuppressWarnings("unchecked")
  public <R> CacheEntry<R> retype() {
    return (CacheEntry<R>) this;
  }

  @Override
  public String toString() {
    // Values are not printed: they may be personal data.
    return "CacheEntry{" + (isAbsent() ? "absent" : "present") + ", writtenAt=" + writtenAt
        + ", freshUntil=" + freshUntil + ", expiresAt=" + (expiresAt == NEVER ? "never" : expiresAt)
        + ", tags=" + tags + (loadMillis > 0 ? ", loadMillis=" + loadMillis : "") + '}';
  }
}
