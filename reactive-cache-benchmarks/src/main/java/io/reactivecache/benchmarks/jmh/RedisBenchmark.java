package io.reactivecache.benchmarks.jmh;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.retry.Retry;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.reactivecache.Cache;
import io.reactivecache.CacheBackends;
import io.reactivecache.CacheManager;
import io.reactivecache.CachePolicy;
import io.reactivecache.Strategy;
import io.reactivecache.memory.MemoryCacheBackend;
import io.reactivecache.redis.RedisCache;
import io.reactivecache.redis.RedisCacheBackend;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Flux;

/**
 * Redis reads and writes with a time to live: our Redis backend through the public API (the candidates) against
 * raw Lettuce reactive commands (the baselines), at 1 and 64 commands in flight; and a two-level (memory over
 * Redis) hit against a memory-only hit. In-flight concurrency comes from {@code flatMap}, not from threads; a
 * 64-in-flight invocation counts as 64 operations.
 *
 * <p>Server: {@code REDIS_URL}, default {@code redis://127.0.0.1:6379}. Raw keys live under {@code rcbench:<uuid>:}
 * and are deleted by name at the end; our backend's under the namespace {@code rcbench-<uuid>}, cleared at the end
 * (SCAN + UNLINK within that namespace). Nothing else is touched.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class RedisBenchmark {
  static final int IN_FLIGHT = 64;
  static final long TTL_SECONDS = 600;
  static final String VALUE = "a cached value of a typical small size, say a user's display name";

  private final String run = UUID.randomUUID().toString();
  private final String namespace = "rcbench:" + run + ":";
  private final String[] cacheKeys = Keys.names("user:");
  private final String[] keys = Keys.names(namespace + "user:");
  private RedisClient client;
  private StatefulRedisConnection<String, String> connection;
  private RedisReactiveCommands<String, String> redis;
  private final SetArgs ttl = SetArgs.Builder.ex(TTL_SECONDS);
  private RedisCacheBackend backend;
  private final Duration commandTimeout = Duration.ofMillis(500);
  private final CircuitBreaker breaker = CircuitBreaker.ofDefaults("bench");
  private final Retry retry = Retry.ofDefaults("bench");
  private CacheManager manager;
  private Cache<String> cache;
  private CacheManager twoLevelManager;
  private Cache<String> twoLevel;
  private CacheManager memoryManager;
  private Cache<String> memory;

  static String redisUrl() {
    String url = System.getenv("REDIS_URL");
    return url == null || url.isBlank() ? "redis://127.0.0.1:6379" : url;
  }

  /** Connects and writes every key. */
  @Setup(Level.Trial)
  public void setUp() {
    client = RedisClient.create(redisUrl());
    connection = client.connect();
    redis = connection.reactive();
    Flux.fromArray(keys).flatMap(k -> redis.set(k, VALUE, ttl), IN_FLIGHT).blockLast();

    CachePolicy policy = CachePolicy.builder().ttl(Duration.ofSeconds(TTL_SECONDS)).build();
    backend = RedisCache.builder().url(redisUrl()).namespace("rcbench-" + run).build();
    manager = CacheManager.builder().backend(backend).build();
    cache = manager.cache("users", String.class, policy);
    Flux.fromArray(cacheKeys).flatMap(k -> cache.put(k, VALUE), IN_FLIGHT).blockLast();

    // Two levels: a memory near cache over the same Redis backend; every key is read once so L1 holds it.
    MemoryCacheBackend near = MemoryCacheBackend.builder().name("near").maximumSize(100_000).build();
    twoLevelManager = CacheManager.builder()
        .backend(CacheBackends.twoLevel(near, backend, Duration.ofSeconds(TTL_SECONDS))).build();
    twoLevel = twoLevelManager.cache("users", String.class, policy);
    Flux.fromArray(cacheKeys).flatMap(k -> twoLevel.get(k), IN_FLIGHT).blockLast();

    memoryManager = CacheManager.builder().memory("memory", 100_000, null, Strategy.TTL).build();
    memory = memoryManager.cache("users", String.class, policy);
    Flux.fromArray(cacheKeys).flatMap(k -> memory.put(k, VALUE), IN_FLIGHT).blockLast();
  }

  /** Deletes this run's keys (by name) and disconnects. */
  @TearDown(Level.Trial)
  public void tearDown() {
    Flux.range(0, (keys.length + 511) / 512)
        .concatMap(i -> redis.del(Arrays.copyOfRange(keys, i * 512, Math.min(keys.length, (i + 1) * 512))))
        .blockLast();
    connection.close();
    client.shutdown();
    backend.clear().block();
    twoLevelManager.close().block();
    manager.close().block();
    backend.close().block();
    memoryManager.close().block();
  }

  /** Baseline: one GET at a time. */
  @Benchmark
  public Object lettuceGet1(KeyCursor cursor) {
    return redis.get(keys[cursor.next()]).block();
  }

  /** Diagnosis: a raw GET under Reactor's {@code Mono.timeout}, as our backend wraps each command. */
  @Benchmark
  public Object lettuceGet1Timeout(KeyCursor cursor) {
    return redis.get(keys[cursor.next()]).timeout(commandTimeout).block();
  }

  /** Diagnosis: a raw GET under timeout, Resilience4j circuit breaker and retry: the operator stack alone. */
  @Benchmark
  public Object lettuceGet1Guarded(KeyCursor cursor) {
    return redis.get(keys[cursor.next()]).timeout(commandTimeout)
        .transformDeferred(CircuitBreakerOperator.of(breaker))
        .transformDeferred(RetryOperator.of(retry))
        .block();
  }

  /** Baseline: 64 GETs in flight. */
  @Benchmark
  @OperationsPerInvocation(IN_FLIGHT)
  public Object lettuceGet64(KeyCursor cursor) {
    int base = cursor.next();
    return Flux.range(0, IN_FLIGHT).flatMap(i -> redis.get(keys[(base + i) & Keys.MASK]), IN_FLIGHT)
        .blockLast();
  }

  /** Baseline: one SET with a TTL at a time. */
  @Benchmark
  public Object lettuceSet1(KeyCursor cursor) {
    return redis.set(keys[cursor.next()], VALUE, ttl).block();
  }

  /** Baseline: 64 SETs with a TTL in flight. */
  @Benchmark
  @OperationsPerInvocation(IN_FLIGHT)
  public Object lettuceSet64(KeyCursor cursor) {
    int base = cursor.next();
    return Flux.range(0, IN_FLIGHT).flatMap(i -> redis.set(keys[(base + i) & Keys.MASK], VALUE, ttl), IN_FLIGHT)
        .blockLast();
  }

  /** Candidate for {@link #lettuceGet1}: a read through our Redis backend and the public API. */
  @Benchmark
  public Object cacheGet1(KeyCursor cursor) {
    return cache.get(cacheKeys[cursor.next()]).block();
  }

  /** Candidate for {@link #lettuceGet64}. */
  @Benchmark
  @OperationsPerInvocation(IN_FLIGHT)
  public Object cacheGet64(KeyCursor cursor) {
    int base = cursor.next();
    return Flux.range(0, IN_FLIGHT).flatMap(i -> cache.get(cacheKeys[(base + i) & Keys.MASK]), IN_FLIGHT)
        .blockLast();
  }

  /** Candidate for {@link #lettuceSet1}: a write with the policy's TTL. */
  @Benchmark
  public Object cachePut1(KeyCursor cursor) {
    return cache.put(cacheKeys[cursor.next()], VALUE).block();
  }

  /** Candidate for {@link #lettuceSet64}. */
  @Benchmark
  @OperationsPerInvocation(IN_FLIGHT)
  public Object cachePut64(KeyCursor cursor) {
    int base = cursor.next();
    return Flux.range(0, IN_FLIGHT).flatMap(i -> cache.put(cacheKeys[(base + i) & Keys.MASK], VALUE), IN_FLIGHT)
        .blockLast();
  }

  /** Baseline for {@link #twoLevelGet}: a hit in a memory-only cache, same API and policy. */
  @Benchmark
  public Object memoryGet(KeyCursor cursor) {
    return memory.get(cacheKeys[cursor.next()]).block();
  }

  /** Candidate: a hit in the near (memory) level of a two-level cache over Redis. */
  @Benchmark
  public Object twoLevelGet(KeyCursor cursor) {
    return twoLevel.get(cacheKeys[cursor.next()]).block();
  }
}
