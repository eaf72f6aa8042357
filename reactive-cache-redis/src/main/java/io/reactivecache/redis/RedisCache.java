package io.reactivecache.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.reactivecache.CacheConfigurationException;
import io.reactivecache.Strategy;
import io.reactivecache.spi.BackendSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.TrustManagerFactory;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/**
 * Entry point of the Redis backend: {@code RedisCache.builder()...build()} returns a {@link RedisCacheBackend}.
 *
 * <pre>{@code
 * CacheBackend redis = RedisCache.builder()
 *     .url("redis://user:secret@redis.internal:6379/0")
 *     .namespace("orders-service")
 *     .defaultTtl(Duration.ofMinutes(5))
 *     .build();
 * }</pre>
 *
 * <p>Building validates every option at once and opens nothing: the connection is made on first use, so an
 * application starts even while Redis is down (operations then fail fast with a
 * {@link io.reactivecache.CacheBackendException}, which a fallback backend can absorb).
 */
public final class RedisCache {
  /** The largest value Redis accepts in one string, 512 MiB. */
  static final int REDIS_MAX_VALUE = 512 * 1024 * 1024;
  /**
   * The longest timeout, backoff or wait accepted. Lettuce and Netty turn some of them into int milliseconds or
   * long nanoseconds, and a cache that waits a day for one answer is misconfigured anyway.
   */
  static final Duration MAX_WAIT = Duration.ofDays(1);
  /** The longest default time to live accepted: 100 years, far from any overflow of epoch milliseconds. */
  static final Duration MAX_TTL = Duration.ofDays(36_500);
  /** The most retries accepted. */
  static final int MAX_RETRIES = 10;
  /**
   * The highest breaker threshold accepted. Resilience4j's count-based window allocates one slot per call of the
   * threshold, so {@code Integer.MAX_VALUE} would be an OutOfMemoryError.
   */
  static final int MAX_BREAKER_THRESHOLD = 10_000;

  /** Where Redis is when neither {@code url} nor {@code clusterNodes} is set. */
  static final String DEFAULT_URL = "redis://localhost:6379/0";

  private RedisCache() {}

  /**
   * Returns a builder with the documented defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Configures a {@link RedisCacheBackend}. Not thread-safe; {@link #build()} validates and copies the options,
   * so a builder may be reused.
   */
  public static final class Builder {
    private String name = "redis";
    private String url;
    /** Whether {@link #url(String)} was called (even with null, which is then refused): unset means the default. */
    private boolean urlSet;
    private List<String> clusterNodes;
    private String namespace = "reactive-cache";
    private Duration commandTimeout = Duration.ofMillis(500);
    private Duration connectTimeout = Duration.ofSeconds(2);
    private int retryAttempts = 2;
    private Duration retryBackoff = Duration.ofMillis(50);
    private int circuitBreakerThreshold = 5;
    private Duration circuitBreakerWaitDuration = Duration.ofSeconds(5);
    private Duration maxReconnectDelay = Duration.ofMillis(500);
    private int maxValueBytes = 1_048_576;
    private int maxNestingDepth = 500;
    private Strategy strategy = Strategy.TTL;
    private String strategyName;
    private long maximumSize = BackendSettings.DEFAULT_MAXIMUM_SIZE;
    private Duration defaultTtl;
    private Scheduler clock = Schedulers.parallel();
    private JsonMapper jsonMapper;
    private RedisClient redisClient;
    private Path trustedCertificates;
    private String sentinelPassword;

    private Builder() {}

