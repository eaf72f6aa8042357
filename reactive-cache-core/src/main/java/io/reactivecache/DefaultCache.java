package io.reactivecache;

import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.KeyPattern;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * The {@link Cache} view: renders keys under the view's prefix and hands them to the engine. Internal.
 *
 * @param <T> the value type
 */
final class DefaultCache<T> implements Cache<T> {
  private final String name;
  private final String prefix;
  private final BackendHandle handle;
  private final ValueType<T> type;
  private final CachePolicy policy;
  private final LoadEngine<T> engine;
  private final LoadEngine<List<T>> listEngine;

  /**
   * Creates a view.
   *
   * @param name the view's name, used as key prefix
   * @param handle the backend
   * @param type the value type
   * @param policy the policy
   */
  public DefaultCache(String name, BackendHandle handle, ValueType<T> type, CachePolicy policy) {
    if (name == null || name.isEmpty() || name.chars().anyMatch(Character::isISOControl)) {
      throw CacheConfigurationException.invalid("name", name == null ? "null" : "'" + name + "'",
          "a non-empty cache name without control characters");
    }
    this.name = name;
    // The name is escaped, so view "a:b" with key "c" never meets view "a" with key "b:c".
    this.prefix = KeyRules.escapeComponent(name) + ":";
    this.handle = handle;
    this.type = type;
    this.policy = policy;
    this.engine = new LoadEngine<>(handle, type, policy, value -> true);
    this.listEngine = new LoadEngine<>(handle, listOf(type), policy, list -> list.size() <= policy.maxElements());
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CachePolicy policy() {
    return policy;
  }

  String keyOf(String key) {
    // The prefix was checked when the view was made: only the caller's part needs the control-character scan.
    return KeyRules.prefixed(prefix, key);
  }

  // The hot paths render the key at assembly (a pure function) instead of wrapping everything in Mono.defer;
  // a bad key still reaches the caller on subscription, as Mono.error.
  @Override
  public Mono<T> get(String key) {
    String stored;
    try {
      stored = keyOf(key);
    } catch (InvalidCacheKeyException e) {
      return Mono.error(e);
    }
    return engine.read(stored);
  }

  @Override
  public Mono<T> get(String key, Mono<T> loader) {
    String stored;
    try {
      stored = keyOf(key);
    } catch (InvalidCacheKeyException e) {
      return Mono.error(e);
    }
    return engine.get(stored, loader, Set.of());
  }

  @Override
  public Function<Mono<T>, Mono<T>> cachedMono(String key) {
    return loader -> get(key, loader);
  }

  @Override
  public Function<Mono<T>, Mono<T>> cachedMono(Function<ContextView, String> keyFromContext) {
    return loader -> Mono.deferContextual(context -> get(keyFromContext.apply(context), loader));
  }

  @Override
  public Flux<T> getFlux(String key, Flux<T> loader) {
    return Mono.defer(() -> listEngine.get(keyOf(key), loader.collectList(), Set.of()))
        .flatMapIterable(Function.identity());
  }

  @Override
  public Function<Flux<T>, Flux<T>> cachedFlux(String key) {
    return loader -> getFlux(key, loader);
  }

  @Override
  public Mono<Void> put(String key, T value) {
    return Mono.defer(() -> handle.put(keyOf(key), engine.newEntry(requireValue(value), policy.tags())));
  }

  @Override
  public Mono<Void> put(String key, T value, Duration ttl) {
    return Mono.defer(() -> handle.put(keyOf(key), LoadEngine.newEntry(requireValue(value), handle.now(),
        Optional.of(BackendHandle.positiveTtl(ttl)), policy, policy.tags())));
  }

  @Override
  public Mono<Boolean> delete(String key) {
    return Mono.defer(() -> handle.delete(keyOf(key)));
  }

  @Override
  public Mono<Boolean> exists(String key) {
    return Mono.defer(() -> handle.backend.exists(keyOf(key)));
  }

  @Override
  public Mono<Map<String, T>> getAll(Collection<String> keys) {
    return Mono.defer(() -> {
      Map<String, String> byStoredKey = new LinkedHashMap<>();
      for (String key : keys) {
        byStoredKey.put(keyOf(key), key);
      }
      return handle.getValues(byStoredKey, type);
    });
  }

  @Override
  public Mono<Void> putAll(Map<String, ? extends T> values) {
    return Mono.defer(() -> {
      Map<String, CacheEntry<?>> entries = new LinkedHashMap<>();
      values.forEach((key, value) -> entries.put(keyOf(key), engine.newEntry(requireValue(value), policy.tags())));
      return handle.putAll(entries);
    });
  }

  @Override
  public Mono<Long> clear() {
    return Mono.defer(() -> handle.deletePattern(KeyPattern.prefix(prefix)));
  }

  @Override
  public String toString() {
    return "Cache{name=" + name + ", type=" + type + ", backend=" + handle.name() + ", policy=" + policy + '}';
  }

  private static <V> V requireValue(V value) {
    if (value == null) {
      throw new IllegalArgumentException("A cached value must not be null; an empty Mono means 'absent'");
    }
    return value;
  }

  /** {@code List<T>} as a value type, so a backend that decodes (Redis) decodes the elements as T. */
  static <E> ValueType<List<E>> listOf(ValueType<E> element) {
    Type listType = new ParameterizedType() {
      @Override
      public Type[] getActualTypeArguments() {
        return new Type[] {element.type()};
      }

      @Override
      public Type getRawType() {
        return List.class;
      }

      @Override
      public Type getOwnerType() {
        return null;
      }

      @Override
      public boolean equals(Object other) {
        return other instanceof ParameterizedType
            && ((ParameterizedType) other).getRawType() == List.class
            && ((ParameterizedType) other).getOwnerType() == null
            && java.util.Arrays.equals(((ParameterizedType) other).getActualTypeArguments(),
                getActualTypeArguments());
      }

      @Override
      public int hashCode() {
        return java.util.Arrays.hashCode(getActualTypeArguments()) ^ List.class.hashCode();
      }

      @Override
      public String getTypeName() {
        return "java.util.List<" + element.type().getTypeName() + ">";
      }
    };
    return ValueType.ofType(listType);
  }
}
