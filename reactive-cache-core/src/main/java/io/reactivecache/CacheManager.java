package io.reactivecache;

import io.reactivecache.spi.BackendSettings;
import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheBackendProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
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
 * {@link #stats()} and {@link #invalidateTag(String)} act on every backend. Thread-safe; every operation is lazy
 * and non-blocking.
 *
 * <h2>Runtime control</h2>
 * As the seed's {@code setup_memory_cache}/{@code setup_redis_cache} on a running manager, backends can be added
 * ({@link #addMemory}, {@link #addBackend(String, String, Map)}, {@link #addBackend(CacheBackend)}), removed
 * ({@link #removeBackend(String)}) and made the default ({@link #setDefaultBackend(String)}) at run time, while calls
 * are in flight; caching can be switched off and on per backend ({@link CacheOperations#disable()}) and per view
 * ({@link Cache#disable()}). Views, query caches and cached functions stay bound to the backend they were created
 * on: the manager's default at that time, or the one named.
 */
public final class CacheManager {
  /**
   * The backends at one moment, replaced whole on every change (add, remove, new default, close), so that a reader
   * never sees half a change and the hot paths read one volatile field.
   */
  private record Backends(Map<String, BackendOperations> byName, String defaultName, boolean closed) {
    BackendOperations defaultBackend() {
      return byName.get(defaultName);
    }
  }

  /** What every backend's engine is made with, at build time and for backends added later. */
  private record Engine(EngineClock clock, LoadObserver observer, @Nullable RandomGenerator random,
      CachePolicy defaultPolicy) {
    BackendOperations open(Builder.Pending pending) {
      return new BackendOperations(new BackendHandle(pending.backend(), clock, pending.owned(), observer, random),
          defaultPolicy);
    }
  }

  private final AtomicReference<Backends> backends;
  private final Engine engine;
  /** The default key prefixes of cached functions, by the class of the function each was built for. */
  private final Map<String, Class<?>> defaultPrefixes = new ConcurrentHashMap<>();

  private CacheManager(Backends backends, Engine engine) {
    this.backends = new AtomicReference<>(backends);
    this.engine = engine;
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
    Backends now = backends.get();
    BackendOperations operations = now.byName().get(name);
    if (operations == null) {
      throw CacheConfigurationException.invalid("backend", "'" + name + "'", "one of " + now.byName().keySet()
          + " (a backend removed at run time is no longer there)");
    }
    return operations;
  }

  /**
   * Returns the default backend's operations.
   *
   * @return the operations
   */
  public CacheOperations defaultBackend() {
    return backends.get().defaultBackend();
  }

  /**
   * Returns the backends' names now, the default first.
   *
   * @return the names, a snapshot
   */
  public Set<String> backendNames() {
    Backends now = backends.get();
    Set<String> names = new LinkedHashSet<>();
    names.add(now.defaultName());
    names.addAll(now.byName().keySet());
    return Collections.unmodifiableSet(names);
  }

  /**
   * Returns the clock the manager reads time from.
   *
   * @return the clock
   */
  public Scheduler clock() {
    return engine.clock().scheduler();
  }

  /**
   * Returns the policy of views created without one.
   *
   * @return the default policy
   */
  public CachePolicy defaultPolicy() {
    return engine.defaultPolicy();
  }

  // ---- runtime control ----

  /**
   * Adds a memory backend to the running manager (the seed's {@code setup_memory_cache} on a live manager), as
   * {@link Builder#memory(String, long, Duration, Strategy)} does at build time. The manager owns it: removing it
   * or closing the manager closes it.
   *
   * @param name the backend's name, not used by another backend of this manager
   * @param maximumSize the largest number of entries
   * @param defaultTtl the TTL of values written without one, or null for none
   * @param strategy the eviction strategy, or null for {@link Strategy#TTL}
   * @return the new backend's operations, once it is in service; a {@link CacheConfigurationException} if the name
   *     is taken, an option is invalid, the memory module is missing or the manager is closed
   */
  public Mono<CacheOperations> addMemory(String name, long maximumSize, @Nullable Duration defaultTtl,
      @Nullable Strategy strategy) {
    return add(() -> builder().memory(name, maximumSize, defaultTtl, strategy));
  }

  /**
   * Adds a backend of a type found on the class path (such as {@code "redis"}) to the running manager (the seed's
   * {@code setup_redis_cache} on a live manager), with the options {@link Builder#backend(String, String, Map)}
   * takes. The manager owns it. Creating it may read files (a certificate bundle), so it runs on
   * {@link reactor.core.scheduler.Schedulers#boundedElastic()}; it opens no connection.
   *
   * @param type the backend type
   * @param name the backend's name, not used by another backend of this manager
   * @param options the backend's options
   * @return the new backend's operations, once it is in service; a {@link CacheConfigurationException} if the name
   *     is taken, an option is invalid, the module is missing or the manager is closed
   */
  public Mono<CacheOperations> addBackend(String type, String name, Map<String, String> options) {
    return add(() -> {
      if (options == null) {
        throw CacheConfigurationException.invalid("options", "null", "a map of options (Map.of() for none)");
      }
      return builder().backend(type, name, options);
    });
  }

  /**
   * Adds a backend built by the caller to the running manager. The manager does not close it.
   *
   * @param backend the backend, whose name no other backend of this manager has
   * @return the backend's operations, once it is in service; a {@link CacheConfigurationException} if the name is
   *     taken or the manager is closed
   */
  public Mono<CacheOperations> addBackend(CacheBackend backend) {
    return add(() -> builder().backend(backend));
  }

  /**
   * Removes a backend from the running manager. From the moment this is subscribed, every operation on it — through
   * {@link #backend(String)}, views, query caches and cached functions created on it — fails with a
   * {@link CacheConfigurationException}; loads in flight on it deliver their values to the callers already waiting
   * but store nothing. The default backend cannot be removed: make another one the default first
   * ({@link #setDefaultBackend(String)}), so a manager always has one. To stop caching without failing callers,
   * disable the backend instead ({@link CacheOperations#disable()}).
   *
   * @param name the backend's name
   * @return completes once stores already under way have landed and the backend is closed (if the manager created
   *     it); a {@link CacheConfigurationException} if there is no such backend, it is the default, or the manager is
   *     closed
   */
  public Mono<Void> removeBackend(String name) {
    return Mono.defer(() -> {
      for (;;) {
        Backends now = backends.get();
        checkOpen(now);
        BackendOperations removed = now.byName().get(name);
        if (removed == null) {
          return Mono.error(CacheConfigurationException.invalid("backend", "'" + name + "'",
              "one of " + now.byName().keySet()));
        }
        if (name.equals(now.defaultName())) {
          return Mono.error(new CacheConfigurationException("Backend '" + name + "' is the default backend and"
              + " cannot be removed: make another backend the default with setDefaultBackend(name) first"));
        }
        Map<String, BackendOperations> rest = new LinkedHashMap<>(now.byName());
        rest.remove(name);
        if (backends.compareAndSet(now, new Backends(Collections.unmodifiableMap(rest), now.defaultName(), false))) {
          return removed.remove();
        }
      }
    });
  }

  /**
   * Makes another backend the default one: the manager's own operations ({@link #put}, {@link #get}, ...) and the
   * views, query caches and cached functions created from now on without a backend name use it. Those created
   * before keep theirs.
   *
   * @param name the backend's name
   * @return completes once it is the default; a {@link CacheConfigurationException} if there is no such backend or
   *     the manager is closed
   */
  public Mono<Void> setDefaultBackend(String name) {
    return Mono.fromRunnable(() -> {
      for (;;) {
        Backends now = backends.get();
        checkOpen(now);
        if (!now.byName().containsKey(name)) {
          throw CacheConfigurationException.invalid("defaultBackend", "'" + name + "'", "one of "
              + now.byName().keySet());
        }
        if (backends.compareAndSet(now, new Backends(now.byName(), name, false))) {
          return;
        }
      }
    });
  }

  /** Creates a backend as a one-backend builder would, and puts it in service unless its name is taken. */
  private Mono<CacheOperations> add(Supplier<Builder> setup) {
    return Mono.fromCallable(() -> {
      checkOpen(backends.get());
      return engine.open(setup.get().backends.get(0).apply(engine.clock().scheduler()));
    }).subscribeOn(Schedulers.boundedElastic()).flatMap(added -> {
      for (;;) {
        Backends now = backends.get();
        CacheConfigurationException refused = now.closed() ? closed()
            : now.byName().containsKey(added.backendName()) ? CacheConfigurationException.invalid("name",
                "'" + added.backendName() + "'", "a backend name not in use (in use: " + now.byName().keySet() + ")")
            : null;
        if (refused != null) {
          return added.handle().close().then(Mono.error(refused));
        }
        Map<String, BackendOperations> more = new LinkedHashMap<>(now.byName());
        more.put(added.backendName(), added);
        if (backends.compareAndSet(now, new Backends(Collections.unmodifiableMap(more), now.defaultName(), false))) {
          return Mono.just(added);
        }
      }
    });
  }

  private static void checkOpen(Backends now) {
    if (now.closed()) {
      throw closed();
    }
  }

  private static CacheConfigurationException closed() {
    return new CacheConfigurationException("This CacheManager is closed: build a new one to change its backends");
  }

  /**
   * Claims a cached function's default key prefix (its call site) for the class of the function it wraps: a second,
   * different function built at the same call site would share its keys.
   */
  void claimDefaultPrefix(String prefix, Class<?> function) {
    Class<?> claimed = defaultPrefixes.putIfAbsent(prefix, function);
    if (claimed != null && claimed != function) {
      throw CacheConfigurationException.invalid("keyPrefix", "none (default '" + prefix + "')",
          "a keyPrefix of its own for each function built at one call site: two different functions built at "
              + prefix + " would share keys");
    }
  }

  /**
   * Writes a value to the default backend with its default TTL. See {@link CacheOperations#put(String, Object)}.
   *
   * @param key the key
   * @param value the value
   * @return completes once written
   */
  public Mono<Void> put(String key, Object value) {
    return Mono.defer(() -> defaultBackend().put(key, value));
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
    return Mono.defer(() -> defaultBackend().put(key, value, ttl));
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
    return Mono.defer(() -> defaultBackend().put(key, value, ttl));
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
    return Mono.defer(() -> defaultBackend().get(key, type));
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
    return Mono.defer(() -> defaultBackend().get(key, type));
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
    return Mono.defer(() -> defaultBackend().get(key, type));
  }

  /**
   * Deletes a key from the default backend.
   *
   * @param key the key
   * @return true if a value was removed
   */
  public Mono<Boolean> delete(String key) {
    return Mono.defer(() -> defaultBackend().delete(key));
  }

  /**
   * Deletes a structured key from the default backend.
   *
   * @param key the key
   * @return true if a value was removed
   */
  public Mono<Boolean> delete(CacheKey key) {
    return Mono.defer(() -> defaultBackend().delete(key));
  }

  /**
   * Tells whether a key exists in the default backend.
   *
   * @param key the key
   * @return true if it holds an unexpired entry
   */
  public Mono<Boolean> exists(String key) {
    return Mono.defer(() -> defaultBackend().exists(key));
  }

  /**
   * Tells whether a structured key exists in the default backend.
   *
   * @param key the key
   * @return true if it holds an unexpired entry
   */
  public Mono<Boolean> exists(CacheKey key) {
    return Mono.defer(() -> defaultBackend().exists(key));
  }

  /**
   * Clears every backend (the seed's {@code clear()} without a backend).
   *
   * @return completes once all are cleared
   */
  public Mono<Void> clear() {
    return Flux.defer(() -> Flux.fromIterable(backends.get().byName().values()))
        .concatMap(BackendOperations::clear).then();
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
    return Mono.defer(() -> defaultBackend().deletePattern(pattern));
  }

  /**
   * Removes every entry tagged with a model, in every backend.
   *
   * @param model the model
   * @return how many entries were removed in all
   */
  public Mono<Long> invalidateTag(String model) {
    return Flux.defer(() -> Flux.fromIterable(backends.get().byName().values()))
        .concatMap(operations -> operations.invalidateTag(model))
        .reduce(0L, Long::sum);
  }

  /**
   * Returns the totals over every backend (the seed's {@code get_stats()} without a backend).
   *
   * @return the summed counters
   */
  public Mono<CacheStats> stats() {
    return Flux.defer(() -> Flux.fromIterable(backends.get().byName().values()))
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
    return Flux.defer(() -> Flux.fromIterable(backends.get().byName().values()))
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
    return Mono.defer(() -> defaultBackend().getAll(keys, type));
  }

  /**
   * Writes several values to the default backend.
   *
   * @param values the values by key
   * @param ttl a positive time to live
   * @return completes once written
   */
  public Mono<Void> putAll(Map<String, ?> values, Duration ttl) {
    return Mono.defer(() -> defaultBackend().putAll(values, ttl));
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
    return defaultBackend().cache(name, type);
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
    return defaultBackend().cache(name, ValueType.of(type), policy);
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
    return defaultBackend().cache(name, type, policy);
  }

  /**
   * Returns a cache of query results on the default backend (the seed's {@code .cache(ttl=...)} on a query with a
   * generated key); see {@link QueryCache}.
   *
   * @param type the row type
   * @param policy how results are loaded and served
   * @param <T> the row type
   * @return the query cache
   */
  public <T> QueryCache<T> queries(Class<T> type, CachePolicy policy) {
    return defaultBackend().queries(type, policy);
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
   * Starts a cached function returning a generic type, such as {@code new ValueType<List<Partner>>() {}}.
   *
   * @param type the result type
   * @param <R> the result type
   * @return a builder
   */
  public <R> CachedFunctions.Builder<R> cached(ValueType<R> type) {
    if (type == null) {
      throw CacheConfigurationException.invalid("type", "null", "the ValueType of the function's results");
    }
    return CachedFunctions.builder(this, type);
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
    return Mono.defer(() -> {
      Backends before = backends.getAndUpdate(now -> new Backends(now.byName(), now.defaultName(), true));
      if (before.closed()) {
        return Mono.empty();
      }
      return Flux.fromIterable(before.byName().values()).concatMap(operations -> operations.handle().close()).then();
    });
  }

  @Override
  public String toString() {
    Backends now = backends.get();
    return "CacheManager{backends=" + now.byName().keySet() + ", default=" + now.defaultName() + '}';
  }

  /** Builds a {@link CacheManager}. Not thread-safe. */
  public static final class Builder {
    /** A backend created from the builder's settings, and whether the manager owns (closes) it. */
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
      // As BackendSettings checks a provider's options; here also for the common ones taken out below.
      if (options == null) {
        throw CacheConfigurationException.invalid("options", "null", "a map of option names to values (empty for none)");
      }
      options.forEach((option, value) -> {
        if (option == null || value == null) {
          throw CacheConfigurationException.invalid(option == null ? "options" : option, "null",
              "a value as text (leave the option out to use its default)");
        }
      });
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
      Engine engine = new Engine(engineClock, observer, random, defaultPolicy);
      Map<String, BackendOperations> built = new LinkedHashMap<>();
      for (Function<Scheduler, Pending> factory : backends) {
        Pending pending = factory.apply(time);
        String name = pending.backend().name();
        if (built.containsKey(name)) {
          throw CacheConfigurationException.invalid("name", "'" + name + "'",
              "a backend name used once (it is already taken)");
        }
        built.put(name, engine.open(pending));
      }
      String defaultName = defaultBackend == null ? built.keySet().iterator().next() : defaultBackend;
      if (!built.containsKey(defaultName)) {
        throw CacheConfigurationException.invalid("defaultBackend", "'" + defaultName + "'",
            "one of " + built.keySet());
      }
      return new CacheManager(new Backends(Collections.unmodifiableMap(built), defaultName, false), engine);
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