    /**
     * Sets the backend's name, unique within a cache manager. Default {@code "redis"}.
     *
     * @param name a non-blank name
     * @return this builder
     */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /**
     * Sets where Redis is: {@code redis://[user:password@]host[:port][/database]}, or {@code rediss://} for TLS
     * with certificate and host name verification (trusting the JDK's trust store, or
     * {@link #trustedCertificates(Path)}). Default {@code redis://localhost:6379/0}. The password is never shown in
     * messages, logs or {@code toString()}. For a Redis Cluster set {@link #clusterNodes(String...)} instead; setting
     * both is an error.
     *
     * <p>A master watched by Redis Sentinel:
     * {@code redis-sentinel://[[user]:password@]host1[:port1][,host2[:port2]...][/database]#masterName}
     * ({@code rediss-sentinel://} for TLS to the sentinels and the data nodes), Lettuce's syntax. The hosts are
     * the sentinels (port 26379 if omitted); the user and password are those of the data nodes; a password of
     * the sentinels themselves is {@link #sentinelPassword(String)}. The backend asks the sentinels for the
     * master, reads and writes only there (a cache must read its own writes), and follows a failover.
     *
     * @param url the Redis URL
     * @return this builder
     */
    public Builder url(String url) {
      this.url = url;
      this.urlSet = true;
      return this;
    }

    /**
     * Speaks to a Redis Cluster instead of one node: the URLs of some of its nodes (seeds; the client discovers the
     * others and follows the topology as it changes), each {@code redis://[user:password@]host[:port]} or
     * {@code rediss://...} as for {@link #url(String)}. Every seed must use the same scheme and credentials (one
     * set serves the whole cluster) and no database other than 0 (a cluster has only database 0). Default: none
     * (one node, at {@link #url(String)}). Setting both this and {@code url} is an error. Not combinable with a
     * lent {@link #redisClient}, which is a client for one node.
     *
     * @param urls one or more node URLs
     * @return this builder
     */
    public Builder clusterNodes(String... urls) {
      this.clusterNodes = urls == null ? null : Arrays.asList(urls.clone());
      return this;
    }

    /**
     * Same as {@link #clusterNodes(String...)}.
     *
     * @param urls one or more node URLs, or null for none (one node, at {@link #url(String)})
     * @return this builder
     */
    public Builder clusterNodes(List<String> urls) {
      this.clusterNodes = urls == null ? null : new ArrayList<>(urls);
      return this;
    }

    /**
     * Sets the password the sentinels require ({@code requirepass} in their configuration), for a
     * {@code redis-sentinel://} url; the data nodes' password is the url's. Never shown in messages, logs or
     * {@code toString()}. Default: none.
     *
     * @param sentinelPassword the sentinels' password, or null for none
     * @return this builder
     */
    public Builder sentinelPassword(String sentinelPassword) {
      this.sentinelPassword = sentinelPassword;
      return this;
    }

    /**
     * Sets the namespace: the prefix of every Redis key this backend creates, and the limit of what
     * {@code clear()} and pattern deletes can reach. Default {@code "reactive-cache"}.
     *
     * @param namespace a non-empty text without control characters
     * @return this builder
     */
    public Builder namespace(String namespace) {
      this.namespace = namespace;
      return this;
    }

    /**
     * Sets how long one attempt of a command may take before it fails with a timeout. Default 500 ms.
     *
     * @param commandTimeout a positive duration of at most one day
     * @return this builder
     */
    public Builder commandTimeout(Duration commandTimeout) {
      this.commandTimeout = commandTimeout;
      return this;
    }

    /**
     * Sets how long opening a connection may take. Default 2 s.
     *
     * @param connectTimeout a positive duration of at most one day
     * @return this builder
     */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
      return this;
    }

    /**
     * Sets how many times a failed command is tried again, as the seed's {@code retry_attempts}: 0 means no
     * retry, 2 means up to three attempts in all. Only transient failures (timeouts, lost connections,
     * {@code LOADING}, {@code BUSY}, {@code TRYAGAIN}) are retried. Default 2 (the seed's default is 3: a cache
     * call should give up on Redis soon and let the caller fall back or load).
     *
     * @param retryAttempts retries after the first attempt, from 0 to 10
     * @return this builder
     */
    public Builder retryAttempts(int retryAttempts) {
      this.retryAttempts = retryAttempts;
      return this;
    }

