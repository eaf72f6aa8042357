package io.reactivecache;

import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.CacheEvent;
import io.reactivecache.spi.KeyPattern;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@link CacheOperations} on one backend. Internal.
 */
final class BackendOperations implements CacheOperations {
  private final BackendHandle handle;
  private final CachePolicy defaultPolicy;

  /**
   * Creates the operations.
   *
   * @param handle the backend
   * @param defaultPolicy the policy of views created without one
   */
  public BackendOperations(BackendHandle handle, CachePolicy defaultPolicy) {
    this.handle = handle;
    this.defaultPolicy = defaultPolicy;
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
    return handle.put(key, LoadEngine.newEntry(value, handle.now(), ttl.map(Durations::toMillis).orElse(-1L),
        CachePolicy.defaults(), tags, handle.random()));
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
    return handle.readValue(key, type);
  }

  @Override
  public Mono<Boolean> delete(String key) {
    return Mono.defer(() -> handle.delete(KeyRules.checked(key)));
  }

  @Override
  public Mono<Boolean> delete(CacheKey key) {
    return Mono.defer(() -> handle.delete(requireKey(key).render()));
  }

  @Override
  public Mono<Boolean> exists(String key) {
    return Mono.defer(() -> handle.exists(KeyRules.checked(key)));
  }

  @Override
  public Mono<Boolean> exists(CacheKey key) {
    return Mono.defer(() -> handle.exists(requireKey(key).render()));
  }

  @Override
  public Mono<Void> clear() {
    return handle.clear();
  }

  @Override
  public Mono<Long> deletePattern(String pattern) {
    return Mono.defer(() -> handle.deletePattern(KeyPattern.of(pattern)));
  }

  @Override
  public Mono<Long> invalidateTag(String model) {
    return Mono.defer(() -> {
      if (model == null || model.isEmpty()) {
        throw new InvalidCacheKeyException("A model name must not be " + (model == null ? "null" : "empty"));
      }
      return handle.invalidateTag(model);
    });
  }

  @Override
  public Mono<CacheStats> stats() {
    return handle.stats();
  }

  @Override
  public Mono<CacheHealth> health() {
    return handle.health();
  }

  @Override
  public Flux<CacheEvent> events() {
    return handle.events();
  }

  @Override
  public <T> Mono<Map<String, T>> getAll(Collection<String> keys, Class<T> type) {
    ValueType<T> valueType = ValueType.of(type);
    return Mono.defer(() -> {
      Map<String, String> byStoredKey = new LinkedHashMap<>();
      for (String key : keys) {
        byStoredKey.put(KeyRules.checked(key), key);
      }
      return handle.readValues(byStoredKey, valueType);
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
      return handle.putAll(entries);
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

  private static CacheKey requireKey(CacheKey key) {
    if (key == null) {
      throw new InvalidCacheKeyException("A cache key must not be null");
    }
    return key;
  }
}
