package io.reactivecache.spring.boot;

import io.reactivecache.Strategy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code reactive-cache.*} properties: named backends, the default one, and a policy per cache.
 *
 * <pre>
 * reactive-cache.backends.main.type=redis
 * reactive-cache.backends.main.redis.url=redis://localhost:6379
 * reactive-cache.caches.products.ttl=5m
 * </pre>
 *
 * <p>With no backend configured, one memory backend named {@code memory} is used. Values are checked when the
 * application starts: a bad one fails start-up with a message naming the property and the value.
 */
@ConfigurationProperties("reactive-cache")
public class ReactiveCacheProperties {
  /** Whether to set up reactive-cache at all. */
  private boolean enabled = true;

  /** Name of the backend caches use when they name none. Default: the first backend declared. */
  private String defaultBackend;

  /** Backends by name. Default: one memory backend named "memory". */
  private Map<String, Backend> backends = new LinkedHashMap<>();

  /** Policy of caches that are not listed under reactive-cache.caches. */
  private Policy defaultPolicy = new Policy();

  /** Caches (the names used in @Cacheable) with their policies. */
  private Map<String, CacheSpec> caches = new LinkedHashMap<>();

  /** The Spring cache abstraction (@Cacheable, @CachePut, @CacheEvict). */
  private SpringCache springCache = new SpringCache();

  /**
   * Tells whether reactive-cache is set up.
   *
   * @return true by default
   */
  public boolean isEnabled() {
    return enabled;
  }

  /**
   * Sets whether reactive-cache is set up.
   *
   * @param enabled false to set up nothing
   */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /**
   * Returns the default backend's name.
   *
   * @return the name, or null for the first backend
   */
  public String getDefaultBackend() {
    return defaultBackend;
  }

  /**
   * Sets the default backend's name.
   *
   * @param defaultBackend a key of {@link #getBackends()}
   */
  public void setDefaultBackend(String defaultBackend) {
    this.defaultBackend = defaultBackend;
  }

  /**
   * Returns the backends by name.
   *
   * @return the backends
   */
  public Map<String, Backend> getBackends() {
    return backends;
  }

  /**
   * Sets the backends by name.
   *
   * @param backends the backends
   */
  public void setBackends(Map<String, Backend> backends) {
    this.backends = backends;
  }

  /**
   * Returns the policy of caches not listed.
   *
   * @return the default policy
   */
  public Policy getDefaultPolicy() {
    return defaultPolicy;
  }

  /**
   * Sets the policy of caches not listed.
   *
   * @param defaultPolicy the policy
   */
  public void setDefaultPolicy(Policy defaultPolicy) {
    this.defaultPolicy = defaultPolicy;
  }

  /**
   * Returns the caches by name.
   *
   * @return the caches
   */
  public Map<String, CacheSpec> getCaches() {
    return caches;
  }

  /**
   * Sets the caches by name.
   *
   * @param caches the caches
   */
  public void setCaches(Map<String, CacheSpec> caches) {
    this.caches = caches;
  }

  /**
   * Returns the Spring cache abstraction settings.
   *
   * @return the settings
   */
  public SpringCache getSpringCache() {
    return springCache;
  }

  /**
   * Sets the Spring cache abstraction settings.
   *
   * @param springCache the settings
   */
  public void setSpringCache(SpringCache springCache) {
    this.springCache = springCache;
  }

  /** The kinds of backend. */
  public enum BackendType {
    /** In this process, on Caffeine (needs reactive-cache-memory, which the starter brings). */
    MEMORY,
    /** Redis, through Lettuce (needs reactive-cache-redis). */
    REDIS
  }

  /** What serves while a Redis backend fails. */
  public enum Fallback {
    /** A memory backend of the same size serves while Redis fails; Redis is used again once it answers. */
    MEMORY,
    /** Nothing: while Redis fails, reads miss and writes are skipped (callers of cached loads still get values). */
    NONE
  }

  /** One backend. */
  public static class Backend {
    /** The kind of backend. */
    private BackendType type = BackendType.MEMORY;