    /**
     * Sets the wait before the first retry; later waits double, each randomised by ±50% so that instances do
     * not retry in step. Default 50 ms.
     *
     * @param retryBackoff a positive duration of at most one day
     * @return this builder
     */
    public Builder retryBackoff(Duration retryBackoff) {
      this.retryBackoff = retryBackoff;
      return this;
    }

    /**
     * Sets how many consecutive failed calls open the circuit breaker, after which calls fail at once without
     * touching Redis until the wait duration passes. Default 5.
     *
     * @param threshold from 1 to 10,000
     * @return this builder
     */
    public Builder circuitBreakerThreshold(int threshold) {
      this.circuitBreakerThreshold = threshold;
      return this;
    }

    /**
     * Sets how long the breaker stays open before it lets a probe call through (half-open). Default 5 s.
     *
     * @param waitDuration a positive duration of at most one day
     * @return this builder
     */
    public Builder circuitBreakerWaitDuration(Duration waitDuration) {
      this.circuitBreakerWaitDuration = waitDuration;
      return this;
    }

    /**
     * Sets the longest wait between two attempts to reconnect after the connection is lost. Attempts start at
     * once and back off exponentially up to this cap; each wait is randomised between half the cap and the cap
     * so that a fleet of instances does not reconnect in step. Default 500 ms, so that after any outage, however
     * long, calls reach Redis again at most {@code circuitBreakerWaitDuration} plus about half a second after it
     * answers (Lettuce's own default grows to 30 s, which made recovery grow with the outage). Not used with a
     * lent {@link #redisClient}, which reconnects as its resources say.
     *
     * @param maxReconnectDelay a positive duration of at most one day
     * @return this builder
     */
    public Builder maxReconnectDelay(Duration maxReconnectDelay) {
      this.maxReconnectDelay = maxReconnectDelay;
      return this;
    }

    /**
     * Sets the largest encoded entry written; a larger one is not written and is counted in
     * {@code rejectedWrites}. Also bounds what is decoded on read. Default 1 MiB.
     *
     * @param maxValueBytes between 64 bytes and 512 MiB
     * @return this builder
     */
    public Builder maxValueBytes(int maxValueBytes) {
      this.maxValueBytes = maxValueBytes;
      return this;
    }

    /**
     * Sets the deepest JSON nesting accepted on read; deeper payloads are misses. Default 500.
     *
     * @param maxNestingDepth at least 1
     * @return this builder
     */
    public Builder maxNestingDepth(int maxNestingDepth) {
      this.maxNestingDepth = maxNestingDepth;
      return this;
    }

    /**
     * Sets the eviction strategy. {@code TTL} (default) relies on Redis expiry and Redis's own memory policy;
     * {@code LRU} and {@code LFU} bound the namespace to {@link #maximumSize(long)} entries on the server, shared
     * by every instance using the namespace.
     *
     * @param strategy the strategy
     * @return this builder
     */
    public Builder strategy(Strategy strategy) {
      this.strategy = strategy;
      this.strategyName = null;
      return this;
    }

    /**
     * Sets the eviction strategy by name: {@code ttl}, {@code lru} or {@code lfu} (any case); an unknown name
     * fails in {@link #build()}.
     *
     * @param strategy the strategy's name
     * @return this builder
     */
    public Builder strategy(String strategy) {
      this.strategyName = strategy == null ? "null" : strategy;
      return this;
    }

    /**
     * Sets the most entries the namespace holds under {@code LRU} / {@code LFU}, enforced on the server. Not
     * used by {@code TTL}. Default 10,000.
     *
     * @param maximumSize at least 1
     * @return this builder
     */
    public Builder maximumSize(long maximumSize) {
      this.maximumSize = maximumSize;
      return this;
    }

    /**
     * Sets the time to live of values written without one. Default: none (kept until deleted or evicted).
     *
     * @param defaultTtl a positive duration of at most 100 years, or null for none
     * @return this builder
     */
    public Builder defaultTtl(Duration defaultTtl) {
      this.defaultTtl = defaultTtl;
      return this;
    }

