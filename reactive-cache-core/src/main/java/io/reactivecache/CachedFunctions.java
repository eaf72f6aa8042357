package io.reactivecache;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import reactor.core.publisher.Mono;

/**
 * Cached functions: the seed's {@code @async_cached} and {@code @cache_result} decorators as function wrappers.
 *
 * <pre>{@code
 * Function<Long, Mono<Partner>> partner = manager.cached(Partner.class)
 *     .keyPrefix("partner").ttl(Duration.ofMinutes(5))
 *     .staleWhileRevalidate(Duration.ofMinutes(1))
 *     .function(id -> repository.findById(id));
 *
 * BiFunction<String, Integer, Mono<List>> search = manager.cacheResult("res.partner", "search", List.class)
 *     .ttl(Duration.ofMinutes(5)).tags("res.users")
 *     .biFunction((domain, limit) -> client.search(domain, limit));
 * }</pre>
 * A wrapped function follows every {@code cachedMono} rule of {@link Cache}. Its key is built from its arguments:
 * by the key builder if given, else from their canonical form (see {@link CacheKey}), hashed with SHA-256.
 */
public final class CachedFunctions {
  private CachedFunctions() {}

  static <R> Builder<R> builder(CacheManager manager, ValueType<R> type) {
    return new Builder<>(manager, type);
  }

  /**
   * Configures a cached function. Not thread-safe; the functions it builds are.
   *
   * @param <R> the function's result type
   */
  public static final class Builder<R> {
    private final CacheManager manager;
    private final ValueType<R> type;
    private String keyPrefix;
    private String model;
    private String operation;
    private Function<List<Object>, String> keyBuilder;
    private String backend;
    private Predicate<List<Object>> skipCache = args -> false;
    private CachePolicy.Builder policy;
    private final Set<String> tags = new LinkedHashSet<>();

    private Builder(CacheManager manager, ValueType<R> type) {
      this.manager = manager;
      this.type = type;
      this.policy = manager.defaultPolicy().toBuilder();
    }

    Builder<R> modelOperation(String model, String operation) {
      this.model = model;
      this.operation = operation;
      return this;
    }

    /**
     * Sets the prefix of every key (required unless built with {@link CacheManager#cacheResult}): a lambda has no
     * stable name to derive one from.
     *
     * @param keyPrefix the prefix
     * @return this builder
     */
    public Builder<R> keyPrefix(String keyPrefix) {
      this.keyPrefix = keyPrefix;
      return this;
    }

    /**
     * Builds keys from the arguments instead of hashing their canonical form.
     *
     * @param keyBuilder gets the arguments, returns the key part after the prefix
     * @return this builder
     */
    public Builder<R> keyBuilder(Function<List<Object>, String> keyBuilder) {
      this.keyBuilder = required("keyBuilder", keyBuilder, "a function from the arguments to a key part");
      return this;
    }

    /**
     * Starts from a whole policy (every {@link CachePolicy} option: early refresh, a TTL computed from the value,
     * load timeouts, …); the setters below then adjust it. Default: the manager's default policy.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder<R> policy(CachePolicy policy) {
      this.policy = required("policy", policy, "a CachePolicy").toBuilder();
      return this;
    }

    /**
     * Sets how long a result is fresh.
     *
     * @param ttl a positive duration
     * @return this builder
     */
    public Builder<R> ttl(Duration ttl) {
      policy.ttl(ttl);
      return this;
    }

    /**
     * Chooses the backend. Default: the manager's default backend.
     *
     * @param backend the backend's name
     * @return this builder
     */
    public Builder<R> backend(String backend) {
      this.backend = backend;
      return this;
    }

    /**
     * Bypasses the cache for the calls whose arguments match.
     *
     * @param skipCache gets the arguments; true calls the function directly
     * @return this builder
     */
    public Builder<R> skipCache(Predicate<List<Object>> skipCache) {
      this.skipCache = required("skipCache", skipCache, "a predicate on the arguments");
      return this;
    }

    /**
     * Chooses whether concurrent misses share one call (default true).
     *
     * @param prevent true to share
     * @return this builder
     */
    public Builder<R> preventStampede(boolean prevent) {
      policy.preventStampede(prevent);
      return this;
    }

    /**
     * Chooses whether calls are counted in the backend's stats and meters (default true).
     *
     * @param enable true to count
     * @return this builder
     */
    public Builder<R> recordStats(boolean enable) {
      policy.recordStats(enable);
      return this;
    }

