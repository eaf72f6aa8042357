package io.reactivecache.spi;

/**
 * Creates backends of one type from {@link BackendSettings}, so that {@link io.reactivecache.CacheManager} can set
 * one up in a single call (for example {@code memory(...)}) without core depending on the backend's module.
 *
 * <p>Found with {@link java.util.ServiceLoader}: a backend module lists its provider in
 * {@code META-INF/services/io.reactivecache.spi.CacheBackendProvider}.
 */
public interface CacheBackendProvider {

  /**
   * Returns the type this provider creates, such as {@code "memory"} or {@code "redis"}.
   *
   * @return the type
   */
  String type();

  /**
   * Creates a backend. Validates the settings and fails with a
   * {@link io.reactivecache.CacheConfigurationException} naming the bad option.
   *
   * @param settings the settings
   * @return the backend, ready to use
   */
  CacheBackend create(BackendSettings settings);
}
