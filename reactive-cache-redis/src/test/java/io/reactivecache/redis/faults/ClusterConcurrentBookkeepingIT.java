package io.reactivecache.redis.faults;

import io.reactivecache.Strategy;
import io.reactivecache.redis.RedisCache;
import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.RedisClusterProcesses;
import io.reactivecache.redis.support.RedisTestSupport;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@link ConcurrentBookkeepingIT} on a Redis Cluster: two instances put, delete, clear and pattern-delete the same
 * keys of a bounded namespace concurrently, and at every sampled instant the namespace holds at most
 * {@code maximumSize} entries, each with its place in the order. The namespace's one slot lives on one master, where
 * the atomic snapshot script runs.
 */
class ClusterConcurrentBookkeepingIT extends RedisFaultTest {

  @ParameterizedTest
  @EnumSource(value = Strategy.class, names = {"LRU", "LFU"})
  void twoInstancesNeverExceedTheBoundOnACluster(Strategy strategy) throws Exception {
    RedisClusterProcesses cluster = RedisClusterProcesses.shared();
    String namespace = RedisTestSupport.newNamespace();
    RedisCacheBackend one = clusterBackend(cluster, namespace, strategy);
    RedisCacheBackend two = clusterBackend(cluster, namespace, strategy);
    int master = cluster.masterPortForKey("{" + namespace + "}");
    ConcurrentBookkeepingIT.twoInstancesWork(one, two, () -> cluster.node(master).admin(), strategy, namespace,
        "cluster, ");
    one.clear().block(Duration.ofSeconds(30));
  }

  private RedisCacheBackend clusterBackend(RedisClusterProcesses cluster, String namespace, Strategy strategy) {
    RedisCacheBackend backend = RedisCache.builder()
        .clusterNodes(cluster.seedUrls())
        .namespace(namespace)
        .strategy(strategy)
        .maximumSize(200)
        // A healthy cluster and a loaded machine: timeouts generous enough that no call fails for being slow.
        .commandTimeout(Duration.ofSeconds(5))
        .clock(Schedulers.parallel())
        .build();
    closeLater(() -> backend.close().onErrorResume(e -> Mono.empty()).block(Duration.ofSeconds(10)));
    return backend;
  }
}