    /**
     * Sets the clock: {@code clock.now(MILLISECONDS)} is the time used for freshness and expiry. Default
     * {@link Schedulers#parallel()}. Timeouts and retry delays always use real time.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Scheduler clock) {
      this.clock = clock;
      return this;
    }

    /**
     * Lends a Jackson mapper (for its modules and naming settings). The backend reads with a strict copy of
     * it (unknown properties and scalar coercion refused) under its own read limits, and never enables
     * default typing. Default: a plain mapper.
     *
     * @param jsonMapper the mapper, or null for the default
     * @return this builder
     */
    public Builder jsonMapper(JsonMapper jsonMapper) {
      this.jsonMapper = jsonMapper;
      return this;
    }

    /**
     * Lends a Lettuce client, used as configured (its options and resources are not changed) and never shut
     * down by the backend; the backend's own connection is still closed by {@code close()}. Default: a client
     * created, tuned for a cache, and shut down on close.
     *
     * @param redisClient the client, or null for one of our own
     * @return this builder
     */
    public Builder redisClient(RedisClient redisClient) {
      this.redisClient = redisClient;
      return this;
    }

    /**
     * Trusts the CA certificates of a PEM file (one or more {@code -----BEGIN CERTIFICATE-----} blocks) for
     * {@code rediss://}, instead of the JDK's default trust store: for a Redis whose certificate comes from a
     * private CA. Host names are still verified: the server's certificate must name the url's host. The file
     * is read once, by {@link #build()}. Default: none (the JDK's default trust store). Needs a
     * {@code rediss://} url and the backend's own client (a lent {@link #redisClient} keeps its own TLS
     * settings).
     *
     * @param pemFile a readable PEM file of CA certificates, or null for the JDK's default trust store
     * @return this builder
     */
    public Builder trustedCertificates(Path pemFile) {
      this.trustedCertificates = pemFile;
      return this;
    }

    /**
     * Validates the options and creates the backend. Opens no connection.
     *
     * @return the backend
     * @throws CacheConfigurationException naming the first invalid option and its value
     */
    public RedisCacheBackend build() {
      return new RedisCacheBackend(settings());
    }

