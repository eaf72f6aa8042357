package io.reactivecache.redis;

import io.reactivecache.CacheConfigurationException;
import io.reactivecache.spi.BackendSettings;
import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheBackendProvider;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * Creates Redis backends from {@link BackendSettings}, for type {@code "redis"}. Found by
 * {@link java.util.ServiceLoader}.
 *
 * <p>Options (all optional, as text): {@code url}, {@code sentinelPassword} (with a {@code redis-sentinel://}
 * url), {@code clusterNodes} (comma-separated node URLs of a Redis Cluster, instead of {@code url}),
 * {@code namespace}, {@code commandTimeout},
 * {@code connectTimeout}, {@code retryAttempts}, {@code retryBackoff}, {@code circuitBreakerThreshold},
 * {@code circuitBreakerWaitDuration}, {@code maxReconnectDelay}, {@code maxValueBytes}, {@code maxNestingDepth},
 * {@code trustedCertificates} (path of a PEM file of CA certificates, for {@code rediss://}).
 * Durations are ISO-8601 ({@code PT0.5S}) or a number with a unit ({@code 500ms}, {@code 2s}, {@code 5m},
 * {@code 1h}, {@code 1d}), parsed by {@link BackendSettings#parseDuration} as for every backend. An
 * unknown option is refused by name, so a typo never goes unnoticed.
 */
public final class RedisCacheBackendProvider implements CacheBackendProvider {
  private static final Map<String, BiConsumer<RedisCache.Builder, String>> OPTIONS = Map.ofEntries(
      Map.entry("url", RedisCache.Builder::url),
      Map.entry("sentinelPassword", RedisCache.Builder::sentinelPassword),
      Map.entry("clusterNodes", (b, v) -> b.clusterNodes(list(v))),
      Map.entry("namespace", RedisCache.Builder::namespace),
      Map.entry("commandTimeout", (b, v) -> b.commandTimeout(BackendSettings.parseDuration("commandTimeout", v))),
      Map.entry("connectTimeout", (b, v) -> b.connectTimeout(BackendSettings.parseDuration("connectTimeout", v))),
      Map.entry("retryAttempts", (b, v) -> b.retryAttempts(integer("retryAttempts", v))),
      Map.entry("retryBackoff", (b, v) -> b.retryBackoff(BackendSettings.parseDuration("retryBackoff", v))),
      Map.entry("circuitBreakerThreshold",
          (b, v) -> b.circuitBreakerThreshold(integer("circuitBreakerThreshold", v))),
      Map.entry("circuitBreakerWaitDuration",
          (b, v) -> b.circuitBreakerWaitDuration(BackendSettings.parseDuration("circuitBreakerWaitDuration", v))),
      Map.entry("maxReconnectDelay",
          (b, v) -> b.maxReconnectDelay(BackendSettings.parseDuration("maxReconnectDelay", v))),
      Map.entry("maxValueBytes", (b, v) -> b.maxValueBytes(integer("maxValueBytes", v))),
      Map.entry("maxNestingDepth", (b, v) -> b.maxNestingDepth(integer("maxNestingDepth", v))),
      Map.entry("trustedCertificates", (b, v) -> b.trustedCertificates(path("trustedCertificates", v))));

  /**
   * Options that existed once, with why they are gone: refused with that reason, so that a configuration still
   * naming one learns that it has no effect instead of believing it does.
   */
  private static final Map<String, String> REMOVED = Map.of(
      "maxConnections", "it was removed: it never had an effect. Lettuce multiplexes every command of a backend over"
          + " one connection per Redis node, and a pool would only add latency to a cache's single-key commands"
          + " (Sentinel and Cluster open their per-node connections themselves); delete the option");

  /** Creates the provider; called by {@link java.util.ServiceLoader}. */
  public RedisCacheBackendProvider() {}

  @Override
  public String type() {
    return "redis";
  }

  @Override
  public CacheBackend create(BackendSettings settings) {
    RedisCache.Builder builder = RedisCache.builder()
        .name(settings.name())
        .maximumSize(settings.maximumSize())
        .strategy(settings.strategy())
        .clock(settings.clock())
        .defaultTtl(settings.defaultTtl().orElse(null));
    for (Map.Entry<String, String> option : settings.options().entrySet()) {
      BiConsumer<RedisCache.Builder, String> setter = OPTIONS.get(option.getKey());
      String removed = REMOVED.get(option.getKey());
      if (removed != null) {
        throw new CacheConfigurationException("Option '" + option.getKey() + "' for a redis backend: " + removed);
      }
      if (setter == null) {
        throw new CacheConfigurationException("Unknown option '" + option.getKey() + "' for a redis backend;"
            + " known options: " + String.join(", ", new TreeSet<>(OPTIONS.keySet())));
      }
      setter.accept(builder, option.getValue());
    }
    return builder.build();
  }

  /** The option names this provider understands. */
  static Set<String> optionNames() {
    return OPTIONS.keySet();
  }

  /** Splits a comma-separated list, trimming each item; an empty item stays (and fails validation by name). */
  static List<String> list(String text) {
    if (text == null) {
      return null;
    }
    return Arrays.stream(text.split(",", -1)).map(String::trim).toList();
  }

  static Path path(String option, String text) {
    try {
      if (text != null && !text.isBlank()) {
        return Path.of(text.trim());
      }
    } catch (InvalidPathException e) {
      // reported below
    }
    throw CacheConfigurationException.invalid(option, "'" + text + "'", "the path of a PEM file");
  }

  static int integer(String option, String text) {
    long value = BackendSettings.parseLong(option, text);
    if (value != (int) value) {
      throw CacheConfigurationException.invalid(option, "'" + text + "'",
          "a whole number up to " + Integer.MAX_VALUE);
    }
    return (int) value;
  }
}
