package io.reactivecache.spi;

import java.util.Objects;
import java.util.Set;

/**
 * An invalidation a backend learned of from outside this process (another instance deleted a key, a pattern or a
 * tag, or the backend lost track of changes and everything must be considered changed). A backend publishes them on
 * {@link CacheBackend#invalidations()}; the engine treats each exactly like a local delete: loads of a covered key in
 * flight deliver to the callers already waiting but do not store their result.
 *
 * <p>Immutable and thread-safe. Create with {@link #key}, {@link #pattern}, {@link #tag} or {@link #all}.
 */
public final class Invalidation {
  /** What an invalidation covers. */
  public enum Scope {
    /** One key. */
    KEY,
    /** Every key a {@link KeyPattern} matches. */
    PATTERN,
    /** Every entry carrying a tag. */
    TAG,
    /** Everything: the backend may have missed changes (a reconnect, a flush). */
    ALL
  }

  private final Scope scope;
  private final String target;
  private final KeyPattern pattern;

  private Invalidation(Scope scope, String target, KeyPattern pattern) {
    this.scope = scope;
    this.target = target;
    this.pattern = pattern;
  }

  /**
   * Invalidates one key.
   *
   * @param key the key, as written by callers (without a backend namespace)
   * @return the invalidation
   */
  public static Invalidation key(String key) {
    return new Invalidation(Scope.KEY, Objects.requireNonNull(key, "key"), null);
  }

  /**
   * Invalidates every key a pattern matches.
   *
   * @param pattern the pattern
   * @return the invalidation
   */
  public static Invalidation pattern(KeyPattern pattern) {
    Objects.requireNonNull(pattern, "pattern");
    return new Invalidation(Scope.PATTERN, pattern.glob(), pattern);
  }

  /**
   * Invalidates every entry carrying a tag.
   *
   * @param tag the tag
   * @return the invalidation
   */
  public static Invalidation tag(String tag) {
    return new Invalidation(Scope.TAG, Objects.requireNonNull(tag, "tag"), null);
  }

  /**
   * Invalidates everything.
   *
   * @param reason why (for logs and events), such as "reconnected"
   * @return the invalidation
   */
  public static Invalidation all(String reason) {
    return new Invalidation(Scope.ALL, Objects.requireNonNull(reason, "reason"), null);
  }

  /**
   * Returns what this invalidation covers.
   *
   * @return the scope
   */
  public Scope scope() {
    return scope;
  }

  /**
   * Returns the key, the pattern's glob, the tag, or the reason, by scope.
   *
   * @return the target
   */
  public String target() {
    return target;
  }

  /**
   * Tells whether an entry (or a load) of a key with tags is covered.
   *
   * @param key the key
   * @param tags the entry's tags
   * @return true if this invalidation removes it
   */
  public boolean covers(String key, Set<String> tags) {
    return switch (scope) {
      case KEY -> target.equals(key);
      case PATTERN -> pattern.matches(key);
      case TAG -> tags.contains(target);
      case ALL -> true;
    };
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Invalidation that && that.scope == scope && that.target.equals(target);
  }

  @Override
  public int hashCode() {
    return scope.hashCode() * 31 + target.hashCode();
  }

  @Override
  public String toString() {
    return "Invalidation{" + scope + " " + target + '}';
  }
}
