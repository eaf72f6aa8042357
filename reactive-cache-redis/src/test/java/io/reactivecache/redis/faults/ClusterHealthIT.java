package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.reactivecache.CacheHealth;
import io.reactivecache.redis.BackendInternals;
import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.ClusterFaults;
import io.reactivecache.redis.support.RedisClusterProcesses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A cluster backend's health is that of the masters that serve the slots, asked each over its own connection.
 *
 * <p>A plain {@code PING} on a Lettuce cluster connection goes over its default connection, to whichever node
 * Lettuce picked when connecting: perhaps a replica, and after that node dies, a connection Lettuce may keep
 * reconnecting to it (seen in {@code ClusterFailoverIT}: health DOWN "not connected" for 15 s after the failover,
 * while every key was served). Here the node that carries that default connection is made a replica (by a planned
 * failover, if it was a master) and killed: nothing the cache serves depends on it, so health must stay UP.
 */
class ClusterHealthIT extends RedisFaultTest {
  private static final String ROW = "row 22 cluster health";

  @Test
  void killingTheNodeOfTheClientsDefaultConnectionLeavesHealthUpWhenItServesNoSlot() throws Exception {
    RedisClusterProcesses cluster = closeLater(RedisClusterProcesses.start());
    RedisCacheBackend backend = clusterBackend(cluster, builder -> builder);
    await("a first write through the new cluster backend", RECOVERY_BOUND,
        () -> !call(backend.put("k", entry(valueOf("k", 1)))).failed());
    assertThat(health(backend).status()).isEqualTo(CacheHealth.Status.UP);

    int node = defaultConnectionsNode(cluster, backend);
    if (cluster.masterPorts().contains(node)) {
      int replica = ClusterFaults.replicaOf(node, node).orElseThrow();
      ClusterFaults.plannedFailover(replica, cluster.ports(), RECOVERY_BOUND);
      await("writes again after the planned failover", RECOVERY_BOUND,
          () -> !call(backend.put("k", entry(valueOf("k", 2)))).failed());
    }
    assertThat(cluster.masterPorts()).as("masters now").doesNotContain(node);
    // The client's view too (a MOVED reply or the periodic refresh brings it): a node it still took for the master
    // of some slots would rightly be reported.
    await("the client sees :" + node + " serve no slot", Duration.ofSeconds(40), () -> {
      for (RedisClusterNode known : BackendInternals.clusterConnection(backend).getPartitions()) {
        if (known.getUri().getPort() == node) {
          return !known.is(RedisClusterNode.NodeFlag.UPSTREAM) || known.hasNoSlots();
        }
      }
      return true;
    });

    cluster.node(node).kill();
    List<CacheHealth> samples = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      samples.add(health(backend));
      sleep(Duration.ofMillis(50));
    }
    figure(ROW, "health after killing the replica the default connection was on (20 samples over 1 s)",
        samples.stream().map(h -> h.status().name()).distinct().toList());
    assertThat(samples).as("health samples after the kill of a node that serves no slot")
        .allSatisfy(h -> assertThat(h.status()).as(h.reason()).isEqualTo(CacheHealth.Status.UP));
    assertThat(call(backend.get("k", STRING)).value()).as("the cache still serves").isPresent();
  }

  /** The node whose PING count grows with a PING on the backend's cluster connection: its default connection's. */
  private static int defaultConnectionsNode(RedisClusterProcesses cluster, RedisCacheBackend backend)
      throws Exception {
    Map<Integer, Long> before = pings(cluster);
    BackendInternals.clusterConnection(backend).async().ping().get(5, TimeUnit.SECONDS);
    Map<Integer, Long> after = pings(cluster);
    List<Integer> pinged = cluster.ports().stream().filter(port -> after.get(port) > before.get(port)).toList();
    assertThat(pinged).as("the nodes a PING on the cluster connection reached").hasSize(1);
    return pinged.get(0);
  }

  private static Map<Integer, Long> pings(RedisClusterProcesses cluster) {
    Map<Integer, Long> pings = new HashMap<>();
    for (int port : cluster.ports()) {
      pings.put(port, commandStats(cluster.node(port)).getOrDefault("ping", new long[] {0, 0})[0]);
    }
    return pings;
  }
}
