package io.reactivecache;

import io.reactivecache.spi.BackendSettings;
import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheBackendProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The entry point: named backends with a default one, the seed's operations on them, typed {@link Cache} views
 * and cached functions.
 *
 * <pre>{@code
 * CacheManager manager = CacheManager.builder()
 *     .memory("memory", 10_000, Duration.ofMinutes(5), Strategy.TTL)  // needs reactive-cache-memory
 *     .build();
 * Cache<User> users = manager.cache("users", User.class);
 * Mono<User> user = users.get("42", repository.findById(42));        // one load however many callers miss
 * }</pre>
 *
 * <p>The set/get/delete/exists/deletePattern/getAll/putAll operations act on the default backend;
 * {@link #backend(String)} gives the same operations on another. As in the seed, {@link #clear()},
 * {@link #stats()} and {@link #invalidateTag(String)} act on every backend. Immutable once built and
 * thread-safe; every operation is lazy and non-blocking.
 */
public final class CacheManager {
  private final Map<String, BackendOperations> backends;
  private final BackendOperations defaultBackend;
  private final Scheduler clock;
  private final CachePolicy defaultPolicy;

  private CacheManager(Map<String, BackendOperations> backends, String defaultName, Scheduler clock,
      CachePolicy defaultPolicy) {
    this.backends = backends;
    this.defaultBackend = backends.get(defaultName);
    this.clock = clock;
    this.defaultPolicy = defaultPolicy;
  }

  /**
   * Starts a manager.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the operations on a named backend.
   *
   * @param name the backend's name
   * @return its operations
   * @throws CacheConfigurationException if no backend has that name
   */
  public CacheOperations backend(String name) {
    BackendOperations operations = backends.get(name);
    if (operations == null) {
      throw CacheConfigurationException.invalid("backend", "'" + name + "'", "one of " + backends.keySet());
    }
    return operations;
  }

  /**
   * Returns the default backend's operations.
   *
   * @return the operations
   */
  public CacheOperations defaultBackend() {
    return defaultBackend;
  }

  /**
   * Returns the backends' names, the default first.
   *
   * @return the names
   */
  public Set<String> backendNames() {
    return backends.keySet();
  }

  /**
   * Returns the clock the manager reads time from.
   *
   * @return the clock
   */
  public Scheduler clock() {
    return clock;
  }

  /**
   * Returns the policy of views created without one.
   *
   * @return the default policy
   */
  public CachePolicy defaultPolicy() {
    return defaultPolicy;
  }

  /**
   * Writes a value to the default backend with its default TTL. See {@link CacheOperations#put(String, Object)}.
   *
   * @param key the key
   * @param value the value
   * @return completes once written
   */
  public Mono<Void> put(String key, Object value) {
    return defaultBackend.put(key, value);
  }

  /**
   * Writes a value to the default backend with a TTL.
   *
   * @param key the key
   * @param value the value
   * @param ttl a positive time to live
   * @return completes once written
   */
  public Mono<Void> put(String key, Object value, Duration ttl) {
    return defaultBackend.put(key, value, ttl);
  }

  /**
   * Writes a value under a structured key (tagged with its model) to the default backend.
   *
   * @param key the key
   * @param value the value
   * @param ttl a positive time to live
   * @return completes once written
   */
  public Mono<Void> put(CacheKey key, Object value, Duration ttl) {
    return defaultBackend.put(key, value, ttl);
  }

  /**
   * Reads a value from the default backend.
   *
   * @param key the key
   * @param type the expected type
   * @param <T> the value's type
   * @return the value, or empty on a miss
   */
  public <T> Mono<T> get(String key, Class<T> type) {
    return defaultBackend.get(key, type);
  }

  /**
   * Reads a value of a generic type from the default backend.
   *
   * @param key the key
   * @param type the expected type
   * @param <T> the value's type
   * @return the value, or empty on a miss
   */
  public <T> Mono<T> get(String key, ValueType<T> type) {
    return defaultBackend.get(key, type);
  }

  /**
   * Reads a value under a structured key from the default backend.
   *
   * @param key the key
   * @param type the expected type
   * @param <T> the value's type
   * @return the value, or empty on a miss
   */
  public <T> Mono<T> get(CacheKey key, ValueType<T> type) {
    return defaultBackend.get(key, type);
  }

  /**
   * Deletes a key from the default backend.
   *
   * @param key the key
   * @return true if a value was removed
   */
  public Mono<Boolean> delete(String key) {
    return defaultBackend.delete(key);
  }

  /**
   * Deletes a structured key from the default backend.
   *
   * @param key the key
   * @return true if a value was removed
   */
  public Mono<Boolean> delete(CacheKey key) {
    return defaultBackend.delete(key);
  }

  /**
   * Tells whether a key exists in the default backend.
   *
   * @param key the key
   * @return true if it holds an unexpired entry
   */
  public Mono<Boolean> exists(String key) {
    return defaultBackend.exists(key);
  }

  /**
   * Tells whether a structured key exists in the default backend.
   *
   * @param key the key
   * @return true if it holds an unexpired entry
   */
  public Mono<Boolean> exists(CacheKey key) {
    return defaultBackend.exists(key);
  }

  /**
   * Clears every backend (the seed's {@code clear()} without a backend).
   *
   * @return completes once all are cleared
   */
  public Mono<Void> clear() {
    return Flux.fromIterable(backends.values()).concatMap(BackendOperations::clear).then();
  }

  /**
   * Clears one backend.
   *
   * @param backend the backend's name
   * @return completes once cleared
   */
  public Mono<Void> clear(String backend) {
    return Mono.defer(() -> backend(backend).clear());
  }

  /**
   * Deletes the keys matching a glob pattern in the default backend.
   *
   * @param pattern the pattern
   * @return how many entries were removed
   */
  public Mono<Long> deletePattern(String pattern) {
    return defaultBackend.deletePattern(pattern);
  }

  /**
   * Removes every entry tagged with a model, in every backend.
   *
   * @param model the model
   * @return how many entries were removed in all
   */
  public Mono<Long> invalidateTag(String model) {
    return Flux.fromIterable(backends.values())
        .concatMap(operations -> operations.invalidateTag(model))
        .reduce(0L, Long::sum);
  }

  /**
   * Returns the totals over every backend (the seed's {@code get_stats()} without a backend).
   *
   * @return the summed counters
   */
  public Mono<CacheStats> stats() {
    return Flux.fromIterable(backends.values())
        .concatMap(BackendOperations::stats)
        .reduce(CacheStats.empty(), CacheStats::plus);
  }

  /**
   * Returns one backend's counters.
   *
   * @param backend the backend's name
   * @return the counters
   */
  public Mono<CacheStats> stats(String backend) {
    return Mono.defer(() -> backend(backend).stats());
  }

  /**
   * Returns every backend's health, by name.
   *
   * @return the health of each backend
   */
  public Mono<Map<String, CacheHealth>> health() {
    return Flux.fromIterable(backends.values())
        .concatMap(operations -> operations.health().map(health -> Map.entry(operations.backendName(), health)))
        .collect(LinkedHashMap::new, (map, entry) -> map.put(entry.getKey(), entry.getValue()));
  }

  /**
   * Reads several keys from the default backend.
   *
   * @param keys the keys
   * @param type the expected type
   * @param <T> the value's type
   * @return the values found, by key
   */
  public <T> Mono<Map<String, T>> getAll(Collection<String> keys, Class<T> type) {
    return defaultBackend.getAll(keys, type);
  }

  /**
   * Writes several values to the default backend.
   *
   * @param values the values by key
   * @param ttl a positive time to live
   * @return completes once written
   */
  public Mono<Void> putAll(Map<String, ?> values, Duration ttl) {
    return defaultBackend.putAll(values, ttl);
  }

  /**
   * Returns a typed view of the default backend with the default policy.
   *
   * @param name the view's name, the prefix of its keys
   * @param type the value type
   * @param <T> the value type
   * @return the view
   */
  public <T> Cache<T> cache(String name, Class<T> type) {
    return defaultBackend.cache(name, type);
  }

  /**
   * Returns a typed view of the default backend.
   *
   * @param name the view's name
   * @param type the value type
   * @param policy how values are loaded and served
   * @param <T> the value type
   * @return the view
   */
  public <T> Cache<T> cache(String name, Class<T> type, CachePolicy policy) {
    return defaultBackend.cache(name, ValueType.of(type), policy);
  }

  /**
   * Returns a typed view of the default backend for a generic type.
   *
   * @param name the view's name
   * @param type the value type
   * @param policy how values are loaded and served
   * @param <T> the value type
   * @return the view
   */
  public <T> Cache<T> cache(String name, ValueType<T> type, CachePolicy policy) {
    return defaultBackend.cache(name, type, policy);
  }

  /**
   * Starts a cached function returning {@code R} (the seed's {@code async_cached}).
   *
   * @param type the result type
   * @param <R> the result type
   * @return a builder
   */
  public <R> CachedFunctions.Builder<R> cached(Class<R> type) {
    return CachedFunctions.builder(this, ValueType.of(type));
  }

  /**
   * Starts a cached function for an operation on a model (the seed's {@code cache_result}): keys are made with
   * {@link CacheKeys#make} from the model, the operation and the arguments, and entries are tagged with the model.
   *
   * @param model the model
   * @param operation the operation
   * @param type the result type
   * @param <R> the result type
   * @return a builder
   */
  public <R> CachedFunctions.Builder<R> cacheResult(String model, String operation, Class<R> type) {
    return CachedFunctions.builder(this, ValueType.of(type)).modelOperation(model, operation);
  }

  /**
   * Closes the backends this manager created ({@link Builder#memory}, {@link Builder#backend(String, String,
   * Map)}); backends given with {@link Builder#backend(CacheBackend)} are the caller's to close.
   *
   * @return completes once closed
   */
  public Mono<Void> close() {
    return Flux.fromIterable(backends.values()).concatMap(operations -> operations.handle().close()).then();
  }

  @Override
  public String toString() {
    return "CacheManager{backends=" + backends.keySet() + ", default=" + defaultBackend.backendName() + '}';
  }

  /** Builds a {@link CacheManager}. Not thread-safe. */
  public static final class Builder {
    private record Pending(CacheBackend backend, boolean owned) {}

    private final List<Function<Scheduler, Pending>> backends = new ArrayList<>();
    private @Nullable String defaultBackend;
    private @Nullable Scheduler clock;
    private CachePolicy defaultPolicy = CachePolicy.defaults();
    private @Nullable RandomGenerator random;
    // Typed Object so that this class loads without Micrometer on the class path (it is optional).
    private @Nullable Object observationRegistry;

    private Builder() {}

    /**
     * Adds the memory backend with the seed's defaults: name "memory", {@link BackendSettings#DEFAULT_MAXIMUM_SIZE}
     * entries, no TTL, strategy TTL.
     * Needs {@code reactive-cache-memory} on the class path.
     *
     * @return this builder
     */
    public Builder memory() {
      return memory("memory", BackendSettings.DEFAULT_MAXIMUM_SIZE, null, Strategy.TTL);
    }

    /**
     * Adds a memory backend (the seed's {@code setup_memory_cache}). Needs {@code reactive-cache-memory} on the
     * class path; core finds it with {@link ServiceLoader}.
     *
     * @param name the backend's name
     * @param maximumSize the largest number of entries
     * @param defaultTtl the TTL of values written without one, or null for none (values then live until evicted)
     * @param strategy the eviction strategy, or null for {@link Strategy#TTL}
     * @return this builder
     */
    public Builder memory(String name, long maximumSize, @Nullable Duration defaultTtl, @Nullable Strategy strategy) {
      backends.add(clock -> new Pending(provider("memory").create(new BackendSettings(name, maximumSize,
          Optional.ofNullable(defaultTtl), strategy == null ? Strategy.TTL : strategy, clock, Map.of())), true));
      return this;
    }

    /**
     * Adds a backend of a type found on the class path (such as {@code "redis"}), with options of its own.
     *
     * @param type the backend type
     * @param name the backend's name
     * @param options the backend's options (for Redis: url, namespace, ...); common ones: {@code maximumSize},
     *     {@code defaultTtl} (e.g. {@code 5m} or {@code PT5M}), {@code strategy}, and {@code fallback}: the type of a backend
     *     (such as {@code memory}) to serve from while this one fails, composed with
     *     {@link CacheBackends#withFallback}, or {@code none}. Default, as the seed's {@code enable_fallback=True}:
     *     {@code memory} when {@code reactive-cache-memory} is on the class path (and the type is not itself
     *     {@code memory}), else none
     * @return this builder
     */
    public Builder backend(String type, String name, Map<String, String> options) {
      Map<String, String> copy = Map.copyOf(options);
      backends.add(clock -> {
        Map<String, String> rest = new LinkedHashMap<>(copy);
        String size = rest.remove("maximumSize");
        long maximumSize = size == null ? BackendSettings.DEFAULT_MAXIMUM_SIZE : BackendSettings.parseLong("maximumSize", size);
        Optional<Duration> ttl = Optional.ofNullable(rest.remove("defaultTtl"))
            .map(text -> BackendSettings.parseDuration("defaultTtl", text));
        Strategy strategy = Optional.ofNullable(rest.remove("strategy")).map(Strategy::parse).orElse(Strategy.TTL);
        String fallbackType = rest.containsKey("fallback") ? rest.remove("fallback").trim()
            : !type.equals("memory") && hasProvider("memory") ? "memory" : "none";
        if (fallbackType.isEmpty()) {
          throw CacheConfigurationException.invalid("fallback", "''", "'none' or a backend type such as 'memory'");
        }
        CacheBackendProvider fallbackProvider = fallbackType.equalsIgnoreCase("none") ? null : provider(fallbackType);
        CacheBackend primary = provider(type).create(new BackendSettings(name, maximumSize, ttl, strategy, clock,
            rest));
        if (fallbackProvider == null) {
          return new Pending(primary, true);
        }
        CacheBackend fallback = fallbackProvider.create(new BackendSettings(name + "-fallback",
            maximumSize, ttl, strategy, clock, Map.of()));
        return new Pending(CacheBackends.withFallback(primary, fallback), true);
      });
      return this;
    }

    /**
     * Adds a backend built by the caller (for example {@code RedisCache.builder()...build()}, or a composition from
     * {@link CacheBackends}). The manager does not close it.
     *
     * @param backend the backend
     * @return this builder
     */
    public Builder backend(CacheBackend backend) {
      if (backend == null) {
        throw CacheConfigurationException.invalid("backend", "null", "a backend");
      }
      backends.add(clock -> new Pending(backend, false));
      return this;
    }

    /**
     * Names the default backend. Default: the first one added.
     *
     * @param name the backend's name
     * @return this builder
     */
    public Builder defaultBackend(String name) {
      this.defaultBackend = name;
      return this;
    }

    /**
     * Sets the clock timestamps are read from ({@code clock.now(MILLISECONDS)}), exactly, at every read; backends
     * set up by the manager get it too. Tests pass a {@code VirtualTimeScheduler}. Default: real time from
     * {@link Schedulers#parallel()}, read through a clock that one daemon thread ({@code reactive-cache-clock})
     * refreshes every millisecond while it is read, so a hit does not pay for a system clock read; freshness
     * decisions then lag real time by at most that tick plus the thread's scheduling delay.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Scheduler clock) {
      if (clock == null) {
        throw CacheConfigurationException.invalid("clock", "null",
            "a Reactor Scheduler (leave it unset for the default real-time clock)");
      }
      this.clock = clock;
      return this;
    }

    /**
     * Sets the policy of views created without one. Default: {@link CachePolicy#defaults()}.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder defaultPolicy(CachePolicy policy) {
      if (policy == null) {
        throw CacheConfigurationException.invalid("defaultPolicy", "null", "a policy");
      }
      this.defaultPolicy = policy;
      return this;
    }

    /**
     * Sets the source of randomness of TTL jitter and probabilistic early refresh. Default: each thread's
     * {@code ThreadLocalRandom}. Tests pass a seeded generator (it must be thread-safe if the manager is used from
     * several threads, as {@link java.util.Random} is).
     *
     * @param random the generator
     * @return this builder
     */
    public Builder random(RandomGenerator random) {
      if (random == null) {
        throw CacheConfigurationException.invalid("random", "null",
            "a RandomGenerator (leave it unset for ThreadLocalRandom)");
      }
      this.random = random;
      return this;
    }

    /**
     * Wraps every load in a Micrometer {@code Observation} named {@code cache.load} (low-cardinality key values:
     * {@code cache}, the backend's name; {@code outcome}, success, failure or cancelled), child of the caller's
     * observation found in the Reactor {@code Context}, and visible to the loader in its {@code Context} — so a
     * trace shows a miss and its load. Needs {@code io.micrometer:micrometer-observation} on the class path.
     * Default: loads are not observed.
     *
     * @param registry the observation registry (borrowed)
     * @return this builder
     */
    public Builder observationRegistry(io.micrometer.observation.ObservationRegistry registry) {
      if (registry == null) {
        throw CacheConfigurationException.invalid("observationRegistry", "null",
            "an ObservationRegistry (leave it unset to not observe loads)");
      }
      this.observationRegistry = registry;
      return this;
    }

    /**
     * Validates the configuration, creates the backends and builds the manager.
     *
     * @return the manager
     * @throws CacheConfigurationException naming the first invalid option and its value
     */
    public CacheManager build() {
      if (backends.isEmpty()) {
        throw new CacheConfigurationException(
            "No backend configured: call memory(...) or backend(...) on CacheManager.builder()");
      }
      EngineClock engineClock = clock == null ? EngineClock.realTime() : EngineClock.of(clock);
      Scheduler time = engineClock.scheduler();
      LoadObserver observer = observationRegistry == null ? LoadObserver.NONE
          : ObservedLoads.of(observationRegistry);
      Map<String, BackendOperations> built = new LinkedHashMap<>();
      for (Function<Scheduler, Pending> factory : backends) {
        Pending pending = factory.apply(time);
        String name = pending.backend().name();
        if (built.containsKey(name)) {
          throw CacheConfigurationException.invalid("name", "'" + name + "'",
              "a backend name used once (it is already taken)");
        }
        built.put(name, new BackendOperations(
            new BackendHandle(pending.backend(), engineClock, pending.owned(), observer, random), defaultPolicy));
      }
      String defaultName = defaultBackend == null ? built.keySet().iterator().next() : defaultBackend;
      if (!built.containsKey(defaultName)) {
        throw CacheConfigurationException.invalid("defaultBackend", "'" + defaultName + "'",
            "one of " + built.keySet());
      }
      return new CacheManager(built, defaultName, time, defaultPolicy);
    }

    private static boolean hasProvider(String type) {
      return ServiceLoader.load(CacheBackendProvider.class, CacheManager.class.getClassLoader()).stream()
          .anyMatch(provider -> provider.get().type().equals(type));
    }

    private static CacheBackendProvider provider(String type) {
      List<String> found = new ArrayList<>();
      for (CacheBackendProvider provider : ServiceLoader.load(CacheBackendProvider.class,
          CacheManager.class.getClassLoader())) {
        if (provider.type().equals(type)) {
          return provider;
        }
        found.add(provider.type());
      }
      throw new CacheConfigurationException("No backend provider of type '" + type + "' on the class path (found: "
          + found + "); add the dependency io.reactivecache:reactive-cache-" + type);
    }
  }
}