    RedisSettings settings() {
      if (name == null || name.isBlank()) {
        throw CacheConfigurationException.invalid("name", name == null ? "null" : "'" + name + "'",
            "a non-blank name");
      }
      ParsedUrl parsed;
      List<RedisURI> nodes = List.of();
      if (clusterNodes != null) {
        if (urlSet) {
          throw new CacheConfigurationException("Options 'url' and 'clusterNodes' are both set; set 'url' for one"
              + " Redis node or Sentinel, or 'clusterNodes' for a Redis Cluster, not both");
        }
        parsed = parseClusterNodes(clusterNodes);
        nodes = parsed.nodes;
        if (redisClient != null) {
          throw CacheConfigurationException.invalid("redisClient", "a lent RedisClient",
              "no lent client with clusterNodes (a RedisClient speaks to one node; the backend makes its own"
              + " cluster client)");
        }
      } else {
        String text = urlSet ? url : DEFAULT_URL;
        parsed = isSentinelUrl(text) ? SentinelUrl.parse(text, sentinelPassword) : parseUrl("url", text);
      }
      if (sentinelPassword != null && parsed.uri.getSentinels().isEmpty()) {
        throw CacheConfigurationException.invalid("sentinelPassword", "***",
            "a password only together with a redis-sentinel:// or rediss-sentinel:// url");
      }
      if (namespace == null || namespace.isEmpty() || namespace.chars().anyMatch(Character::isISOControl)
          || namespace.length() > 256) {
        throw CacheConfigurationException.invalid("namespace",
            namespace == null ? "null" : "'" + namespace.replaceAll("\\p{Cntrl}", "?") + "'",
            "a non-empty text of at most 256 characters without control characters");
      }
      positive("commandTimeout", commandTimeout, MAX_WAIT);
      positive("connectTimeout", connectTimeout, MAX_WAIT);
      between("retryAttempts", retryAttempts, 0, MAX_RETRIES);
      positive("retryBackoff", retryBackoff, MAX_WAIT);
      between("circuitBreakerThreshold", circuitBreakerThreshold, 1, MAX_BREAKER_THRESHOLD);
      positive("circuitBreakerWaitDuration", circuitBreakerWaitDuration, MAX_WAIT);
      positive("maxReconnectDelay", maxReconnectDelay, MAX_WAIT);
      if (maxValueBytes < 64 || maxValueBytes > REDIS_MAX_VALUE) {
        throw CacheConfigurationException.invalid("maxValueBytes", maxValueBytes,
            "between 64 and " + REDIS_MAX_VALUE + " bytes (Redis's limit)");
      }
      between("maxNestingDepth", maxNestingDepth, 1, Integer.MAX_VALUE);
      Strategy chosen = strategyName != null ? Strategy.parse(strategyName) : strategy;
      if (chosen == null) {
        throw CacheConfigurationException.invalid("strategy", "null", "one of ttl, lru, lfu");
      }
      if (maximumSize < 1) {
        throw CacheConfigurationException.invalid("maximumSize", maximumSize, "a size of at least 1");
      }
      if (defaultTtl != null) {
        positive("defaultTtl", defaultTtl, MAX_TTL);
      }
      if (clock == null) {
        throw CacheConfigurationException.invalid("clock", "null", "a Reactor Scheduler");
      }
      TrustManagerFactory trust = null;
      if (trustedCertificates != null) {
        if (!parsed.uri.isSsl()) {
          throw CacheConfigurationException.invalid("trustedCertificates", trustedCertificates,
              "a CA file only together with a rediss:// or rediss-sentinel:// url (the url has no TLS)");
        }
        if (redisClient != null) {
          throw CacheConfigurationException.invalid("trustedCertificates", trustedCertificates,
              "no CA file with a lent redisClient (set the CA in that client's SslOptions instead)");
        }
        trust = TrustedCertificates.load(trustedCertificates);
      }
      return new RedisSettings(name, parsed.uri, parsed.safe, parsed.secret, sentinelPassword, namespace,
          commandTimeout,
          connectTimeout, retryAttempts, retryBackoff, circuitBreakerThreshold, circuitBreakerWaitDuration,
          maxReconnectDelay, maxValueBytes, maxNestingDepth, chosen, maximumSize, Optional.ofNullable(defaultTtl),
          clock, jsonMapper, redisClient, trustedCertificates, trust, nodes);
    }

    private static void positive(String option, Duration value, Duration max) {
      if (value == null || value.isNegative() || value.isZero() || value.compareTo(max) > 0) {
        throw CacheConfigurationException.invalid(option, value, "a positive duration of at most " + max);
      }
    }

    private static void between(String option, long value, long min, long max) {
      if (value < min || value > max) {
        throw CacheConfigurationException.invalid(option, value,
            max == Integer.MAX_VALUE ? "at least " + min : "from " + min + " to " + max);
      }
    }

    /**
     * A url parsed: Lettuce's form, the text shown in messages (no credentials), the data nodes' password and user,
     * and for {@code clusterNodes} every seed node.
     */
    record ParsedUrl(RedisURI uri, String safe, String secret, String user, List<RedisURI> nodes) {}

    private static boolean isSentinelUrl(String text) {
      return text != null && (text.startsWith(SentinelUrl.SCHEME + "://")
          || text.startsWith(SentinelUrl.TLS_SCHEME + "://"));
    }

