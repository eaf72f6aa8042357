package io.reactivecache.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.reactivecache.Strategy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.TrustManagerFactory;
import reactor.core.scheduler.Scheduler;
import tools.jackson.databind.json.JsonMapper;

/**
 * The validated configuration of one Redis backend. {@link #toString()} shows the URL with its credentials
 * masked, never the password (nor the sentinels' password, {@code sentinelSecret}). For a cluster
 * ({@code clusterNodes} set), {@code uri} is the first seed node, {@code safeUrl} lists every seed node (masked) and
 * {@code clusterNodes} holds them all; for one node or Sentinel {@code clusterNodes} is empty.
 * {@code trustManagerFactory} holds the CA certificates read from
 * {@code trustedCertificates} at build time (null: the JDK's default trust store).
 */
record RedisSettings(
    String name,
    RedisURI uri,
    String safeUrl,
    String secret,
    String sentinelSecret,
    String namespace,
    Duration commandTimeout,
    Duration connectTimeout,
    int retryAttempts,
    Duration retryBackoff,
    int circuitBreakerThreshold,
    Duration circuitBreakerWaitDuration,
    Duration maxReconnectDelay,
    int maxValueBytes,
    int maxNestingDepth,
    Strategy strategy,
    long maximumSize,
    Optional<Duration> defaultTtl,
    Scheduler clock,
    JsonMapper jsonMapper,
    RedisClient redisClient,
    Path trustedCertificates,
    TrustManagerFactory trustManagerFactory,
    List<RedisURI> clusterNodes) {

  RedisSettings {
    clusterNodes = clusterNodes == null ? List.of() : List.copyOf(clusterNodes);
  }

  /** Tells whether the backend speaks to a Redis Cluster (the {@code clusterNodes} option) or to one node. */
  boolean cluster() {
    return !clusterNodes.isEmpty();
  }

  /** Removes the passwords from a text that might quote them (a server or driver message). */
  String scrub(String text) {
    if (text == null) {
      return "";
    }
    String scrubbed = secret == null || secret.isEmpty() ? text : text.replace(secret, "***");
    return sentinelSecret == null || sentinelSecret.isEmpty() ? scrubbed : scrubbed.replace(sentinelSecret, "***");
  }

  /** Tells whether the url names sentinels that watch a master, rather than one Redis. */
  boolean sentinel() {
    return !uri.getSentinels().isEmpty();
  }

  /** Where Redis is, for messages: scheme, host, port and database, never the credentials. */
  String endpoint() {
    return safeUrl;
  }

  @Override
  public String toString() {
    return "RedisSettings{name=" + name + (cluster() ? ", clusterNodes=" : ", url=") + safeUrl
        + ", namespace=" + namespace
        + ", commandTimeout=" + commandTimeout + ", connectTimeout=" + connectTimeout
        + ", retryAttempts=" + retryAttempts + ", retryBackoff=" + retryBackoff
        + ", circuitBreakerThreshold=" + circuitBreakerThreshold
        + ", circuitBreakerWaitDuration=" + circuitBreakerWaitDuration + ", maxReconnectDelay=" + maxReconnectDelay
        + ", maxValueBytes=" + maxValueBytes + ", maxNestingDepth=" + maxNestingDepth
        + ", strategy=" + strategy.id() + ", maximumSize=" + maximumSize
        + ", defaultTtl=" + defaultTtl.map(Duration::toString).orElse("none")
        + ", jsonMapper=" + (jsonMapper == null ? "own" : "borrowed")
        + ", redisClient=" + (redisClient == null ? "own" : "borrowed")
        + (sentinelSecret == null ? "" : ", sentinelPassword=***")
        + ", trustedCertificates=" + (trustedCertificates == null ? "JDK default" : trustedCertificates) + '}';
  }
}
