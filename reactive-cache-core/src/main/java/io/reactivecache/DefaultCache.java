package io.reactivecache;

import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.KeyPattern;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * The {@link Cache} view: renders keys under the view's prefix and hands them to the engine.
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
  private final FluxLoads<T> fluxLoads;
  private final BulkLoads<T> bulkLoads;

  /**
   * Creates a view.
   *
   * @param name the view's name, used as key prefix
   * @param handle the backend
   * @param type the value type
   * @param policy the policy
   */
  DefaultCache(String name, BackendHandle handle, ValueType<T> type, CachePolicy policy) {
    if (name == null || name.isEmpty() || name.chars().anyMatch(Character::isISOControl)) {
      throw CacheConfigurationException.invalid("name", name == null ? "null" : "'" + name + "'",
          "a non-empty cache name without control characters");
    }
    if (type == null) {
      throw CacheConfigurationException.invalid("type", "null", "the class or ValueType of the view's values");
    }
    if (policy == null) {
      throw CacheConfigurationException.invalid("policy", "null", "a CachePolicy (CachePolicy.defaults() for none)");
    }
    handle.checkInService();
    this.name = name;
    this.prefix = prefixOf(name);
    this.handle = handle;
    this.type = type;
    this.policy = policy;
    this.engine = new LoadEngine<>(handle, type, policy, value -> true, name);
    this.fluxLoads = new FluxLoads<>(
        new LoadEngine<>(handle, listOf(type), policy, list -> list.size() <= policy.maxElements(), name));
    this.bulkLoads = new BulkLoads<>(engine);
  }

  /** The prefix of a view's keys: its name escaped, so view "a:b" with key "c" never meets view "a" with key "b:c". */
  static String prefixOf(String name) {
    return KeyRules.escapeComponent(name) + ":";
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
    return KeyRules.prefixed(prefix, key);
  }

  // The hot paths render the key at assembly (a pure function) instead of wrapping everything in Mono.defer;
  // a bad key still reaches the caller on subscription, as Mono.error.
  @Override
  public Mono<T> get(String key) {
    try {
      checkForRead(key);
    } catch (InvalidCacheKeyException e) {
      return Mono.error(e);
    }
    return engine.read(prefix, key);
  }

  @Override
  public Mono<T> get(String key, Mono<T> loader) {
    try {
      checkForRead(key);
      requireLoader(loader);
    } catch (CacheException e) {
      return Mono.error(e);
    }
    return engine.get(prefix, key, loader, Set.of());
  }

  /** Checks a key before a read; in full unless the engine checks it on a miss (see LoadEngine). */
  private void checkForRead(String key) {
    if (engine.readsSynchronously() && key != null && !key.isEmpty()) {
      return;
    }
    KeyRules.checkPart(prefix, key);
  }

  @Override
  public Mono<CacheResult<T>> getWithOutcome(String key, Mono<T> loader) {
    return Mono.defer(() -> engine.getWithOutcome(keyOf(key), requireLoader(loader), Set.of()));
  }

  @Override
  public Function<Mono<T>, Mono<T>> cachedMono(String key) {
    return loader -> get(key, loader);
  }

  @Override
  public Function<Mono<T>, Mono<T>> cachedMono(Function<ContextView, String> keyFromContext) {
    if (keyFromContext == null) {
      throw CacheConfigurationException.invalid("keyFromContext", "null", "a function from the Context to a key");
    }
    return loader -> Mono.deferContextual(context -> get(keyFromContext.apply(context), loader));
  }

  @Override
  public Flux<T> getFlux(String key, Flux<T> loader) {
    return Flux.defer(() -> fluxLoads.get(keyOf(key), requireLoader(loader), Set.of()));
  }

  @Override
  public Function<Flux<T>, Flux<T>> cachedFlux(String key) {
    return loader -> getFlux(key, loader);
  }

  // While caching is off, a write removes the key's older value instead of storing the new one, so nothing older
  // than the write is served once caching is back on.
  @Override
  public Mono<Void> put(String key, T value) {
    return Mono.defer(() -> {
      String stored = keyOf(key);
      CacheEntry<?> entry = engine.newEntry(requireValue(value), policy.tags());
      return handle.allOn() ? handle.put(stored, entry)
          : handle.gated(name, () -> handle.put(stored, entry), () -> handle.delete(stored).then());
    });
  }

  @Override
  public Mono<Void> put(String key, T value, Duration ttl) {
    return Mono.defer(() -> {
      String stored = keyOf(key);
      CacheEntry<?> entry = LoadEngine.newEntry(requireValue(value), handle.now(),
          Durations.toMillis(BackendHandle.positiveTtl(ttl)), policy, policy.tags(), handle.random());
      return handle.gated(name, () -> handle.put(stored, entry), () -> handle.delete(stored).then());
    });
  }

  @Override
  public Mono<Boolean> delete(String key) {
    return Mono.defer(() -> {
      handle.checkInService();
      return handle.delete(keyOf(key));
    });
  }

  @Override
  public Mono<Boolean> exists(String key) {
    return Mono.defer(() -> handle.gated(name, () -> handle.exists(keyOf(key)), () -> Mono.just(false)));
  }

  @Override
  public Mono<Map<String, T>> getAll(Collection<String> keys) {
    return Mono.defer(() -> {
      Map<String, String> stored = storedKeys(keys);
      return handle.gated(name, () -> handle.readValues(stored, type), () -> {
        if (policy.recordStats()) {
          handle.countBypassed(stored.size());
        }
        return Mono.just(Map.of());
      });
    });
  }

  @Override
  public Mono<Map<String, T>> getAll(Collection<String> keys,
      Function<? super Set<String>, ? extends Mono<? extends Map<String, ? extends T>>> loader) {
    return Mono.defer(() -> bulkLoads.get(storedKeys(keys), requireLoader(loader)));
  }

  @Override
  public Mono<Void> putAll(Map<String, ? extends T> values) {
    return Mono.defer(() -> {
      if (values == null) {
        throw new IllegalArgumentException("putAll needs a map of values, not null");
      }
      Map<String, CacheEntry<?>> entries = new LinkedHashMap<>();
      values.forEach((key, value) -> entries.put(keyOf(key), engine.newEntry(requireValue(value), policy.tags())));
      return handle.gated(name, () -> handle.putAll(entries),
          () -> Flux.fromIterable(entries.keySet()).concatMap(handle::delete).then());
    });
  }

  @Override
  public Mono<Long> clear() {
    return Mono.defer(() -> {
      handle.checkInService();
      return handle.deletePattern(KeyPattern.prefix(prefix));
    });
  }

  @Override
  public Mono<Void> enable() {
    return handle.switchCaching(name, true);
  }

  @Override
  public Mono<Void> disable() {
    return handle.switchCaching(name, false);
  }

  @Override
  public boolean isEnabled() {
    return handle.caching(name);
  }

  @Override
  public Mono<WarmupResult> warm(Flux<String> keys, Function<String, Mono<T>> loader) {
    return warm(keys, loader, DEFAULT_WARM_CONCURRENCY, DEFAULT_WARM_TTL_SPREAD);
  }

  @Override
  public Mono<WarmupResult> warm(Flux<String> keys, Function<String, Mono<T>> loader, int concurrency,
      double ttlSpread) {
    if (keys == null) {
      throw CacheConfigurationException.invalid("keys", "null", "a Flux of the keys to warm");
    }
    requireLoader(loader);
    Warming<T> warming = new Warming<>(engine, prefix, concurrency, ttlSpread);
    return warming.run(keys, loader);
  }

  // ---- for query caching: a load whose entry carries extra tags (the query's model) ----

  Mono<T> get(String key, Mono<T> loader, Set<String> tags) {
    try {
      KeyRules.checkPart(prefix, key);
    } catch (InvalidCacheKeyException e) {
      return Mono.error(e);
    }
    return engine.get(prefix, key, requireLoader(loader), tags);
  }

  Flux<T> getFlux(String key, Flux<T> loader, Set<String> tags) {
    return Flux.defer(() -> fluxLoads.get(keyOf(key), requireLoader(loader), tags));
  }

  @Override
  public String toString() {
    return "Cache{name=" + name + ", type=" + type + ", backend=" + handle.name() + ", policy=" + policy + '}';
  }

  /** The stored key of each caller's key, in the caller's order (duplicates once). */
  private Map<String, String> storedKeys(@Nullable Collection<String> keys) {
    if (keys == null) {
      throw new InvalidCacheKeyException("A collection of keys must not be null");
    }
    Map<String, String> byStoredKey = new LinkedHashMap<>();
    for (String key : keys) {
      byStoredKey.put(keyOf(key), key);
    }
    return byStoredKey;
  }

  private static <L> L requireLoader(@Nullable L loader) {
    if (loader == null) {
      throw CacheConfigurationException.invalid("loader", "null", "a Mono, Flux or function that loads the value");
    }
    return loader;
  }

  private static <V> V requireValue(@Nullable V value) {
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
      public @Nullable Type getOwnerType() {
        return null;
      }

      @Override
      public boolean equals(Object other) {
        return other instanceof ParameterizedType parameterized
            && parameterized.getRawType() == List.class
            && parameterized.getOwnerType() == null
            && Arrays.equals(parameterized.getActualTypeArguments(), getActualTypeArguments());
      }

      @Override
      public int hashCode() {
        return Arrays.hashCode(getActualTypeArguments()) ^ List.class.hashCode();
      }

      @Override
      public String getTypeName() {
        return "java.util.List<" + element.type().getTypeName() + ">";
      }
    };
    return ValueType.ofType(listType);
  }
}