    /** Largest number of entries (memory; Redis under the lru and lfu strategies). Default: 1000. */
    private Long maximumSize;

    /** Time to live of values written without one (a cache's ttl takes precedence). Default: none. */
    private Duration defaultTtl;

    /** Eviction strategy: ttl (W-TinyLFU with per-entry expiry), lru or lfu. */
    private Strategy strategy = Strategy.TTL;

    /** Redis connection and resilience settings (type redis only). */
    private Redis redis = new Redis();

    /** What serves while Redis fails (type redis only). */
    private Fallback fallback = Fallback.MEMORY;

    /** A memory level in front of Redis (type redis only). */
    private NearCache nearCache = new NearCache();

    /**
     * Returns the kind of backend.
     *
     * @return the type
     */
    public BackendType getType() {
      return type;
    }

    /**
     * Sets the kind of backend.
     *
     * @param type the type
     */
    public void setType(BackendType type) {
      this.type = type;
    }

    /**
     * Returns the largest number of entries.
     *
     * @return the size, or null for the default
     */
    public Long getMaximumSize() {
      return maximumSize;
    }

    /**
     * Sets the largest number of entries.
     *
     * @param maximumSize at least 1
     */
    public void setMaximumSize(Long maximumSize) {
      this.maximumSize = maximumSize;
    }

    /**
     * Returns the TTL of values written without one.
     *
     * @return the TTL, or null for none
     */
    public Duration getDefaultTtl() {
      return defaultTtl;
    }

    /**
     * Sets the TTL of values written without one.
     *
     * @param defaultTtl a positive duration
     */
    public void setDefaultTtl(Duration defaultTtl) {
      this.defaultTtl = defaultTtl;
    }

    /**
     * Returns the eviction strategy.
     *
     * @return the strategy
     */
    public Strategy getStrategy() {
      return strategy;
    }

    /**
     * Sets the eviction strategy.
     *
     * @param strategy the strategy
     */
    public void setStrategy(Strategy strategy) {
      this.strategy = strategy;
    }

    /**
     * Returns the Redis settings.
     *
     * @return the settings
     */
    public Redis getRedis() {
      return redis;
    }

    /**
     * Sets the Redis settings.
     *
     * @param redis the settings
     */
    public void setRedis(Redis redis) {
      this.redis = redis;
    }

    /**
     * Returns what serves while Redis fails.
     *
     * @return the fallback
     */
    public Fallback getFallback() {
      return fallback;
    }

    /**
     * Sets what serves while Redis fails.
     *
     * @param fallback the fallback
     */
    public void setFallback(Fallback fallback) {
      this.fallback = fallback;
    }

    /**
     * Returns the near cache settings.
     *
     * @return the settings
     */
    public NearCache getNearCache() {
      return nearCache;
    }

    /**
     * Sets the near cache settings.
     *
     * @param nearCache the settings
     */
    public void setNearCache(NearCache nearCache) {
      this.nearCache = nearCache;
    }
  }

  /** Redis settings; unset ones keep the Redis backend's defaults. */
  public static class Redis {
    /**
     * Where Redis is: redis://[user:password@]host[:port][/db], rediss:// for TLS, or
     * redis-sentinel://[user:password@]host:port[,host:port...][/db]#master for a master watched by Sentinel.
     */
    private String url;

    /** The seed nodes of a Redis Cluster (redis:// or rediss:// URLs), instead of url. */
    private List<String> clusterNodes;

    /** The password of the sentinels themselves, when they require one (with a redis-sentinel:// url). */
    private String sentinelPassword;

    /** Longest wait between two reconnect attempts (jittered). Default: 500ms. */
    private Duration maxReconnectDelay;

    /** Prefix of every key; the limit of what clearing a cache can reach. Default: reactive-cache. */
    private String namespace;

    /** Time one attempt of one command may take. Default: 500ms. */
    private Duration commandTimeout;

    /** Time to open the connection. Default: 2s. */
    private Duration connectTimeout;

