package io.reactivecache.benchmarks.jmh;

import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
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
 * Redis reads and writes with a time to live: raw Lettuce reactive commands (the baselines), at 1 and 64 commands
 * in flight. In-flight concurrency comes from {@code flatMap} over one shared connection, not from threads; a
 * 64-in-flight invocation counts as 64 operations.
 *
 * <p>Server: {@code REDIS_URL}, default {@code redis://127.0.0.1:6379}. Every key lives under a namespace unique to
 * the run ({@code rcbench:<uuid>:}) and is deleted, by name, at the end; nothing else is touched.
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

  private final String namespace = "rcbench:" + UUID.randomUUID() + ":";
  private final String[] keys = Keys.names(namespace + "user:");
  private RedisClient client;
  private StatefulRedisConnection<String, String> connection;
  private RedisReactiveCommands<String, String> redis;
  private final SetArgs ttl = SetArgs.Builder.ex(TTL_SECONDS);

  /** Per-thread cursor over the keys. */
  @State(Scope.Thread)
  public static class Cursor {
    final int[] position = {(int) Thread.currentThread().getId() * 7919};

    int next() {
      return Keys.next(position);
    }
  }

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
  }

  /** Deletes this run's keys (by name) and disconnects. */
  @TearDown(Level.Trial)
  public void tearDown() {
    Flux.range(0, (keys.length + 511) / 512)
        .concatMap(i -> redis.del(Arrays.copyOfRange(keys, i * 512, Math.min(keys.length, (i + 1) * 512))))
        .blockLast();
    connection.close();
    client.shutdown();
  }

  /** Baseline: one GET at a time. */
  @Benchmark
  public Object lettuceGet1(Cursor cursor) {
    return redis.get(keys[cursor.next()]).block();
  }

  /** Baseline: 64 GETs in flight. */
  @Benchmark
  @OperationsPerInvocation(IN_FLIGHT)
  public Object lettuceGet64(Cursor cursor) {
    int base = cursor.next();
    return Flux.range(0, IN_FLIGHT).flatMap(i -> redis.get(keys[(base + i) & Keys.MASK]), IN_FLIGHT)
        .blockLast();
  }

  /** Baseline: one SET with a TTL at a time. */
  @Benchmark
  public Object lettuceSet1(Cursor cursor) {
    return redis.set(keys[cursor.next()], VALUE, ttl).block();
  }

  /** Baseline: 64 SETs with a TTL in flight. */
  @Benchmark
  @OperationsPerInvocation(IN_FLIGHT)
  public Object lettuceSet64(Cursor cursor) {
    int base = cursor.next();
    return Flux.range(0, IN_FLIGHT).flatMap(i -> redis.set(keys[(base + i) & Keys.MASK], VALUE, ttl), IN_FLIGHT)
        .blockLast();
  }
}
