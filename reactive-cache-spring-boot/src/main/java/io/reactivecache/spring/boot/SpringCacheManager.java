package io.reactivecache.spring.boot;

import io.reactivecache.CacheConfigurationException;
import io.reactivecache.CacheManager;
import io.reactivecache.CachePolicy;
import io.reactivecache.ValueType;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.springframework.cache.Cache;
import org.springframework.cache.interceptor.CacheResolver;
import org.springframework.cache.interceptor.KeyGenerator;

/**
 * Spring's {@link org.springframework.cache.CacheManager} on a reactive-cache {@link CacheManager}: the caches that
 * {@code @Cacheable}, {@code @CachePut} and {@code @CacheEvict} use on methods returning {@code Mono}, {@code Flux}
 * or {@code CompletableFuture}.
 *
 * <p>A cache is a typed view of a backend. Its type comes from the annotated method's declared return type
 * ({@code Mono<Product>} reads {@code Product}; {@code Flux<Product>} reads {@code List<Product>}), through
 * {@link #cacheResolver()}, so values stored in Redis decode into what the method returns without any type
 * information in the payload. {@link #getCache(String)}, which has no method to tell, uses the cache's
 * {@code value-type} property, else {@code Object}.
 *
 * <p>Blocking methods are refused (a synchronous read would block): the error names the cache. Thread-safe.
 */
public final class SpringCacheManager implements org.springframework.cache.CacheManager {
  /** What the properties say about one cache. */
  record CacheSettings(String backend, CachePolicy policy, Class<?> valueType) {}

  private record TypedName(String name, ValueType<?> type) {}

  private final CacheManager manager;
  private final Map<String, CacheSettings> configured;
  private final CachePolicy defaultPolicy;
  private final boolean dynamic;
  private final ConcurrentMap<TypedName, SpringCache<?>> caches = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, PendingWrites> writes = new ConcurrentHashMap<>();
  private final CacheResolver resolver = new ReturnTypeCacheResolver(this);
  private final KeyGenerator keyGenerator = new SpringCacheKeys.Generator();

  SpringCacheManager(CacheManager manager, Map<String, CacheSettings> configured, CachePolicy defaultPolicy,
      boolean dynamic) {
    this.manager = manager;
    this.configured = Map.copyOf(configured);
    this.defaultPolicy = defaultPolicy;
    this.dynamic = dynamic;
  }

  /**
   * Returns a cache typed by its {@code value-type} property (else {@code Object}), or null for a name that is not
   * configured while dynamic caches are off.
   *
   * @param name the cache's name
   * @return the cache, or null
   */
  @Override
  public Cache getCache(String name) {
    CacheSettings settings = configured.get(name);
    Class<?> type = settings == null || settings.valueType() == null ? Object.class : settings.valueType();
    return getCache(name, ValueType.of(type));
  }

  /**
   * Returns the names of the configured caches and of those created since.
   *
   * @return the names
   */
  @Override
  public Collection<String> getCacheNames() {
    Set<String> names = new LinkedHashSet<>(configured.keySet());
    caches.keySet().forEach(typed -> names.add(typed.name()));
    return names;
  }

  /**
   * Returns the resolver that types each cache by the annotated method's return type. Return it from your own
   * {@code CachingConfigurer}, if you have one, to keep that typing.
   *
   * @return the resolver
   */
  public CacheResolver cacheResolver() {
    return resolver;
  }

  /**
   * Returns the key generator used for methods without a {@code key} expression: one argument is the key itself,
   * several are rendered so that no two argument lists share a key (Spring's {@code SimpleKey} renders
   * {@code ("a,b")} and {@code ("a", "b")} alike).
   *
   * @return the key generator
   */
  public KeyGenerator keyGenerator() {
    return keyGenerator;
  }

  /**
   * Returns a cache of a given value type.
   *
   * @param name the cache's name
   * @param type the value type
   * @return the cache, or null when the name is not configured and dynamic caches are off
   */
  SpringCache<?> getCache(String name, ValueType<?> type) {
    TypedName key = new TypedName(name, type);
    SpringCache<?> found = caches.get(key);
    if (found != null) {
      return found;
    }
    CacheSettings settings = configured.get(name);
    if (settings == null && !dynamic) {
      return null;
    }
    return caches.computeIfAbsent(key, k -> create(name, type, settings));
  }

  private <T> SpringCache<T> create(String name, ValueType<T> type, CacheSettings settings) {
    CachePolicy policy = settings == null ? defaultPolicy : settings.policy();
    io.reactivecache.Cache<T> view = settings == null || settings.backend() == null
        ? manager.cache(name, type, policy)
        : manager.backend(settings.backend()).cache(name, type, policy);
    // Every typed view of one name shares one write order: an evict through a Void-returning method must be seen by
    // the Product-returning method's next read.
    return new SpringCache<>(view, writes.computeIfAbsent(name, n -> new PendingWrites()));
  }

  static CacheConfigurationException unknownCache(String name) {
    return new CacheConfigurationException("No cache named '" + name + "': list it under reactive-cache.caches, or"
        + " set reactive-cache.spring-cache.dynamic=true to create caches on first use");
  }

  @Override
  public String toString() {
    return "SpringCacheManager{" + manager + ", caches=" + getCacheNames() + '}';
  }
}
