package io.reactivecache;

import io.reactivecache.spi.BackendSettings;
import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheBackendProvider;
import io.reactivecache.testing.MapCacheBackend;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A provider of type {@code "map"} for core's tests of backends a manager creates itself (and so owns): each backend
 * it creates is kept by name, so a test can look at it. Listed in core's test resources only; the test-jar leaves
 * it out.
 */
public final class MapBackendProvider implements CacheBackendProvider {
  private static final Map<String, List<MapCacheBackend>> CREATED = new ConcurrentHashMap<>();

  /** Needed by {@link java.util.ServiceLoader}. */
  public MapBackendProvider() {}

  /**
   * Returns the backends created under a name, in order.
   *
   * @param name the name
   * @return the backends, possibly none
   */
  static List<MapCacheBackend> created(String name) {
    return CREATED.getOrDefault(name, List.of());
  }

  @Override
  public String type() {
    return "map";
  }

  @Override
  public CacheBackend create(BackendSettings settings) {
    MapCacheBackend backend = new MapCacheBackend(settings.name(), settings.clock(),
        settings.defaultTtl().orElse(null), Boolean.parseBoolean(settings.options().get("synchronous")));
    CREATED.computeIfAbsent(settings.name(), name -> new CopyOnWriteArrayList<>()).add(backend);
    return backend;
  }
}
