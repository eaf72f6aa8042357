package io.reactivecache;

import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.CacheEvent;
import io.reactivecache.spi.KeyPattern;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@link CacheOperations} on one backend: of a {@link CacheManager}, or standalone ({@link CacheOperations#of}).
 * Internal.
 *
 * <p>Every operation passes the backend's runtime switches ({@link BackendHandle#gated}): once the backend is gone,
 * it fails; while caching is off, reads miss (counted as bypassed), writes remove the key's older value instead of
 * storing, and invalidations apply as usual.
 */
final class BackendOperations implements CacheOperations {
  private final BackendHandle handle;
  private final CachePolicy defaultPolicy;
  private final boolean standalone;

  /**
   * Creates the operations of a manager's backend.
   *
   * @param handle the backend
   * @param defaultPolicy the policy of views created without one
   */
  BackendOperations(BackendHandle handle, CachePolicy defaultPolicy) {
    this(handle, defaultPolicy, false);
  }

  /**
   * Creates the operations.
   *
   * @param handle the backend
   * @param defaultPolicy the policy of views created without one
   * @param standalone true when no manager holds the backend: {@link #close()} then closes it
   */
  BackendOperations(BackendHandle handle, CachePolicy defaultPolicy, boolean standalone) {
    this.handle = handle;
    this.defaultPolicy = defaultPolicy;
    this.standalone = standalone;
  }

  /**
   * Returns the handle.
   *
   * @return the handle
   */
  public BackendHandle handle() {
    return handle;
  }

  @Override
  public String backendName() {
    return handle.name();
  }

  @Override
  public Mono<Void> put(String key, Object value) {
    return Mono.defer(() -> write(KeyRules.checked(key), value, handle.defaultTtl(), Set.of()));
  }

  @Override
  public Mono<Void> put(String key, Object value, Duration ttl) {
    return Mono.defer(() -> write(KeyRules.checked(key), value, Optional.of(BackendHandle.positiveTtl(ttl)), Set.of()));
  }

  @Override
  public Mono<Void> put(CacheKey key, Object value, Duration ttl) {
    return Mono.defer(() -> write(requireKey(key).render(), value, Optional.of(BackendHandle.positiveTtl(ttl)), key.tags()));
  }

  private Mono<Void> write(String key, Object value, Optional<Duration> ttl, Set<String> tags) {
    if (value == null) {
      throw new IllegalArgumentException("A cached value must not be null; use delete to remove a key");
    }
    CacheEntry<?> entry = LoadEngine.newEntry(value, handle.now(), ttl.map(Durations::toMillis).orElse(-1L),
        CachePolicy.defaults(), tags, handle.random());
    return handle.gated(null, () -> handle.put(key, entry), () -> handle.delete(key).then());
  }

  @Override
  public <T> Mono<T> get(String key, Class<T> type) {
    return get(key, ValueType.of(type));
  }

  @Override
  public <T> Mono<T> get(String key, ValueType<T> type) {
    return Mono.defer(() -> read(KeyRules.checked(key), type));
  }

  @Override
  public <T> Mono<T> get(CacheKey key, ValueType<T> type) {
    return Mono.defer(() -> read(requireKey(key).render(), type));
  }

  private <T> Mono<T> read(String key, ValueType<T> type) {
    return handle.gated(null, () -> handle.readValue(key, type), () -> {
      handle.countBypassed(1);
      return Mono.empty();
    });
  }

  /** Runs an operation that applies whether caching is on or off (invalidations, stats); fails once gone. */
  private <R> Mono<R> always(Supplier<Mono<R>> operation) {
    return Mono.defer(() -> {
      handle.checkInService();
      return operation.get();
    });
  }

  @Override
  public Mono<Boolean> delete(String key) {
    return always(() -> handle.delete(KeyRules.checked(key)));
  }

  @Override
  public Mono<Boolean> delete(CacheKey key) {
    return always(() -> handle.delete(requireKey(key).render()));
  }

  @Override
  public Mono<Boolean> exists(String key) {
    return Mono.defer(() -> {
      String checked = KeyRules.checked(key);
      return handle.gated(null, () -> handle.exists(checked), () -> Mono.just(false));
    });
  }

  @Override
  public Mono<Boolean> exists(CacheKey key) {
    return Mono.defer(() -> {
      String rendered = requireKey(key).render();
      return handle.gated(null, () -> handle.exists(rendered), () -> Mono.just(false));
    });
  }

  @Override
  public Mono<Void> clear() {
    return always(handle::clear);
  }

  @Override
  public Mono<Long> deletePattern(String pattern) {
    return always(() -> handle.deletePattern(KeyPattern.of(pattern)));
  }

  @Override
  public Mono<Long> invalidateTag(String model) {
    return always(() -> {
      if (model == null || model.isEmpty()) {
        throw new InvalidCacheKeyException("A model name must not be " + (model == null ? "null" : "empty"));
      }
      return handle.invalidateTag(model);
    });
  }

  @Override
  public Mono<CacheStats> stats() {
    return always(handle::stats);
  }

  @Override
  public Mono<CacheHealth> health() {
    return always(handle::health);
  }

  @Override
  public Flux<CacheEvent> events() {
    return Flux.defer(() -> {
      handle.checkInService();
      return handle.events();
    });
  }

  @Override
  public <T> Mono<Map<String, T>> getAll(Collection<String> keys, Class<T> type) {
    ValueType<T> valueType = ValueType.of(type);
    return Mono.defer(() -> {
      Map<String, String> byStoredKey = new LinkedHashMap<>();
      for (String key : keys) {
        byStoredKey.put(KeyRules.checked(key), key);
      }
      return handle.gated(null, () -> handle.readValues(byStoredKey, valueType), () -> {
        handle.countBypassed(byStoredKey.size());
        return Mono.just(Map.of());
      });
    });
  }

  @Override
  public Mono<Void> putAll(Map<String, ?> values, Duration ttl) {
    return Mono.defer(() -> {
      Optional<Duration> checkedTtl = Optional.of(BackendHandle.positiveTtl(ttl));
      long now = handle.now();
      Map<String, CacheEntry<?>> entries = new LinkedHashMap<>();
      values.forEach((key, value) -> {
        if (value == null) {
          throw new IllegalArgumentException("A cached value must not be null (key '" + key + "')");
        }
        entries.put(KeyRules.checked(key), LoadEngine.newEntry(value, now, Durations.toMillis(checkedTtl.get()),
            CachePolicy.defaults(), Set.of(), handle.random()));
      });
      return handle.gated(null, () -> handle.putAll(entries),
          () -> Flux.fromIterable(entries.keySet()).concatMap(handle::delete).then());
    });
  }

  @Override
  public <T> Cache<T> cache(String name, Class<T> type) {
    return cache(name, ValueType.of(type), defaultPolicy);
  }

  @Override
  public <T> Cache<T> cache(String name, ValueType<T> type, CachePolicy policy) {
    return new DefaultCache<>(name, handle, type, policy);
  }

  @Override
  public <T> QueryCache<T> queries(Class<T> type, CachePolicy policy) {
    return new QueryCache<>(handle, ValueType.of(type), policy);
  }

  @Override
  public Mono<Void> enable() {
    return handle.switchCaching(null, true);
  }

  @Override
  public Mono<Void> disable() {
    return handle.switchCaching(null, false);
  }

  @Override
  public boolean isEnabled() {
    return handle.caching(null);
  }

  @Override
  public <B> B unwrap(Class<B> type) {
    if (type == null) {
      throw CacheConfigurationException.invalid("type", "null", "the class of the backend, such as "
          + "MemoryCacheBackend.class");
    }
    handle.checkInService();
    CacheBackend backend = handle.backend();
    if (!type.isInstance(backend)) {
      throw new CacheConfigurationException("Backend '" + backendName() + "' is a " + backend.getClass().getName()
          + ", not a " + type.getName() + ": unwrap it as what it was added as (a composition such as withFallback"
          + " is its own class)");
    }
    return type.cast(backend);
  }

  @Override
  public Mono<Void> close() {
    if (!standalone) {
      return Mono.error(new CacheConfigurationException("Backend '" + backendName() + "' belongs to a CacheManager:"
          + " remove it with manager.removeBackend(\"" + backendName() + "\"), or close the manager"));
    }
    return handle.retire("The operations on backend '" + backendName() + "' were closed, and the backend with them:"
        + " create a new backend and call CacheOperations.of(backend) again");
  }

  /** Takes this backend out of its manager: later calls fail; in-flight loads deliver but do not store. */
  Mono<Void> remove() {
    return handle.retire("Backend '" + backendName() + "' was removed from its CacheManager: get the operations of a"
        + " backend in service with manager.backend(name), or add it again with manager.addBackend(...)");
  }

  @Override
  public String toString() {
    return "CacheOperations{backend=" + backendName() + (standalone ? ", standalone" : "") + '}';
  }

  private static CacheKey requireKey(CacheKey key) {
    if (key == null) {
      throw new InvalidCacheKeyException("A cache key must not be null");
    }
    return key;
  }
}
