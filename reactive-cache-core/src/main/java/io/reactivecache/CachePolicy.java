package io.reactivecache;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How a {@link Cache} view loads, stores and serves values: the rules of {@code cachedMono}. Immutable; create
 * with {@link #builder()}, derive with {@link #toBuilder()}. Every option has a documented default, and
 * {@link Builder#build()} rejects bad values naming the option.
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code ttl}</td><td>the backend's default TTL, else none</td><td>how long a loaded value is
 *       fresh</td></tr>
 *   <tr><td>{@code staleWhileRevalidate}</td><td>0 (off)</td><td>after the TTL, for this long, a stale value is
 *       served at once while one background refresh runs</td></tr>
 *   <tr><td>{@code staleIfError}</td><td>0 (off)</td><td>after the TTL, for this long, a stale value is served
 *       when the loader fails</td></tr>
 *   <tr><td>{@code emptyTtl}</td><td>0 (empty not cached)</td><td>how long "the loader returned empty" is cached
 *       (negative caching)</td></tr>
 *   <tr><td>{@code errorTtl}</td><td>0 (errors not cached)</td><td>how long a loader error is replayed to callers
 *       of the same key, in this process, instead of loading again</td></tr>
 *   <tr><td>{@code ttlJitter}</td><td>0</td><td>each TTL is shortened by a random share up to this fraction
 *       (0 to 1), so keys written together do not expire together</td></tr>
 *   <tr><td>{@code preventStampede}</td><td>true</td><td>concurrent misses of a key share one load</td></tr>
 *   <tr><td>{@code tags}</td><td>none</td><td>models/tags every entry written through the view carries, so
 *       {@link CacheManager#invalidateTag(String)} removes them</td></tr>
 *   <tr><td>{@code maxElements}</td><td>10,000</td><td>the longest {@code Flux} result that is stored; a longer
 *       one reaches its callers but is not stored</td></tr>
 *   <tr><td>{@code recordStats}</td><td>true</td><td>count loads, stale reads and coalesced loads</td></tr>
 * </table>
 */
public final class CachePolicy {
  private static final CachePolicy DEFAULTS = new Builder().build();

  private final Duration ttl;
  private final Duration staleWhileRevalidate;
  private final Duration staleIfError;
  private final Duration emptyTtl;
  private final Duration errorTtl;
  private final double ttlJitter;
  private final boolean preventStampede;
  private final Set<String> tags;
  private final int maxElements;
  private final boolean recordStats;

  private CachePolicy(Builder b) {
    this.ttl = b.ttl;
    this.staleWhileRevalidate = b.staleWhileRevalidate;
    this.staleIfError = b.staleIfError;
    this.emptyTtl = b.emptyTtl;
    this.errorTtl = b.errorTtl;
    this.ttlJitter = b.ttlJitter;
    this.preventStampede = b.preventStampede;
    this.tags = Set.copyOf(b.tags);
    this.maxElements = b.maxElements;
    this.recordStats = b.recordStats;
  }

  /**
   * Returns the policy with every default.
   *
   * @return the default policy
   */
  public static CachePolicy defaults() {
    return DEFAULTS;
  }

  /**
   * Starts a policy from the defaults.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts a policy from this one.
   *
   * @return a builder holding this policy's values
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.ttl = ttl;
    b.staleWhileRevalidate = staleWhileRevalidate;
    b.staleIfError = staleIfError;
    b.emptyTtl = emptyTtl;
    b.errorTtl = errorTtl;
    b.ttlJitter = ttlJitter;
    b.preventStampede = preventStampede;
    b.tags = tags;
    b.maxElements = maxElements;
    b.recordStats = recordStats;
    return b;
  }

  /**
   * Returns the time a loaded value stays fresh, if set.
   *
   * @return the TTL, or empty to use the backend's default
   */
  public Optional<Duration> ttl() {
    return Optional.ofNullable(ttl);
  }

  /**
   * Returns the stale-while-revalidate window.
   *
   * @return the window; zero when off
   */
  public Duration staleWhileRevalidate() {
    return staleWhileRevalidate;
  }

  /**
   * Returns the stale-if-error window.
   *
   * @return the window; zero when off
   */
  public Duration staleIfError() {
    return staleIfError;
  }

  /**
   * Returns how long an empty result is cached.
   *
   * @return the TTL of empty results; zero when they are not cached
   */
  public Duration emptyTtl() {
    return emptyTtl;
  }

  /**
   * Returns how long a loader error is replayed.
   *
   * @return the TTL of errors; zero when errors are not cached
   */
  public Duration errorTtl() {
    return errorTtl;
  }

  /**
   * Returns the largest random share by which a TTL is shortened.
   *
   * @return a fraction from 0 to 1
   */
  public double ttlJitter() {
    return ttlJitter;
  }

  /**
   * Tells whether concurrent misses of a key share one load.
   *
   * @return true by default
   */
  public boolean preventStampede() {
    return preventStampede;
  }

  /**
   * Returns the tags every entry written with this policy carries.
   *
   * @return the tags
   */
  public Set<String> tags() {
    return tags;
  }

  /**
   * Returns the longest {@code Flux} result that is stored.
   *
   * @return the bound on elements
   */
  public int maxElements() {
    return maxElements;
  }

  /**
   * Tells whether loads, stale reads and coalesced loads are counted.
   *
   * @return true by default
   */
  public boolean recordStats() {
    return recordStats;
  }

  /**
   * Returns how long after the TTL an entry may still be served (the larger of the two stale windows).
   *
   * @return the stale window; zero when neither is on
   */
  public Duration staleWindow() {
    return staleWhileRevalidate.compareTo(staleIfError) >= 0 ? staleWhileRevalidate : staleIfError;
  }

  @Override
  public String toString() {
    return "CachePolicy{ttl=" + ttl + ", staleWhileRevalidate=" + staleWhileRevalidate + ", staleIfError="
        + staleIfError + ", emptyTtl=" + emptyTtl + ", errorTtl=" + errorTtl + ", ttlJitter=" + ttlJitter
        + ", preventStampede=" + preventStampede + ", tags=" + tags + ", maxElements=" + maxElements
        + ", recordStats=" + recordStats + '}';
  }

  /** Builds a {@link CachePolicy}. Not thread-safe. */
  public static final class Builder {
    private Duration ttl;
    private Duration staleWhileRevalidate = Duration.ZERO;
    private Duration staleIfError = Duration.ZERO;
    private Duration emptyTtl = Duration.ZERO;
    private Duration errorTtl = Duration.ZERO;
    private double ttlJitter;
    private boolean preventStampede = true;
    private Set<String> tags = Set.of();
    private int maxElements = 10_000;
    private boolean recordStats = true;

    private Builder() {}

    /**
     * Sets how long a loaded value is fresh.
     *
     * @param ttl a positive duration
     * @return this builder
     */
    public Builder ttl(Duration ttl) {
      this.ttl = ttl;
      return this;
    }

    /**
     * Serves stale values at once, for this long after the TTL, while one background refresh runs.
     *
     * @param window a duration, zero to turn it off
     * @return this builder
     */
    public Builder staleWhileRevalidate(Duration window) {
      this.staleWhileRevalidate = window;
      return this;
    }

    /**
     * Serves stale values, for this long after the TTL, when the loader fails.
     *
     * @param window a duration, zero to turn it off
     * @return this builder
     */
    public Builder staleIfError(Duration window) {
      this.staleIfError = window;
      return this;
    }

    /**
     * Caches "the loader returned empty" for this long.
     *
     * @param ttl a duration, zero to not cache empty results
     * @return this builder
     */
    public Builder emptyTtl(Duration ttl) {
      this.emptyTtl = ttl;
      return this;
    }

    /**
     * Replays a loader error to callers of the same key for this long, instead of loading again.
     *
     * @param ttl a duration, zero to not cache errors
     * @return this builder
     */
    public Builder errorTtl(Duration ttl) {
      this.errorTtl = ttl;
      return this;
    }

    /**
     * Shortens each TTL by a random share up to {@code fraction}.
     *
     * @param fraction from 0 (no jitter) to 1
     * @return this builder
     */
    public Builder ttlJitter(double fraction) {
      this.ttlJitter = fraction;
      return this;
    }

    /**
     * Chooses whether concurrent misses of a key share one load.
     *
     * @param prevent true (the default) to share loads
     * @return this builder
     */
    public Builder preventStampede(boolean prevent) {
      this.preventStampede = prevent;
      return this;
    }

    /**
     * Tags every entry written with this policy, so invalidating any of the tags (models) removes it.
     *
     * @param tags the tags
     * @return this builder
     */
    public Builder tags(Set<String> tags) {
      this.tags = Objects.requireNonNull(tags, "tags");
      return this;
    }

    /**
     * Sets the longest {@code Flux} result that is stored.
     *
     * @param maxElements at least 1
     * @return this builder
     */
    public Builder maxElements(int maxElements) {
      this.maxElements = maxElements;
      return this;
    }

    /**
     * Chooses whether loads, stale reads and coalesced loads are counted.
     *
     * @param record true (the default) to count them
     * @return this builder
     */
    public Builder recordStats(boolean record) {
      this.recordStats = record;
      return this;
    }

    /**
     * Validates and builds the policy.
     *
     * @return the policy
     * @throws CacheConfigurationException naming the first invalid option and its value
     */
    public CachePolicy build() {
      if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
        throw CacheConfigurationException.invalid("ttl", ttl, "a positive duration");
      }
      requireNotNegative("staleWhileRevalidate", staleWhileRevalidate);
      requireNotNegative("staleIfError", staleIfError);
      requireNotNegative("emptyTtl", emptyTtl);
      requireNotNegative("errorTtl", errorTtl);
      if (!(ttlJitter >= 0.0 && ttlJitter <= 1.0)) {
        throw CacheConfigurationException.invalid("ttlJitter", ttlJitter, "a fraction from 0 to 1");
      }
      for (String tag : tags) {
        if (tag == null || tag.isEmpty()) {
          throw CacheConfigurationException.invalid("tags", tags, "non-empty tag names");
        }
      }
      if (maxElements < 1) {
        throw CacheConfigurationException.invalid("maxElements", maxElements, "at least 1");
      }
      return new CachePolicy(this);
    }

    private static void requireNotNegative(String option, Duration value) {
      if (value == null || value.isNegative()) {
        throw CacheConfigurationException.invalid(option, value, "zero or a positive duration");
      }
    }
  }
}
