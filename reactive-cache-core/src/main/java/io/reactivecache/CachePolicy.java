package io.reactivecache;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link Cache} view loads, stores and serves values: the rules of {@code cachedMono}. Immutable; create
 * with {@link #builder()}, derive with {@link #toBuilder()}. Every option has a documented default that changes
 * nothing unless set, and {@link Builder#build()} rejects bad values naming the option.
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code ttl}</td><td>the backend's default TTL, else none</td><td>how long a loaded value is fresh: a
 *       fixed duration, or computed from each loaded value ({@link Builder#ttl(Function)})</td></tr>
 *   <tr><td>{@code staleWhileRevalidate}</td><td>0 (off)</td><td>after the TTL, for this long, a stale value is
 *       served at once while one background refresh runs</td></tr>
 *   <tr><td>{@code staleIfError}</td><td>0 (off)</td><td>after the TTL, for this long, a stale value is served
 *       when the loader fails or times out</td></tr>
 *   <tr><td>{@code emptyTtl}</td><td>0 (empty not cached)</td><td>how long "the loader returned empty" is cached
 *       (negative caching)</td></tr>
 *   <tr><td>{@code errorTtl}</td><td>0 (errors not cached)</td><td>how long a loader error is replayed to callers
 *       of the same key and policy, in this process, instead of loading again</td></tr>
 *   <tr><td>{@code ttlJitter}</td><td>0</td><td>each TTL is shortened by a random share up to this fraction
 *       (0 to 1), so keys written together do not expire together</td></tr>
 *   <tr><td>{@code earlyRefresh}</td><td>{@value #DEFAULT_EARLY_REFRESH} (off)</td><td>β of probabilistic early
 *       refresh (XFetch): a fresh hit refreshes in the background when
 *       {@code now − loadTime · β · ln(random) ≥ freshUntil}, so a slow-to-load key is refreshed before it expires
 *       and no herd forms at expiry; 1 is the usual value</td></tr>
 *   <tr><td>{@code softTimeout}</td><td>0 (off)</td><td>a caller that has a stale value (within
 *       {@code staleIfError}) waits this long for a load, then gets the stale value while the load goes on in the
 *       background and is stored</td></tr>
 *   <tr><td>{@code loadTimeout}</td><td>0 (off)</td><td>a load running longer is cancelled and fails with
 *       {@link CacheLoadTimeoutException}; applies to background refreshes too</td></tr>
 *   <tr><td>{@code preventStampede}</td><td>true</td><td>concurrent misses of a key share one load</td></tr>
 *   <tr><td>{@code tags}</td><td>none</td><td>tags every entry written through the view carries, so
 *       {@link CacheManager#invalidateTag(String)} removes them</td></tr>
 *   <tr><td>{@code maxElements}</td><td>{@value #DEFAULT_MAX_ELEMENTS}</td><td>the longest {@code Flux} result
 *       that is stored (and buffered); a longer one streams to its callers but is not stored</td></tr>
 *   <tr><td>{@code recordStats}</td><td>true</td><td>count loads, stale reads and coalesced loads</td></tr>
 * </table>
 *
 * <p>Durations too long to count in milliseconds (such as {@code Duration.ofSeconds(Long.MAX_VALUE)}) are accepted
 * and mean "for ever".
 */
public final class CachePolicy {
  /** Default of {@link Builder#maxElements(int)}. */
  public static final int DEFAULT_MAX_ELEMENTS = 10_000;
  /** Default of {@link Builder#earlyRefresh(double)}: off. */
  public static final double DEFAULT_EARLY_REFRESH = 0.0;

  private static final CachePolicy DEFAULTS = new Builder().build();

  private final @Nullable Duration ttl;
  private final @Nullable Function<Object, Duration> ttlOfValue;
  private final Duration staleWhileRevalidate;
  private final Duration staleIfError;
  private final Duration emptyTtl;
  private final Duration errorTtl;
  private final double ttlJitter;
  private final double earlyRefresh;
  private final Duration softTimeout;
  private final Duration loadTimeout;
  private final boolean preventStampede;
  private final Set<String> tags;
  private final int maxElements;
  private final boolean recordStats;
  // Milliseconds, saturated, computed once: the engine reads them on every stale or missing entry.
  final long staleWhileRevalidateMillis;
  final long staleIfErrorMillis;
  final long staleWindowMillis;
  final long emptyTtlMillis;
  final long errorTtlMillis;
  /** 0 when off, or when so long that no timer can count it. */
  final long softTimeoutMillis;
  final long loadTimeoutMillis;

  private CachePolicy(Builder b) {
    this.ttl = b.ttl;
    this.ttlOfValue = b.ttlOfValue;
    this.staleWhileRevalidate = b.staleWhileRevalidate;
    this.staleIfError = b.staleIfError;
    this.emptyTtl = b.emptyTtl;
    this.errorTtl = b.errorTtl;
    this.ttlJitter = b.ttlJitter;
    this.earlyRefresh = b.earlyRefresh;
    this.softTimeout = b.softTimeout;
    this.loadTimeout = b.loadTimeout;
    this.preventStampede = b.preventStampede;
    this.tags = Set.copyOf(b.tags);
    this.maxElements = b.maxElements;
    this.recordStats = b.recordStats;
    this.staleWhileRevalidateMillis = Durations.toMillis(staleWhileRevalidate);
    this.staleIfErrorMillis = Durations.toMillis(staleIfError);
    this.staleWindowMillis = Math.max(staleWhileRevalidateMillis, staleIfErrorMillis);
    this.emptyTtlMillis = Durations.toMillis(emptyTtl);
    this.errorTtlMillis = Durations.toMillis(errorTtl);
    this.softTimeoutMillis = Durations.timerMillis(softTimeout);
    this.loadTimeoutMillis = Durations.timerMillis(loadTimeout);
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
    b.ttlOfValue = ttlOfValue;
    b.staleWhileRevalidate = staleWhileRevalidate;
    b.staleIfError = staleIfError;
    b.emptyTtl = emptyTtl;
    b.errorTtl = errorTtl;
    b.ttlJitter = ttlJitter;
    b.earlyRefresh = earlyRefresh;
    b.softTimeout = softTimeout;
    b.loadTimeout = loadTimeout;
    b.preventStampede = preventStampede;
    b.tags = tags;
    b.maxElements = maxElements;
    b.recordStats = recordStats;
    return b;
  }

  /**
   * Returns the fixed time a loaded value stays fresh, if set.
   *
   * @return the TTL, or empty when it is computed from the value ({@link #ttlOfValue()}) or left to the backend's
   *     default
   */
  public Optional<Duration> ttl() {
    return Optional.ofNullable(ttl);
  }

  /**
   * Returns the function computing each loaded value's TTL, if set.
   *
   * @return the function, or empty
   */
  public Optional<Function<Object, Duration>> ttlOfValue() {
    return Optional.ofNullable(ttlOfValue);
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
   * Returns β of probabilistic early refresh.
   *
   * @return β, at least 0; 0 when off
   */
  public double earlyRefresh() {
    return earlyRefresh;
  }

  /**
   * Returns how long a caller holding a stale value waits for a load before it is served the stale value.
   *
   * @return the soft timeout; zero when off
   */
  public Duration softTimeout() {
    return softTimeout;
  }

  /**
   * Returns how long a load may run before it is cancelled and fails with {@link CacheLoadTimeoutException}.
   *
   * @return the hard timeout; zero when off
   */
  public Duration loadTimeout() {
    return loadTimeout;
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
    return "CachePolicy{ttl=" + (ttlOfValue != null ? "computed from the value" : ttl)
        + ", staleWhileRevalidate=" + staleWhileRevalidate + ", staleIfError=" + staleIfError + ", emptyTtl="
        + emptyTtl + ", errorTtl=" + errorTtl + ", ttlJitter=" + ttlJitter + ", earlyRefresh=" + earlyRefresh
        + ", softTimeout=" + softTimeout + ", loadTimeout=" + loadTimeout + ", preventStampede=" + preventStampede
        + ", tags=" + tags + ", maxElements=" + maxElements + ", recordStats=" + recordStats + '}';
  }

  /** Builds a {@link CachePolicy}. Not thread-safe. */
  public static final class Builder {
    private @Nullable Duration ttl;
    private @Nullable Function<Object, Duration> ttlOfValue;
    private @Nullable Duration staleWhileRevalidate = Duration.ZERO;
    private @Nullable Duration staleIfError = Duration.ZERO;
    private @Nullable Duration emptyTtl = Duration.ZERO;
    private @Nullable Duration errorTtl = Duration.ZERO;
    private double ttlJitter;
    private double earlyRefresh = DEFAULT_EARLY_REFRESH;
    private @Nullable Duration softTimeout = Duration.ZERO;
    private @Nullable Duration loadTimeout = Duration.ZERO;
    private boolean preventStampede = true;
    private @Nullable Set<String> tags = Set.of();
    private int maxElements = DEFAULT_MAX_ELEMENTS;
    private boolean recordStats = true;

    private Builder() {}

    /**
     * Sets how long a loaded value is fresh (replacing a TTL function set before).
     *
     * @param ttl a positive duration, or null for the backend's default TTL (the default)
     * @return this builder
     */
    public Builder ttl(@Nullable Duration ttl) {
      this.ttl = ttl;
      this.ttlOfValue = null;
      return this;
    }

    /**
     * Computes each loaded value's TTL from the value itself (replacing a fixed TTL set before): for example a token
     * that is fresh until it expires, or premium users kept longer. A zero or negative result means "do not store
     * this value" (it still reaches its callers). An exception thrown by the function fails the load with it.
     * Declare the parameter's type in the lambda: {@code .ttl((Token t) -> Duration.between(now, t.expiry()))}.
     * Empty results use {@link #emptyTtl(Duration)}.
     *
     * @param ttlOfValue computes the TTL of a loaded value
     * @param <V> the value type it accepts (the view's type)
     * @return this builder
     */
    @SuppressWarnings("unchecked")
    public <V> Builder ttl(Function<? super V, Duration> ttlOfValue) {
      if (ttlOfValue == null) {
        throw CacheConfigurationException.invalid("ttl", "null", "a function of the value (or a Duration)");
      }
      this.ttlOfValue = (Function<Object, Duration>) ttlOfValue;
      this.ttl = null;
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
     * Serves stale values, for this long after the TTL, when the loader fails or times out.
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
     * Replays a loader error to callers of the same key and policy for this long, instead of loading again. A write
     * or invalidation of the key forgets it; a stale value the policy may serve is served instead of it.
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
     * Turns on probabilistic early refresh (XFetch, Vattani et al., VLDB 2015) with this β: a fresh hit starts one
     * background refresh when {@code now − Δ · β · ln(random) ≥ freshUntil}, where Δ is how long the entry's value
     * took to load (kept with the entry). Larger β refreshes earlier; 1 is the paper's recommendation. At most one
     * refresh per key runs in this process. Entries whose load time is unknown (written with {@code put}) are not
     * refreshed early.
     *
     * @param beta at least 0; 0 turns it off (the default)
     * @return this builder
     */
    public Builder earlyRefresh(double beta) {
      this.earlyRefresh = beta;
      return this;
    }

    /**
     * Serves a caller its stale value (kept by {@link #staleIfError(Duration)}) once a load has run this long; the
     * load goes on in the background and is stored when it completes. Callers without a stale value keep waiting.
     *
     * @param timeout a duration, zero to turn it off; shorter than {@link #loadTimeout(Duration)} when both are set
     * @return this builder
     */
    public Builder softTimeout(Duration timeout) {
      this.softTimeout = timeout;
      return this;
    }

    /**
     * Cancels a load that runs longer than this and fails its callers with {@link CacheLoadTimeoutException} (or
     * serves them a stale value within {@link #staleIfError(Duration)}). Applies to background refreshes too, so a
     * hung loader never holds a key.
     *
     * @param timeout a duration, zero to turn it off
     * @return this builder
     */
    public Builder loadTimeout(Duration timeout) {
      this.loadTimeout = timeout;
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
     * Tags every entry written with this policy, so invalidating any of the tags removes it.
     *
     * @param tags the tags
     * @return this builder
     */
    public Builder tags(Set<String> tags) {
      this.tags = tags;
      return this;
    }

    /**
     * Sets the longest {@code Flux} result that is stored (and buffered for callers that join a load).
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
      requireNotNegative("softTimeout", softTimeout);
      requireNotNegative("loadTimeout", loadTimeout);
      if (!(ttlJitter >= 0.0 && ttlJitter <= 1.0)) {
        throw CacheConfigurationException.invalid("ttlJitter", ttlJitter, "a fraction from 0 to 1");
      }
      if (!(earlyRefresh >= 0.0) || Double.isInfinite(earlyRefresh)) {
        throw CacheConfigurationException.invalid("earlyRefresh", earlyRefresh,
            "a finite β of at least 0 (0 turns early refresh off; 1 is usual)");
      }
      if (!softTimeout.isZero() && !loadTimeout.isZero() && softTimeout.compareTo(loadTimeout) >= 0) {
        throw CacheConfigurationException.invalid("softTimeout", softTimeout,
            "a duration shorter than loadTimeout (" + loadTimeout + "), or zero");
      }
      if (tags == null) {
        throw CacheConfigurationException.invalid("tags", "null", "a set of tag names (empty for none)");
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

    private static void requireNotNegative(String option, @Nullable Duration value) {
      if (value == null || value.isNegative()) {
        throw CacheConfigurationException.invalid(option, value, "zero or a positive duration");
      }
    }
  }
}
