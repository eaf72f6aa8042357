package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.resource.DefaultClientResources;
import io.reactivecache.Strategy;
import io.reactivecache.redis.RedisCache;
import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.RedisClusterProcesses;
import io.reactivecache.redis.support.RedisTestSupport;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

/**
 * The cluster's reads are spread over the client's I/O threads: a small entry is decoded and emitted on the thread
 * its reply arrives on, which is the I/O thread of its master's connection, and the masters' connections are on as
 * many different threads as there are (up to one per master). When every master's connection shared one thread of
 * two, that thread carried every read of the cluster and capped its throughput.
 */
class ClusterIoThreadsIT extends RedisFaultTest {

  @Test
  void theMastersConnectionsAreOnDifferentIoThreads() {
    RedisClusterProcesses cluster = RedisClusterProcesses.shared();
    String namespace = RedisTestSupport.newNamespace();
    RedisCacheBackend backend = built(RedisCache.builder()
        .name("redis")
        .clusterNodes(cluster.seedUrls())
        .namespace(namespace)
        .commandTimeout(Duration.ofSeconds(5))
        .strategy(Strategy.TTL)
        .clock(Schedulers.parallel()));

    // Keys until every master holds one (a key's slot is a hash: 60 keys leave a master out once in 10^10).
    for (int i = 0; i < 60; i++) {
      call(backend.put("k" + i, entry(valueOf("k" + i, 1))));
    }
    call(backend.get("k0", STRING)); // the first read of a type prepares its reader off the I/O threads
    Map<Integer, Set<String>> threadsByMaster = new HashMap<>();
    for (int port : cluster.masterPorts()) {
      List<String> keys = cluster.keysOn(port, "*" + namespace + "*").stream()
          .filter(stored -> stored.matches(".*k[0-9]+$"))
          .toList();
      assertThat(keys).as("entries on master %d", port).isNotEmpty();
      String key = keys.get(0).substring(keys.get(0).lastIndexOf('k'));
      for (int read = 0; read < 3; read++) {
        String thread = backend.get(key, STRING).map(entry -> Thread.currentThread().getName())
            .block(Duration.ofSeconds(10));
        threadsByMaster.computeIfAbsent(port, p -> new HashSet<>()).add(thread);
      }
    }

    Set<String> threads = new HashSet<>();
    threadsByMaster.values().forEach(threads::addAll);
    int ioThreads = DefaultClientResources.DEFAULT_IO_THREADS; // the backend's own client uses Lettuce's default
    assertThat(threadsByMaster.values()).as("each master's replies arrive on one thread: " + threadsByMaster)
        .allSatisfy(set -> assertThat(set).hasSize(1));
    assertThat(threads).as("I/O threads carrying the masters' replies: " + threadsByMaster)
        .hasSize(Math.min(RedisClusterProcesses.MASTERS, ioThreads));
  }
}
