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
 * masked, never the password. For a cluster ({@code clusterNodes} set), {@code uri} is the first seed node, {@code safeUrl}
 * lists every seed node (masked) and {@code clusterNodes} holds them all; for one node {@code clusterNodes} is empty. {@code trustManagerFactory} holds the CA certificates read from
 * {@code trustedCertificates} at build time (null: the JDK's default trust store).
 */
record RedisSettings(
    String name,
    RedisURI uri,
    String safeUrl,
    String secret,
    String namespace,
    Duration commandTimeout,
    Duration connectTimeout,
    int retryAttempts,
    Duration retryBackoff,
    int circuitBreakerThreshold,
    Duration circuitBreakerWaitDuration,
    Duration maxReconnectDelay,
    int maxConnections,
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

  /** Removes the password from a text that might quote it (a server or driver message). */
  String scrub(String text) {
    if (text == null) {
      return "";
    }
    return secret == null || secret.isEmpty() ? text : text.replace(secret, "***");
  }

  /** Where Redis is, for messages: scheme, host, port and database, never the credentials. */
  String endpoint() {
    return safeUrl;
  }

  @Override
  public String toString() {
    return "RedisSettings{name=" + name + (cluster() ? ", clusterNodes=" : ", url=") + safeUrl + ", namespace=" + namespace
        + ", commandTimeout=" + commandTimeout + ", connectTimeout=" + connectTimeout
        + ", retryAttempts=" + retryAttempts + ", retryBackoff=" + retryBackoff
        + ", circuitBreakerThreshold=" + circuitBreakerThreshold
        + ", circuitBreakerWaitDuration=" + circuitBreakerWaitDuration + ", maxReconnectDelay=" + maxReconnectDelay
        + ", maxConnections=" + maxConnections
        + ", maxValueBytes=" + maxValueBytes + ", maxNestingDepth=" + maxNestingDepth
        + ", strategy=" + strategy.id() + ", maximumSize=" + maximumSize
        + ", defaultTtl=" + defaultTtl.map(Duration::toString).orElse("none")
        + ", jsonMapper=" + (jsonMapper == null ? "own" : "borrowed")
        + ", redisClient=" + (redisClient == null ? "own" : "borrowed")
        + ", trustedCertificates=" + (trustedCertificates == null ? "JDK default" : trustedCertificates) + '}';
  }
}
