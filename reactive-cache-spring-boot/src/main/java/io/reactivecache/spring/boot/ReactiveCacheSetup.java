package io.reactivecache.spring.boot;

import io.reactivecache.CacheBackends;
import io.reactivecache.CacheConfigurationException;
import io.reactivecache.CacheManager;
import io.reactivecache.CachePolicy;
import io.reactivecache.Strategy;
import io.reactivecache.spi.BackendSettings;
import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheBackendProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Turns {@link ReactiveCacheProperties} into backends, a {@link CacheManager} and the policy of each cache, and
 * closes the backends with the application context. Internal.
 *
 * <p>Closing is asynchronous: {@link #stop(Runnable)} is the container's non-blocking shutdown hook, run after the
 * web server stopped taking requests (a lower phase stops later), so requests in flight still find their cache.
 * A context that fails before it starts is closed through {@link #destroy()}.
 */
final class ReactiveCacheSetup implements SmartLifecycle, DisposableBean {
  /** Stops after the web server (graceful shutdown runs at {@code DEFAULT_PHASE - 1024}). */
  static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;
  private static final String PREFIX = "reactive-cache";

  private final CacheManager manager;
  private final List<CacheBackend> backends;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean running;

  private ReactiveCacheSetup(CacheManager manager, List<CacheBackend> backends) {
    this.manager = manager;
    this.backends = backends;
  }

  /**
   * Creates the backends and the manager. Opens no connection (backends connect on first use).
   *
   * @param properties the properties
   * @param clock the clock freshness is measured on, or null for the manager's default real-time clock
   * @param observations wraps each load in an Observation, or null for none
   * @return the setup
   * @throws CacheConfigurationException naming the property and the value at fault
   */
  static ReactiveCacheSetup create(ReactiveCacheProperties properties, @Nullable Scheduler clock,
      @Nullable ObservationRegistry observations) {
    CachePolicy defaultPolicy = defaultPolicy(properties);
    Map<String, ReactiveCacheProperties.Backend> declared = new LinkedHashMap<>(properties.getBackends());
    if (declared.isEmpty()) {
      declared.put("memory", new ReactiveCacheProperties.Backend());
    }
    String defaultBackend = properties.getDefaultBackend() == null ? declared.keySet().iterator().next()
        : properties.getDefaultBackend();
    if (!declared.containsKey(defaultBackend)) {
      throw invalid(PREFIX + ".default-backend", defaultBackend, "one of " + declared.keySet());
    }
    Map<String, SpringCacheManager.CacheSettings> caches = cacheSettings(properties);
    caches.forEach((name, settings) -> {
      if (settings.backend() != null && !declared.containsKey(settings.backend())) {
        throw invalid(PREFIX + ".caches." + name + ".backend", settings.backend(), "one of " + declared.keySet());
      }
    });
    List<CacheBackend> created = new ArrayList<>();
    // Without a clock bean the manager keeps its default real-time clock (a hit then reads no system clock);
    // backends read the same time from Schedulers.parallel().
    Scheduler backendClock = clock == null ? Schedulers.parallel() : clock;
    CacheManager.Builder builder = CacheManager.builder().defaultPolicy(defaultPolicy)
        .defaultBackend(defaultBackend);
    if (clock != null) {
      builder.clock(clock);
    }
    if (observations != null) {
      builder.observationRegistry(observations);
    }
    try {
      declared.forEach((name, backend) -> {
        CacheBackend made = at(PREFIX + ".backends." + name, () -> backend(name, backend, backendClock));
        created.add(made);
        builder.backend(made);
      });
      return new ReactiveCacheSetup(builder.build(), List.copyOf(created));
    } catch (RuntimeException e) {
      // Nothing is open yet (backends connect on first use), but a backend may hold a scheduled task.
      Flux.fromIterable(created).concatMap(CacheBackend::close).subscribe(done -> {}, error -> {});
      throw e;
    }
  }

  /**
   * Returns the policy of caches not listed.
   *
   * @param properties the properties
   * @return the policy
   * @throws CacheConfigurationException naming the property and the value at fault
   */
  static CachePolicy defaultPolicy(ReactiveCacheProperties properties) {
    return at(PREFIX + ".default-policy", () -> policy(CachePolicy.defaults(), properties.getDefaultPolicy()));
  }

  /**
   * Returns what the properties say about each listed cache.
   *
   * @param properties the properties
   * @return the settings by cache name
   * @throws CacheConfigurationException naming the property and the value at fault
   */
  static Map<String, SpringCacheManager.CacheSettings> cacheSettings(ReactiveCacheProperties properties) {
    CachePolicy defaultPolicy = defaultPolicy(properties);
    Map<String, SpringCacheManager.CacheSettings> caches = new LinkedHashMap<>();
    properties.getCaches().forEach((name, spec) -> caches.put(name, new SpringCacheManager.CacheSettings(
        spec.getBackend(), at(PREFIX + ".caches." + name, () -> policy(defaultPolicy, spec)), spec.getValueType())));
    return caches;
  }

  CacheManager manager() {
    return manager;
  }

  /** Closes the manager and the backends made here, once. */
  Mono<Void> close() {
    if (!closed.compareAndSet(false, true)) {
      return Mono.empty();
    }
    return manager.close().then(Flux.fromIterable(backends).concatMap(CacheBackend::close).then());
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    // Only stop(Runnable) is called by the container for a SmartLifecycle; this one exists for the interface.
    running = false;
    close().subscribe(done -> {}, error -> {});
  }

  @Override
  public void stop(Runnable callback) {
    running = false;
    close().subscribe(done -> {}, error -> callback.run(), callback);
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  @Override
  public void destroy() {
    // A context that failed to start is never stopped: close here, without waiting (nothing may block).
    close().subscribe(done -> {}, error -> {});
  }

  private static CacheBackend backend(String name, ReactiveCacheProperties.Backend backend, Scheduler clock) {
    long size = backend.getMaximumSize() == null ? BackendSettings.DEFAULT_MAXIMUM_SIZE : backend.getMaximumSize();
    Optional<Duration> ttl = Optional.ofNullable(backend.getDefaultTtl());
    Strategy strategy = backend.getStrategy() == null ? Strategy.TTL : backend.getStrategy();
    if (backend.getType() != ReactiveCacheProperties.BackendType.REDIS) {
      if (backend.getRedis().getUrl() != null || backend.getRedis().getClusterNodes() != null) {
        throw new CacheConfigurationException("redis." + (backend.getRedis().getUrl() != null ? "url"
            : "cluster-nodes") + " is set but type is " + backend.getType() + ": set type=redis, or remove it");
      }
      if (backend.getNearCache().isEnabled()) {
        throw new CacheConfigurationException("near-cache.enabled=true needs type=redis (the near cache is a memory"
            + " level in front of Redis)");
      }
      return memory(name, size, ttl, strategy, clock);
    }
    CacheBackend redis = provider("redis").create(new BackendSettings(name, size, ttl, strategy, clock,
        redisOptions(backend.getRedis())));
    CacheBackend shared = backend.getFallback() == ReactiveCacheProperties.Fallback.NONE ? redis
        : CacheBackends.withFallback(redis, memory(name + "-fallback", size, ttl, strategy, clock));
    ReactiveCacheProperties.NearCache near = backend.getNearCache();
    if (!near.isEnabled()) {
      return shared;
    }
    CacheBackend l1 = memory(name + "-near", near.getMaximumSize(), Optional.empty(), Strategy.TTL, clock);
    return CacheBackends.twoLevel(l1, shared, near.getTtl(), clock);
  }

  private static CacheBackend memory(String name, long size, Optional<Duration> ttl, Strategy strategy,
      Scheduler clock) {
    return provider("memory").create(new BackendSettings(name, size, ttl, strategy, clock, Map.of()));
  }

  /** The Redis provider's own option names; validation (naming the option) is the provider's. */
  private static Map<String, String> redisOptions(ReactiveCacheProperties.Redis redis) {
    Map<String, String> options = new LinkedHashMap<>();
    put(options, "url", redis.getUrl());
    if (redis.getClusterNodes() != null) {
      options.put("clusterNodes", String.join(",", redis.getClusterNodes()));
    }
    put(options, "sentinelPassword", redis.getSentinelPassword());
    put(options, "maxReconnectDelay", redis.getMaxReconnectDelay());
    put(options, "namespace", redis.getNamespace());
    put(options, "commandTimeout", redis.getCommandTimeout());
    put(options, "connectTimeout", redis.getConnectTimeout());
    put(options, "retryAttempts", redis.getRetryAttempts());
    put(options, "retryBackoff", redis.getRetryBackoff());
    put(options, "circuitBreakerThreshold", redis.getCircuitBreakerThreshold());
    put(options, "circuitBreakerWaitDuration", redis.getCircuitBreakerWaitDuration());
    put(options, "maxValueBytes", redis.getMaxValueBytes());
    put(options, "maxNestingDepth", redis.getMaxNestingDepth());
    put(options, "trustedCertificates", redis.getTrustedCertificates());
    return options;
  }

  private static void put(Map<String, String> options, String option, Object value) {
    if (value != null) {
      options.put(option, value.toString());
    }
  }

  private static CacheBackendProvider provider(String type) {
    for (CacheBackendProvider provider : ServiceLoader.load(CacheBackendProvider.class,
        ReactiveCacheSetup.class.getClassLoader())) {
      if (provider.type().equals(type)) {
        return provider;
      }
    }
    throw new CacheConfigurationException("type=" + type + " needs the dependency io.reactivecache:reactive-cache-"
        + type + " on the class path");
  }

  private static CachePolicy policy(CachePolicy base, ReactiveCacheProperties.Policy p) {
    CachePolicy.Builder b = base.toBuilder();
    if (p.getTtl() != null) {
      b.ttl(p.getTtl());
    }
    if (p.getStaleWhileRevalidate() != null) {
      b.staleWhileRevalidate(p.getStaleWhileRevalidate());
    }
    if (p.getStaleIfError() != null) {
      b.staleIfError(p.getStaleIfError());
    }
    if (p.getEmptyTtl() != null) {
      b.emptyTtl(p.getEmptyTtl());
    }
    if (p.getErrorTtl() != null) {
      b.errorTtl(p.getErrorTtl());
    }
    if (p.getTtlJitter() != null) {
      b.ttlJitter(p.getTtlJitter());
    }
    if (p.getPreventStampede() != null) {
      b.preventStampede(p.getPreventStampede());
    }
    if (p.getEarlyRefresh() != null) {
      b.earlyRefresh(p.getEarlyRefresh());
    }
    if (p.getSoftTimeout() != null) {
      b.softTimeout(p.getSoftTimeout());
    }
    if (p.getLoadTimeout() != null) {
      b.loadTimeout(p.getLoadTimeout());
    }
    if (p.getTags() != null && !p.getTags().isEmpty()) {
      b.tags(p.getTags());
    }
    if (p.getMaxElements() != null) {
      b.maxElements(p.getMaxElements());
    }
    if (p.getRecordStats() != null) {
      b.recordStats(p.getRecordStats());
    }
    return b.build();
  }

  /** Runs a step of the set-up, prefixing its configuration error with the properties it came from. */
  private static <T> T at(String property, Supplier<T> step) {
    try {
      return step.get();
    } catch (CacheConfigurationException e) {
      throw new CacheConfigurationException("Invalid configuration at '" + property + "': " + e.getMessage());
    }
  }

  private static CacheConfigurationException invalid(String property, Object value, String accepted) {
    return new CacheConfigurationException(
        "Invalid value for property '" + property + "': " + value + " (expected " + accepted + ")");
  }
}