    /**
     * Serves stale results at once for this long after the TTL, while one background call refreshes them.
     *
     * @param staleTtl the stale window
     * @return this builder
     */
    public Builder<R> staleWhileRevalidate(Duration staleTtl) {
      policy.staleWhileRevalidate(staleTtl);
      return this;
    }

    /**
     * Serves stale results for this long after the TTL when the function fails.
     *
     * @param window the stale window
     * @return this builder
     */
    public Builder<R> staleIfError(Duration window) {
      policy.staleIfError(window);
      return this;
    }

    /**
     * Caches empty results for this long (default: not cached).
     *
     * @param ttl the TTL of empty results
     * @return this builder
     */
    public Builder<R> emptyTtl(Duration ttl) {
      policy.emptyTtl(ttl);
      return this;
    }

    /**
     * Makes the results invalidated by these models too: {@link CacheManager#invalidateTag(String)} of any of
     * them removes every cached result of this function.
     *
     * @param models the models
     * @return this builder
     */
    public Builder<R> tags(String... models) {
      for (String model : required("tags", models, "tag names")) {
        if (model == null || model.isEmpty()) {
          throw CacheConfigurationException.invalid("tags", Arrays.toString(models), "non-empty tag names");
        }
        tags.add(model);
      }
      return this;
    }

    /**
     * Wraps a one-argument function.
     *
     * @param function the function
     * @param <A> the argument type
     * @return the cached function
     */
    public <A> Function<A, Mono<R>> function(Function<A, Mono<R>> function) {
      required("function", function, "the function to cache");
      Call<R> call = build();
      return argument -> call.invoke(Arrays.asList(argument), () -> function.apply(argument));
    }

    /**
     * Wraps a two-argument function.
     *
     * @param function the function
     * @param <A> the first argument's type
     * @param <B> the second argument's type
     * @return the cached function
     */
    public <A, B> BiFunction<A, B, Mono<R>> biFunction(BiFunction<A, B, Mono<R>> function) {
      required("function", function, "the function to cache");
      Call<R> call = build();
      return (a, b) -> call.invoke(Arrays.asList(a, b), () -> function.apply(a, b));
    }

    private Call<R> build() {
      if (model == null && (keyPrefix == null || keyPrefix.isEmpty())) {
        throw CacheConfigurationException.invalid("keyPrefix", keyPrefix == null ? "null" : "''",
            "a non-empty prefix (a lambda has no stable name to derive one from)");
      }
      if (model != null && (keyPrefix != null || keyBuilder != null)) {
        throw CacheConfigurationException.invalid(keyPrefix != null ? "keyPrefix" : "keyBuilder",
            keyPrefix != null ? "'" + keyPrefix + "'" : "a function",
            "nothing: cacheResult builds its keys from the model, the operation and the arguments");
      }
      Set<String> allTags = new LinkedHashSet<>(policy.build().tags());
      allTags.addAll(tags);
      if (model != null) {
        allTags.add(model);
      }
      CachePolicy built = policy.tags(allTags).build();
      CacheOperations operations = backend == null ? manager.defaultBackend() : manager.backend(backend);
      // A function's keys are those of a view named after its prefix (or after the key namespace, for cacheResult),
      // so the function is built from the same public operations as any view.
      Cache<R> cache = operations.cache(model != null ? CacheKeys.DEFAULT_NAMESPACE : keyPrefix, type, built);
      return new Call<>(cache, this::keyOf, skipCache);
    }

    private String keyOf(List<Object> args) {
      if (model != null) {
        return CacheKeys.make(model, operation, Map.of("args", args)).renderedAfterNamespace();
      }
      return keyBuilder != null ? keyBuilder.apply(args) : KeyRules.sha256(Canonical.render(args));
    }
  }

  private static <V> V required(String option, V value, String expected) {
    if (value == null) {
      throw CacheConfigurationException.invalid(option, "null", expected);
    }
    return value;
  }

  private record Call<R>(Cache<R> cache, Function<List<Object>, String> keys, Predicate<List<Object>> skipCache) {
    Mono<R> invoke(List<Object> args, java.util.function.Supplier<Mono<R>> call) {
      return Mono.defer(() -> skipCache.test(args) ? call.get() : cache.get(keys.apply(args), Mono.defer(call)));
    }
  }
}
