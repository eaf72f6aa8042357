package io.reactivecache.benchmarks.jmh;

import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.reactive.RedisAdvancedClusterReactiveCommands;
import io.reactivecache.Cache;
import io.reactivecache.CacheManager;
import io.reactivecache.CachePolicy;
import io.reactivecache.benchmarks.jmh.RedisBenchmark.Profile;
import io.reactivecache.redis.RedisCache;
import io.reactivecache.redis.RedisCacheBackend;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
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
 * Redis Cluster reads: our backend with {@code clusterNodes} (the candidate) against raw Lettuce's cluster client
 * (the baseline), at 1 and 64 reads in flight, on the same small record as {@link RedisBenchmark} (raw Lettuce
 * reads its JSON text).
 *
 * <p>Nodes: {@code REDIS_CLUSTER_NODES}, comma-separated urls of a running cluster (the runner skips these pairs
 * without it). Raw keys live under {@code rcbench:<uuid>:} and are deleted by name at the end; our backend's under
 * the namespace {@code rcbench-<uuid>}, cleared at the end. Nothing else is touched.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class RedisClusterBenchmark {
  static final int IN_FLIGHT = RedisBenchmark.IN_FLIGHT;

  private final String run = UUID.randomUUID().toString();
  private final String[] cacheKeys = Keys.names("user:");
  private final String[] keys = Keys.names("rcbench:" + run + ":user:");
  private RedisClusterClient client;
  private StatefulRedisClusterConnection<String, String> connection;
  private RedisAdvancedClusterReactiveCommands<String, String> redis;
  private RedisCacheBackend backend;
  private CacheManager manager;
  private Cache<Profile> cache;

  /** The cluster's node urls, from {@code REDIS_CLUSTER_NODES}; empty when not set. */
  public static List<String> nodes() {
    String nodes = System.getenv("REDIS_CLUSTER_NODES");
    return nodes == null || nodes.isBlank() ? List.of() : Arrays.asList(nodes.trim().split("\\s*,\\s*"));
  }

  /** Connects both clients and writes every key. */
  @Setup(Level.Trial)
  public void setUp() {
    List<String> nodes = nodes();
    if (nodes.isEmpty()) {
      throw new IllegalStateException("REDIS_CLUSTER_NODES is not set (comma-separated node urls)");
    }
    client = RedisClusterClient.create(nodes.stream().map(RedisURI::create).toList());
    connection = client.connect();
    redis = connection.reactive();
    SetArgs ttl = SetArgs.Builder.ex(RedisBenchmark.TTL_SECONDS);
    Flux.fromArray(keys).flatMap(k -> redis.set(k, RedisBenchmark.VALUE_JSON, ttl), IN_FLIGHT).blockLast();

    backend = RedisCache.builder().clusterNodes(nodes).namespace("rcbench-" + run)
        .commandTimeout(Duration.ofSeconds(5)).build();
    manager = CacheManager.builder().backend(backend).build();
    cache = manager.cache("users", Profile.class,
        CachePolicy.builder().ttl(Duration.ofSeconds(RedisBenchmark.TTL_SECONDS)).build());
    Flux.fromArray(cacheKeys).flatMap(k -> cache.put(k, RedisBenchmark.VALUE), IN_FLIGHT).blockLast();
  }

  /** Deletes this run's keys and disconnects. */
  @TearDown(Level.Trial)
  public void tearDown() {
    Flux.fromArray(keys).flatMap(k -> redis.del(k), IN_FLIGHT).blockLast();
    connection.close();
    client.shutdown();
    backend.clear().block();
    manager.close().block();
    backend.close().block();
  }

  /** Baseline: one GET at a time through raw Lettuce's cluster client. */
  @Benchmark
  public Object lettuceClusterGet1(KeyCursor cursor) {
    return redis.get(keys[cursor.next()]).block();
  }

  /** Baseline: 64 GETs in flight. */
  @Benchmark
  @OperationsPerInvocation(IN_FLIGHT)
  public Object lettuceClusterGet64(KeyCursor cursor) {
    int base = cursor.next();
    return Flux.range(0, IN_FLIGHT).flatMap(i -> redis.get(keys[(base + i) & Keys.MASK]), IN_FLIGHT)
        .blockLast();
  }

  /** Candidate for {@link #lettuceClusterGet1}: a read through our backend on the cluster. */
  @Benchmark
  public Object cacheClusterGet1(KeyCursor cursor) {
    return cache.get(cacheKeys[cursor.next()]).block();
  }

  /** Candidate for {@link #lettuceClusterGet64}. */
  @Benchmark
  @OperationsPerInvocation(IN_FLIGHT)
  public Object cacheClusterGet64(KeyCursor cursor) {
    int base = cursor.next();
    return Flux.range(0, IN_FLIGHT).flatMap(i -> cache.get(cacheKeys[(base + i) & Keys.MASK]), IN_FLIGHT)
        .blockLast();
  }
}