    /** Retries of a command after a transient failure (0: no retry). Default: 2. */
    private Integer retryAttempts;

    /** Wait before the first retry; doubles each time, with jitter. Default: 50ms. */
    private Duration retryBackoff;

    /** Consecutive failed attempts that open the circuit breaker. Default: 5. */
    private Integer circuitBreakerThreshold;

    /** Time the circuit breaker stays open before one probe. Default: 5s. */
    private Duration circuitBreakerWaitDuration;

    /** Largest encoded entry written, and the read limit for documents. Default: 1 MiB. */
    private Integer maxValueBytes;

    /** Deepest JSON nesting accepted on read. Default: 500. */
    private Integer maxNestingDepth;

    /** PEM file of the certificate authorities trusted for rediss:// instead of the JDK's. */
    private Path trustedCertificates;

    /**
     * Returns the URL.
     *
     * @return the URL, or null for redis://localhost:6379/0
     */
    public String getUrl() {
      return url;
    }

    /**
     * Sets the URL.
     *
     * @param url the URL
     */
    public void setUrl(String url) {
      this.url = url;
    }

    /**
     * Returns the seed nodes of a Redis Cluster.
     *
     * @return the node URLs, or null for one node (or Sentinel) at url
     */
    public List<String> getClusterNodes() {
      return clusterNodes;
    }

    /**
     * Sets the seed nodes of a Redis Cluster.
     *
     * @param clusterNodes node URLs
     */
    public void setClusterNodes(List<String> clusterNodes) {
      this.clusterNodes = clusterNodes;
    }

    /**
     * Returns the sentinels' own password.
     *
     * @return the password, or null if the sentinels need none
     */
    public String getSentinelPassword() {
      return sentinelPassword;
    }

    /**
     * Sets the sentinels' own password.
     *
     * @param sentinelPassword the password
     */
    public void setSentinelPassword(String sentinelPassword) {
      this.sentinelPassword = sentinelPassword;
    }

    /**
     * Returns the longest wait between two reconnect attempts.
     *
     * @return the delay, or null for the default
     */
    public Duration getMaxReconnectDelay() {
      return maxReconnectDelay;
    }

    /**
     * Sets the longest wait between two reconnect attempts.
     *
     * @param maxReconnectDelay a positive duration
     */
    public void setMaxReconnectDelay(Duration maxReconnectDelay) {
      this.maxReconnectDelay = maxReconnectDelay;
    }

    /**
     * Returns the key prefix.
     *
     * @return the namespace, or null for the default
     */
    public String getNamespace() {
      return namespace;
    }

    /**
     * Sets the key prefix.
     *
     * @param namespace the namespace
     */
    public void setNamespace(String namespace) {
      this.namespace = namespace;
    }

    /**
     * Returns the command timeout.
     *
     * @return the timeout, or null for the default
     */
    public Duration getCommandTimeout() {
      return commandTimeout;
    }

    /**
     * Sets the command timeout.
     *
     * @param commandTimeout the timeout
     */
    public void setCommandTimeout(Duration commandTimeout) {
      this.commandTimeout = commandTimeout;
    }

    /**
     * Returns the connect timeout.
     *
     * @return the timeout, or null for the default
     */
    public Duration getConnectTimeout() {
      return connectTimeout;
    }

    /**
     * Sets the connect timeout.
     *
     * @param connectTimeout the timeout
     */
    public void setConnectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
    }

    /**
     * Returns the retries per command.
     *
     * @return the retries, or null for the default
     */
    public Integer getRetryAttempts() {
      return retryAttempts;
    }

    /**
     * Sets the retries per command.
     *
     * @param retryAttempts at least 0
     */
    public void setRetryAttempts(Integer retryAttempts) {
      this.retryAttempts = retryAttempts;
    }

    /**
     * Returns the first retry's wait.
     *
     * @return the wait, or null for the default
     */
    public Duration getRetryBackoff() {
      return retryBackoff;
    }

