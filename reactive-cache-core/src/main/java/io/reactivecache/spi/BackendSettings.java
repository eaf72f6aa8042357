package io.reactivecache.spi;

import io.reactivecache.CacheConfigurationException;
import io.reactivecache.Strategy;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import reactor.core.scheduler.Scheduler;

/**
 * The settings a {@link CacheBackendProvider} receives: those every backend understands, plus options of its own
 * (such as {@code url} or {@code namespace} for Redis) as text.
 *
 * @param name the backend's name
 * @param maximumSize the largest number of entries, at least 1
 * @param defaultTtl the time to live of values written without one; empty for "until evicted"
 * @param strategy the eviction strategy
 * @param clock the clock: {@link Scheduler#now(java.util.concurrent.TimeUnit)} is the time source
 * @param options backend-specific options, by name
 */
public record BackendSettings(
    String name,
    long maximumSize,
    Optional<Duration> defaultTtl,
    Strategy strategy,
    Scheduler clock,
    Map<String, String> options) {

  /**
   * Validates the settings.
   *
   * @param name the backend's name
   * @param maximumSize the largest number of entries
   * @param defaultTtl the default time to live
   * @param strategy the strategy
   * @param clock the clock
   * @param options backend-specific options
   * @throws CacheConfigurationException naming the option and the value when one is invalid
   */
  public BackendSettings {
    if (name == null || name.isBlank()) {
      throw CacheConfigurationException.invalid("name", name == null ? "null" : "'" + name + "'",
          "a non-blank backend name");
    }
    if (maximumSize < 1) {
      throw CacheConfigurationException.invalid("maximumSize", maximumSize, "a size of at least 1");
    }
    Objects.requireNonNull(defaultTtl, "defaultTtl");
    defaultTtl.ifPresent(ttl -> {
      if (ttl.isNegative() || ttl.isZero()) {
        throw CacheConfigurationException.invalid("defaultTtl", ttl, "a positive duration");
      }
    });
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(clock, "clock");
    options = Map.copyOf(Objects.requireNonNull(options, "options"));
  }
}
