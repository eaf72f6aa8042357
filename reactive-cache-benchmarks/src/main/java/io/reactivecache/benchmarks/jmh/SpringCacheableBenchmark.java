package io.reactivecache.benchmarks.jmh;

import io.reactivecache.Cache;
import io.reactivecache.CacheManager;
import io.reactivecache.CachePolicy;
import io.reactivecache.Strategy;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.caffeine.CaffeineCacheManager;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Mono;

/**
 * A fresh hit through Spring's {@code @Cacheable} on a method returning {@code Mono} (Spring Framework 6.1+ reactive
 * caching: {@code CaffeineCacheManager} in async mode, the setup Spring's documentation gives), against the same hit
 * through our {@code cache.get(key, loader)}. Both read keys already cached, so neither loader ever runs.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class SpringCacheableBenchmark {
  private static final String VALUE = "a cached value of a typical small size, say a user's display name";

  /** A repository-like service whose method Spring caches. */
  public static class Users {
    /**
     * Loads a user's name; cached by Spring.
     *
     * @param id the id
     * @return the name
     */
    @Cacheable("users")
    public Mono<String> find(String id) {
      return Mono.error(new IllegalStateException("loader called on a hit"));
    }
  }

  /** Spring's configuration: caching on, Caffeine in async mode. */
  @Configuration
  @EnableCaching
  public static class Config {
    /**
     * The cache manager.
     *
     * @return Caffeine in async mode
     */
    @Bean
    public CaffeineCacheManager cacheManager() {
      CaffeineCacheManager manager = new CaffeineCacheManager("users");
      manager.setAsyncCacheMode(true);
      manager.setCaffeine(com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(100_000));
      return manager;
    }

    /**
     * The cached service.
     *
     * @return the service
     */
    @Bean
    public Users users() {
      return new Users();
    }
  }

  private final String[] keys = Keys.names("user:");
  private AnnotationConfigApplicationContext context;
  private Users springUsers;
  private CacheManager manager;
  private Cache<String> cache;
  private Mono<String> loader;

  /** Starts the Spring context, builds our cache, and caches every key in both. */
  @Setup(Level.Trial)
  public void setUp() {
    context = new AnnotationConfigApplicationContext(Config.class);
    springUsers = context.getBean(Users.class);
    CaffeineCacheManager springManager = context.getBean(CaffeineCacheManager.class);
    org.springframework.cache.Cache springCache = springManager.getCache("users");
    manager = CacheManager.builder().memory("bench", 100_000, null, Strategy.TTL).build();
    cache = manager.cache("users", String.class, CachePolicy.builder().ttl(Duration.ofHours(1)).build());
    loader = Mono.error(() -> new IllegalStateException("loader called on a hit"));
    for (String key : keys) {
      springCache.put(key, VALUE);
      cache.put(key, VALUE).block();
    }
  }

  /** Closes both. */
  @TearDown(Level.Trial)
  public void tearDown() {
    context.close();
    manager.close().block();
  }

  /** Baseline: Spring's {@code @Cacheable} on a {@code Mono}, fresh hit. */
  @Benchmark
  public Object springCacheable(KeyCursor cursor) {
    return springUsers.find(keys[cursor.next()]).block();
  }

  /** Candidate: {@code cache.get(key, loader)}, fresh hit. */
  @Benchmark
  public Object cacheGetWithLoader(KeyCursor cursor) {
    return cache.get(keys[cursor.next()], loader).block();
  }
}
