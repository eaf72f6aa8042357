package io.reactivecache.memory;

import io.reactivecache.CacheConfigurationException;
import io.reactivecache.spi.BackendSettings;
import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheBackendProvider;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Creates {@link MemoryCacheBackend}s of type {@code "memory"} from {@link BackendSettings}; found by
 * {@link java.util.ServiceLoader}.
 *
 * <p>The common settings (name, maximum size, default time to live, strategy, clock) map to the builder's options of
 * the same names. The only backend-specific option is {@code expiryCleanupInterval}, a duration written in ISO-8601
 * ({@code PT0.5S}) or as a number with a unit ({@code 500ms}, {@code 2s}, {@code 1m}, {@code 1h}). Any other option
 * is rejected, so a misspelt option fails at start-up instead of being ignored. A bound by weight needs a weigher,
 * which is code: build such a backend with {@link MemoryCacheBackend#builder()}.
 */
public final class MemoryCacheBackendProvider implements CacheBackendProvider {
  /** The option naming the cleanup interval. */
  static final String EXPIRY_CLEANUP_INTERVAL = "expiryCleanupInterval";
  private static final Set<String> OPTIONS = Set.of(EXPIRY_CLEANUP_INTERVAL);

  /** Creates the provider; called by {@link java.util.ServiceLoader}. */
  public MemoryCacheBackendProvider() {}

  @Override
  public String type() {
    return "memory";
  }

  @Override
  public CacheBackend create(@Nullable BackendSettings settings) {
    if (settings == null) {
      throw CacheConfigurationException.invalid("settings", "null", "the backend's settings");
    }
    Set<String> unknown = new TreeSet<>(settings.options().keySet());
    unknown.removeAll(OPTIONS);
    if (!unknown.isEmpty()) {
      throw CacheConfigurationException.invalid("options", "unknown option(s) " + unknown
          + " for the memory backend", "only " + OPTIONS + " (name, maximumSize, defaultTtl, strategy and clock"
          + " are common settings, not options)");
    }
    MemoryCacheBackend.Builder builder = MemoryCacheBackend.builder()
        .name(settings.name())
        .maximumSize(settings.maximumSize())
        .strategy(settings.strategy())
        .clock(settings.clock());
    settings.defaultTtl().ifPresent(builder::defaultTtl);
    Map<String, String> options = settings.options();
    if (options.containsKey(EXPIRY_CLEANUP_INTERVAL)) {
      builder.expiryCleanupInterval(
          BackendSettings.parseDuration(EXPIRY_CLEANUP_INTERVAL, options.get(EXPIRY_CLEANUP_INTERVAL)));
    }
    return builder.build();
  }
}
