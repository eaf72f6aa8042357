package io.reactivecache.spi;

import io.reactivecache.CacheConfigurationException;
import io.reactivecache.Strategy;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
   * The largest number of entries of a backend configured without {@code maximumSize}: 1,000, as in the seed. The
   * memory backend and the Redis backend's {@code lru}/{@code lfu} bound both default to it.
   */
  public static final long DEFAULT_MAXIMUM_SIZE = 1_000;

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
    if (defaultTtl == null) {
      throw CacheConfigurationException.invalid("defaultTtl", "null", "an Optional duration (empty for none)");
    }
    defaultTtl.ifPresent(ttl -> {
      if (ttl.isNegative() || ttl.isZero()) {
        throw CacheConfigurationException.invalid("defaultTtl", ttl, "a positive duration");
      }
    });
    if (strategy == null) {
      throw CacheConfigurationException.invalid("strategy", "null", "one of ttl, lru, lfu");
    }
    if (clock == null) {
      throw CacheConfigurationException.invalid("clock", "null", "a Reactor Scheduler");
    }
    if (options == null) {
      throw CacheConfigurationException.invalid("options", "null", "a map of option names to values (empty for none)");
    }
    for (Map.Entry<String, String> option : options.entrySet()) {
      if (option.getKey() == null || option.getValue() == null) {
        throw CacheConfigurationException.invalid(option.getKey() == null ? "options" : option.getKey(), "null",
            "a value as text (leave the option out to use its default)");
      }
    }
    options = Map.copyOf(options);
  }

  /**
   * Parses a duration option the way every provider accepts it: {@code 500ms}, {@code 2s}, {@code 5m},
   * {@code 1h}, {@code 1d}, or ISO-8601 such as {@code PT0.5S}.
   *
   * @param option the option's name, for the error message
   * @param text the option's value
   * @return the duration
   * @throws CacheConfigurationException naming the option and the value if it is not a duration
   */
  public static Duration parseDuration(String option, String text) {
    String trimmed = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    try {
      Matcher simple = SIMPLE_DURATION.matcher(trimmed);
      if (!simple.matches()) {
        return Duration.parse(trimmed.toUpperCase(Locale.ROOT));
      }
      long amount = Long.parseLong(simple.group(1));
      switch (simple.group(2)) {
        case "ms":
          return Duration.ofMillis(amount);
        case "s":
          return Duration.ofSeconds(amount);
        case "m":
          return Duration.ofMinutes(amount);
        case "h":
          return Duration.ofHours(amount);
        default:
          return Duration.ofDays(amount);
      }
    } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
      throw CacheConfigurationException.invalid(option, "'" + text + "'",
          "a duration such as 500ms, 2s, 5m, 1h, 1d or PT0.5S");
    }
  }

  /**
   * Parses a whole-number option.
   *
   * @param option the option's name, for the error message
   * @param text the option's value
   * @return the number
   * @throws CacheConfigurationException naming the option and the value if it is not a whole number
   */
  public static long parseLong(String option, String text) {
    try {
      return Long.parseLong(text == null ? "" : text.trim());
    } catch (NumberFormatException e) {
      throw CacheConfigurationException.invalid(option, "'" + text + "'", "a whole number");
    }
  }

  private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
}