    /**
     * Sets the first retry's wait.
     *
     * @param retryBackoff the wait
     */
    public void setRetryBackoff(Duration retryBackoff) {
      this.retryBackoff = retryBackoff;
    }

    /**
     * Returns the failures that open the breaker.
     *
     * @return the threshold, or null for the default
     */
    public Integer getCircuitBreakerThreshold() {
      return circuitBreakerThreshold;
    }

    /**
     * Sets the failures that open the breaker.
     *
     * @param circuitBreakerThreshold at least 1
     */
    public void setCircuitBreakerThreshold(Integer circuitBreakerThreshold) {
      this.circuitBreakerThreshold = circuitBreakerThreshold;
    }

    /**
     * Returns the time the breaker stays open.
     *
     * @return the wait, or null for the default
     */
    public Duration getCircuitBreakerWaitDuration() {
      return circuitBreakerWaitDuration;
    }

    /**
     * Sets the time the breaker stays open.
     *
     * @param circuitBreakerWaitDuration the wait
     */
    public void setCircuitBreakerWaitDuration(Duration circuitBreakerWaitDuration) {
      this.circuitBreakerWaitDuration = circuitBreakerWaitDuration;
    }

    /**
     * Returns the largest encoded entry.
     *
     * @return bytes, or null for the default
     */
    public Integer getMaxValueBytes() {
      return maxValueBytes;
    }

    /**
     * Sets the largest encoded entry.
     *
     * @param maxValueBytes bytes
     */
    public void setMaxValueBytes(Integer maxValueBytes) {
      this.maxValueBytes = maxValueBytes;
    }

    /**
     * Returns the deepest JSON nesting read.
     *
     * @return the depth, or null for the default
     */
    public Integer getMaxNestingDepth() {
      return maxNestingDepth;
    }

    /**
     * Sets the deepest JSON nesting read.
     *
     * @param maxNestingDepth the depth
     */
    public void setMaxNestingDepth(Integer maxNestingDepth) {
      this.maxNestingDepth = maxNestingDepth;
    }

    /**
     * Returns the trusted certificate file.
     *
     * @return the path, or null for the JDK's trust store
     */
    public Path getTrustedCertificates() {
      return trustedCertificates;
    }