    /** Parses every seed as a url; they must agree on scheme and credentials and name database 0. */
    private static ParsedUrl parseClusterNodes(List<String> urls) {
      if (urls.isEmpty()) {
        throw CacheConfigurationException.invalid("clusterNodes", "[]",
            "one or more node URLs, redis://[user:password@]host[:port] or rediss://...");
      }
      List<RedisURI> nodes = new ArrayList<>();
      List<String> safe = new ArrayList<>();
      ParsedUrl first = null;
      for (String text : urls) {
        ParsedUrl node = parseUrl("clusterNodes", text);
        String masked = "'" + mask(text) + "'";
        if (node.uri.getDatabase() != 0) {
          throw CacheConfigurationException.invalid("clusterNodes", masked,
              "database 0 only (a Redis Cluster has no other database)");
        }
        if (first != null && (first.uri.isSsl() != node.uri.isSsl()
            || !Objects.equals(first.secret, node.secret)
            || !Objects.equals(first.user, node.user))) {
          throw CacheConfigurationException.invalid("clusterNodes", masked,
              "the same scheme, user and password as the first node (one set serves the whole cluster)");
        }
        if (first == null) {
          first = node;
        }
        nodes.add(node.uri);
        safe.add(node.safe.substring(0, node.safe.lastIndexOf('/')));
      }
      return new ParsedUrl(first.uri, String.join(",", safe), first.secret, first.user, nodes);
    }

    private static ParsedUrl parseUrl(String option, String text) {
      if (text == null || text.isBlank()) {
        throw CacheConfigurationException.invalid(option, text == null ? "null" : "'" + text + "'",
            "redis://[user:password@]host[:port][/database], rediss://... (TLS) or " + SentinelUrl.FORM);
      }
      String masked = mask(text);
      String expected = "redis://[user:password@]host[:port][/database], rediss://... (TLS) or "
          + SentinelUrl.FORM;
      URI parsed;
      try {
        parsed = new URI(text);
      } catch (URISyntaxException e) {
        throw CacheConfigurationException.invalid(option, "'" + masked + "'", expected);
      }
      String scheme = parsed.getScheme();
      if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
        throw CacheConfigurationException.invalid(option, "'" + masked + "'", expected);
      }
      if (parsed.getHost() == null || parsed.getHost().isEmpty()) {
        throw CacheConfigurationException.invalid(option, "'" + masked + "'", expected + ", with a host name");
      }
      if (parsed.getPort() == 0 || parsed.getPort() > 65_535) {
        throw CacheConfigurationException.invalid(option, "'" + masked + "'", expected + ", with a port from 1 to"
            + " 65535");
      }
      String path = parsed.getPath();
      if (path != null && !path.isEmpty() && !path.equals("/") && !path.matches("/\\d{1,5}")) {
        throw CacheConfigurationException.invalid(option, "'" + masked + "'", expected
            + ", with a database number as path");
      }
      String secret = null;
      String user = null;
      String userInfo = parsed.getRawUserInfo();
      if (userInfo != null) {
        int colon = userInfo.indexOf(':');
        user = colon >= 0 ? userInfo.substring(0, colon) : null;
        String raw = colon >= 0 ? userInfo.substring(colon + 1) : userInfo;
        secret = raw.isEmpty() ? null : URLDecoder.decode(raw, StandardCharsets.UTF_8);
      }
      RedisURI uri;
      try {
        uri = RedisURI.create(text);
      } catch (RuntimeException e) {
        // Lettuce's message may quote the URL, password included: it is not passed on.
        throw CacheConfigurationException.invalid(option, "'" + masked + "'", expected);
      }
      String safe = scheme + "://" + (userInfo != null ? "***@" : "") + parsed.getHost()
          + ":" + uri.getPort() + "/" + uri.getDatabase();
      return new ParsedUrl(uri, safe, secret, user, List.of());
    }
  }

  /** Replaces the user-info part of a URL-like text (anything before the last '@' of its authority). */
  static String mask(String text) {
    Objects.requireNonNull(text, "text");
    int scheme = text.indexOf("://");
    int start = scheme >= 0 ? scheme + 3 : 0;
    int end = text.indexOf('/', start);
    if (end < 0) {
      end = text.length();
    }
    int at = text.lastIndexOf('@', end - 1);
    if (at < start) {
      return text.replaceAll("\\p{Cntrl}", "?");
    }
    return (text.substring(0, start) + "***@" + text.substring(at + 1)).replaceAll("\\p{Cntrl}", "?");
  }
}
