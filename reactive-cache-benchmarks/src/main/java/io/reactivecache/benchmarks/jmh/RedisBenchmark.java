package io.reactivecache.benchmarks.jmh;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.retry.Retry;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
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
import reactor.core.publisher.Mono;
import java.net.URI;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.api.RedissonReactiveClient;
import org.redisson.client.codec.Codec;
import org.redisson.codec.TypedJsonJackson3Codec;
import org.redisson.config.Config;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveRedisTemplate;
import org.springframework.data.redis.serializer.JacksonJsonRedisSerializer;
import org.springframework.data.redis.serializer.RedisSerializationContext;
import org.springframework.data.redis.serializer.StringRedisSerializer;
import tools.jackson.databind.json.JsonMapper;

/**
 * Redis reads and writes with a time to live: our Redis backend through the public API (the candidates) against
 * raw Lettuce reactive commands (the baselines), at 1 and 64 commands in flight; reads against two peers with a
 * JSON codec (Redisson's reactive bucket, Spring Data Redis' {@code ReactiveRedisTemplate}); and a two-level
 * (memory over Redis) hit against a memory-only hit. Every client reads the same small record ({@link Profile});
 * raw Lettuce reads its JSON text without decoding it. In-flight concurrency comes from {@code flatMap}, not from threads; a
 * 64-in-flight invocation counts as 64 operations.
 *
 * <p>Server: {@code REDIS_URL}, default {@code redis://127.0.0.1:6379}. Raw and peer keys live under
 * {@code rcbench:<uuid>:} and are deleted by name at the end; our backend's under the namespace {@code rcbench-<uuid>}, cleared at the end
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
  /** The value every client reads and writes: a small record, stored as JSON by every client that decodes. */
  public record Profile(String id, String name, String email, int age, boolean active) {}

  static final Profile VALUE = new Profile("u-1842", "Ada Lovelace", "ada@example.org", 36, true);
  /** What raw Lettuce stores and reads: the record's JSON text (raw Lettuce decodes no JSON). */
  static final String VALUE_JSON = JsonMapper.builder().build().writeValueAsString(VALUE);

  private final String run = UUID.randomUUID().toString();
  private final String namespace = "rcbench:" + run + ":";
  private final String[] cacheKeys = Keys.names("user:");
  private final String[] keys = Keys.names(namespace + "user:");
  private RedisClient client;
  private StatefulRedisConnection<String, String> connection;
  private RedisReactiveCommands<String, String> redis;
  private RedisAsyncCommands<String, String> redisAsync;
  private RedisClient publishingClient;
  private StatefulRedisConnection<String, String> publishingConnection;
  private RedisReactiveCommands<String, String> publishingRedis;
  private final SetArgs ttl = SetArgs.Builder.ex(TTL_SECONDS);
  private RedisCacheBackend backend;
  private final Duration commandTimeout = Duration.ofMillis(500);
  private final CircuitBreaker breaker = CircuitBreaker.ofDefaults("bench");
  private final Retry retry = Retry.ofDefaults("bench");
  private CacheManager manager;
  private Cache<Profile> cache;
  private CacheManager twoLevelManager;
  private Cache<Profile> twoLevel;
  private CacheManager memoryManager;
  private Cache<Profile> memory;
  private final String[] redissonKeys = Keys.names(namespace + "redisson:");
  private RedissonClient redissonClient;
  private RedissonReactiveClient redisson;
  private final Codec redissonCodec = new TypedJsonJackson3Codec(Profile.class);
  private final String[] springKeys = Keys.names(namespace + "spring:");
  private LettuceConnectionFactory springFactory;
  private ReactiveRedisTemplate<String, Profile> spring;

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
    redisAsync = connection.async();
    // As our backend's own client does: replies emitted on Lettuce's computation threads, off the I/O thread.
    publishingClient = RedisClient.create(redisUrl());
    publishingClient.setOptions(ClientOptions.builder().publishOnScheduler(true).build());
    publishingConnection = publishingClient.connect();
    publishingRedis = publishingConnection.reactive();
    Flux.fromArray(keys).flatMap(k -> redis.set(k, VALUE_JSON, ttl), IN_FLIGHT).blockLast();

    CachePolicy policy = CachePolicy.builder().ttl(Duration.ofSeconds(TTL_SECONDS)).build();
    // A patient command timeout: on a loaded machine the set-up's bursts of 64 would otherwise time out and open the
    // breaker. A successful command costs the same whatever the timeout (one timer per command either way).
    backend = RedisCache.builder().url(redisUrl()).namespace("rcbench-" + run)
        .commandTimeout(Duration.ofSeconds(5)).build();
    manager = CacheManager.builder().backend(backend).build();
    cache = manager.cache("users", Profile.class, policy);
    Flux.fromArray(cacheKeys).flatMap(k -> cache.put(k, VALUE), IN_FLIGHT).blockLast();

    // Two levels: a memory near cache over the same Redis backend; every key is read once so L1 holds it.
    MemoryCacheBackend near = MemoryCacheBackend.builder().name("near").maximumSize(100_000).build();
    twoLevelManager = CacheManager.builder()
        .backend(CacheBackends.twoLevel(near, backend, Duration.ofSeconds(TTL_SECONDS))).build();
    twoLevel = twoLevelManager.cache("users", Profile.class, policy);
    Flux.fromArray(cacheKeys).flatMap(k -> twoLevel.get(k), IN_FLIGHT).blockLast();

    memoryManager = CacheManager.builder().memory("memory", 100_000, null, Strategy.TTL).build();
    memory = memoryManager.cache("users", Profile.class, policy);
    Flux.fromArray(cacheKeys).flatMap(k -> memory.put(k, VALUE), IN_FLIGHT).blockLast();

    // Peers, each with its defaults and a JSON codec (Jackson 3), each writing its own keys.
    Config config = new Config();
    // Its defaults, but a patient connect: it opens a pool of 24 connections, slow on a loaded machine.
    config.useSingleServer().setAddress(redisUrl()).setConnectTimeout(30_000);
    redissonClient = Redisson.create(config);
    redisson = redissonClient.reactive();
    Flux.fromArray(redissonKeys)
        .flatMap(k -> redisson.<Profile>getBucket(k, redissonCodec).set(VALUE, Duration.ofSeconds(TTL_SECONDS)),
            IN_FLIGHT)
        .blockLast();

    URI uri = URI.create(redisUrl());
    springFactory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(uri.getHost(),
        uri.getPort() < 0 ? 6379 : uri.getPort()));
    springFactory.afterPropertiesSet();
    springFactory.start();
    spring = new ReactiveRedisTemplate<>(springFactory, RedisSerializationContext
        .<String, Profile>newSerializationContext(new StringRedisSerializer())
        .value(new JacksonJsonRedisSerializer<>(Profile.class))
        .build());
    Flux.fromArray(springKeys)
        .flatMap(k -> spring.opsForValue().set(k, VALUE, Duration.ofSeconds(TTL_SECONDS)), IN_FLIGHT)
        .blockLast();
  }

  /** Deletes this run's keys (by name) and disconnects. */
  @TearDown(Level.Trial)
  public void tearDown() {
    for (String[] written : new String[][] {keys, redissonKeys, springKeys}) {
      Flux.range(0, (written.length + 511) / 512)
          .concatMap(i -> redis.del(Arrays.copyOfRange(written, i * 512, Math.min(written.length, (i + 1) * 512))))
          .blockLast();
    }
    redissonClient.shutdown();
    springFactory.destroy();
    connection.close();
    client.shutdown();
    publishingConnection.close();
    publishingClient.shutdown();
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

  /** Diagnosis: a raw GET on a client that emits replies off the I/O thread ({@code publishOnScheduler}). */
  @Benchmark
  public Object lettuceGet1PublishOn(KeyCursor cursor) {
    return publishingRedis.get(keys[cursor.next()]).block();
  }

  /** Diagnosis: a raw GET through the async API, as a {@code Mono} over its future. */
  @Benchmark
  public Object lettuceAsyncGet1(KeyCursor cursor) {
    return Mono.fromCompletionStage(redisAsync.get(keys[cursor.next()])).block();
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
    return redis.set(keys[cursor.next()], VALUE_JSON, ttl).block();
  }

  /** Baseline: 64 SETs with a TTL in flight. */
  @Benchmark
  @OperationsPerInvocation(IN_FLIGHT)
  public Object lettuceSet64(KeyCursor cursor) {
    int base = cursor.next();
    return Flux.range(0, IN_FLIGHT)
        .flatMap(i -> redis.set(keys[(base + i) & Keys.MASK], VALUE_JSON, ttl), IN_FLIGHT)
        .blockLast();
  }

  /** Peer: Redisson's reactive bucket read, {@code getBucket(k, codec).get()}, JSON codec (Jackson 3). */
  @Benchmark
  public Object redissonGet1(KeyCursor cursor) {
    return redisson.<Profile>getBucket(redissonKeys[cursor.next()], redissonCodec).get().block();
  }

  /** Peer: 64 Redisson reads in flight. */
  @Benchmark
  @OperationsPerInvocation(IN_FLIGHT)
  public Object redissonGet64(KeyCursor cursor) {
    int base = cursor.next();
    return Flux.range(0, IN_FLIGHT)
        .flatMap(i -> redisson.<Profile>getBucket(redissonKeys[(base + i) & Keys.MASK], redissonCodec).get(),
            IN_FLIGHT)
        .blockLast();
  }

  /** Peer: Spring Data Redis {@code ReactiveRedisTemplate.opsForValue().get(k)}, JSON serializer (Jackson 3). */
  @Benchmark
  public Object springGet1(KeyCursor cursor) {
    return spring.opsForValue().get(springKeys[cursor.next()]).block();
  }

  /** Peer: 64 Spring Data Redis reads in flight. */
  @Benchmark
  @OperationsPerInvocation(IN_FLIGHT)
  public Object springGet64(KeyCursor cursor) {
    int base = cursor.next();
    return Flux.range(0, IN_FLIGHT)
        .flatMap(i -> spring.opsForValue().get(springKeys[(base + i) & Keys.MASK]), IN_FLIGHT)
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