    /**
     * Sets the trusted certificate file.
     *
     * @param trustedCertificates a PEM file
     */
    public void setTrustedCertificates(Path trustedCertificates) {
      this.trustedCertificates = trustedCertificates;
    }
  }

  /**
   * A memory level (L1) in front of Redis (L2). Copies live at most {@code ttl} in L1: that bounds how long this
   * process can serve a value another process changed (cross-instance invalidation is not done yet).
   */
  public static class NearCache {
    /** Whether to put a memory level in front of Redis. */
    private boolean enabled;

    /** Longest time an L1 copy is served. */
    private Duration ttl = Duration.ofSeconds(10);

    /** Largest number of entries in L1. */
    private long maximumSize = 10_000;

    /**
     * Tells whether the near cache is on.
     *
     * @return false by default
     */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Turns the near cache on or off.
     *
     * @param enabled true for a memory level in front of Redis
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /**
     * Returns the longest time an L1 copy is served.
     *
     * @return the TTL
     */
    public Duration getTtl() {
      return ttl;
    }

    /**
     * Sets the longest time an L1 copy is served.
     *
     * @param ttl a positive duration
     */
    public void setTtl(Duration ttl) {
      this.ttl = ttl;
    }

    /**
     * Returns the largest number of L1 entries.
     *
     * @return the size
     */
    public long getMaximumSize() {
      return maximumSize;
    }

    /**
     * Sets the largest number of L1 entries.
     *
     * @param maximumSize at least 1
     */
    public void setMaximumSize(long maximumSize) {
      this.maximumSize = maximumSize;
    }
  }

  /** How a cache loads, stores and serves values; unset options keep the library's defaults. */
  public static class Policy {
    /** How long a loaded value is fresh. Default: the backend's default TTL, else none. */
    private Duration ttl;

    /** After the TTL, for this long, a stale value is served at once while one background refresh runs. */
    private Duration staleWhileRevalidate;

    /** After the TTL, for this long, a stale value is served when the loader fails. */
    private Duration staleIfError;

    /** How long "the method returned empty" is cached. Default: 0, not cached. */
    private Duration emptyTtl;

    /** How long a loader error is replayed instead of loading again, in this process. Default: 0. */
    private Duration errorTtl;

    /** Each TTL is shortened by a random share up to this fraction (0 to 1). */
    private Double ttlJitter;

    /** Whether concurrent misses of a key share one load. Default: true. */
    private Boolean preventStampede;

    /**
     * β of probabilistic early refresh (XFetch): a fresh hit refreshes in the background near expiry, more likely
     * the slower the value is to load. 0 (the default) turns it off; 1 is usual.
     */
    private Double earlyRefresh;

    /** A caller holding a stale value (within stale-if-error) gets it after waiting this long for a load. */
    private Duration softTimeout;

    /** A load running longer is cancelled and fails (or serves the stale value within stale-if-error). */
    private Duration loadTimeout;

    /** Tags every entry written through the cache carries, for invalidation by tag. */
    private Set<String> tags = new LinkedHashSet<>();

    /** Longest sequence stored by the cachedFlux operator. Default: 10000. */
    private Integer maxElements;

    /** Whether loads, stale reads and coalesced loads are counted. Default: true. */
    private Boolean recordStats;

    /**
     * Returns the TTL.
     *
     * @return the TTL, or null
     */
    public Duration getTtl() {
      return ttl;
    }

    /**
     * Sets the TTL.
     *
     * @param ttl a positive duration
     */
    public void setTtl(Duration ttl) {
      this.ttl = ttl;
    }

    /**
     * Returns the stale-while-revalidate window.
     *
     * @return the window, or null
     */
    public Duration getStaleWhileRevalidate() {
      return staleWhileRevalidate;
    }

    /**
     * Sets the stale-while-revalidate window.
     *
     * @param staleWhileRevalidate the window
     */
    public void setStaleWhileRevalidate(Duration staleWhileRevalidate) {
      this.staleWhileRevalidate = staleWhileRevalidate;
    }

    /**
     * Returns the stale-if-error window.
     *
     * @return the window, or null
     */
    public Duration getStaleIfError() {
      return staleIfError;
    }

    /**
     * Sets the stale-if-error window.
     *
     * @param staleIfError the window
     */
    public void setStaleIfError(Duration staleIfError) {
      this.staleIfError = staleIfError;
    }

    /**
     * Returns the TTL of empty results.
     *
     * @return the TTL, or null
     */
    public Duration getEmptyTtl() {
      return emptyTtl;
    }

    /**
     * Sets the TTL of empty results.
     *
     * @param emptyTtl the TTL
     */
    public void setEmptyTtl(Duration emptyTtl) {
      this.emptyTtl = emptyTtl;
    }

    /**
     * Returns the TTL of errors.
     *
     * @return the TTL, or null
     */
    public Duration getErrorTtl() {
      return errorTtl;
    }

    /**
     * Sets the TTL of errors.
     *
     * @param errorTtl the TTL
     */
    public void setErrorTtl(Duration errorTtl) {
      this.errorTtl = errorTtl;
    }

    /**
     * Returns the TTL jitter.
     *
     * @return the fraction, or null
     */
    public Double getTtlJitter() {
      return ttlJitter;
    }

    /**
     * Sets the TTL jitter.
     *
     * @param ttlJitter a fraction from 0 to 1
     */
    public void setTtlJitter(Double ttlJitter) {
      this.ttlJitter = ttlJitter;
    }

    /**
     * Returns β of early refresh.
     *
     * @return β, or null
     */
    public Double getEarlyRefresh() {
      return earlyRefresh;
    }

    /**
     * Sets β of early refresh.
     *
     * @param earlyRefresh at least 0
     */
    public void setEarlyRefresh(Double earlyRefresh) {
      this.earlyRefresh = earlyRefresh;
    }

    /**
     * Returns the soft load timeout.
     *
     * @return the timeout, or null
     */
    public Duration getSoftTimeout() {
      return softTimeout;
    }

    /**
     * Sets the soft load timeout.
     *
     * @param softTimeout the timeout
     */
    public void setSoftTimeout(Duration softTimeout) {
      this.softTimeout = softTimeout;
    }

    /**
     * Returns the hard load timeout.
     *
     * @return the timeout, or null
     */
    public Duration getLoadTimeout() {
      return loadTimeout;
    }

    /**
     * Sets the hard load timeout.
     *
     * @param loadTimeout the timeout
     */
    public void setLoadTimeout(Duration loadTimeout) {
      this.loadTimeout = loadTimeout;
    }

    /**
     * Tells whether concurrent misses share one load.
     *
     * @return the flag, or null
     */
    public Boolean getPreventStampede() {
      return preventStampede;
    }

    /**
     * Sets whether concurrent misses share one load.
     *
     * @param preventStampede the flag
     */
    public void setPreventStampede(Boolean preventStampede) {
      this.preventStampede = preventStampede;
    }

    /**
     * Returns the tags.
     *
     * @return the tags
     */
    public Set<String> getTags() {
      return tags;
    }

    /**
     * Sets the tags.
     *
     * @param tags the tags
     */
    public void setTags(Set<String> tags) {
      this.tags = tags;
    }

    /**
     * Returns the longest stored sequence.
     *
     * @return the bound, or null
     */
    public Integer getMaxElements() {
      return maxElements;
    }

    /**
     * Sets the longest stored sequence.
     *
     * @param maxElements at least 1
     */
    public void setMaxElements(Integer maxElements) {
      this.maxElements = maxElements;
    }

    /**
     * Tells whether statistics are recorded.
     *
     * @return the flag, or null
     */
    public Boolean getRecordStats() {
      return recordStats;
    }

    /**
     * Sets whether statistics are recorded.
     *
     * @param recordStats the flag
     */
    public void setRecordStats(Boolean recordStats) {
      this.recordStats = recordStats;
    }
  }

  /** A cache: its policy, and where it lives. */
  public static class CacheSpec extends Policy {
    /** The backend the cache lives in. Default: the default backend. */
    private String backend;

    /**
     * Type values are decoded into when the cache is used without a method to tell it (CacheManager.getCache).
     * Methods annotated with @Cacheable always decode into their own declared type.
     */
    private Class<?> valueType;

    /**
     * Returns the backend's name.
     *
     * @return the name, or null for the default backend
     */
    public String getBackend() {
      return backend;
    }

    /**
     * Sets the backend's name.
     *
     * @param backend a key of reactive-cache.backends
     */
    public void setBackend(String backend) {
      this.backend = backend;
    }

    /**
     * Returns the value type for use without a method.
     *
     * @return the type, or null for Object
     */
    public Class<?> getValueType() {
      return valueType;
    }

    /**
     * Sets the value type for use without a method.
     *
     * @param valueType the type
     */
    public void setValueType(Class<?> valueType) {
      this.valueType = valueType;
    }
  }

  /** The Spring cache abstraction. */
  public static class SpringCache {
    /** Whether to provide Spring's CacheManager (for @Cacheable) backed by reactive-cache. */
    private boolean enabled = true;

    /** Whether caches not listed under reactive-cache.caches are created on first use, with the default policy. */
    private boolean dynamic = true;

    /**
     * Tells whether the Spring CacheManager is provided.
     *
     * @return true by default
     */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Sets whether the Spring CacheManager is provided.
     *
     * @param enabled false to leave Spring's cache abstraction alone
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /**
     * Tells whether unlisted caches are created on first use.
     *
     * @return true by default
     */
    public boolean isDynamic() {
      return dynamic;
    }

    /**
     * Sets whether unlisted caches are created on first use.
     *
     * @param dynamic false to refuse cache names not listed
     */
    public void setDynamic(boolean dynamic) {
      this.dynamic = dynamic;
    }
  }
}
