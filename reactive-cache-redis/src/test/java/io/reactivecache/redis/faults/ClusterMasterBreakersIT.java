package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheHealth;
import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.ClusterFaults;
import io.reactivecache.redis.support.RedisClusterProcesses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * On a Redis Cluster each master has a circuit breaker of its own: a master that dies short-circuits the calls for
 * its slots, not every call, and once the cluster has promoted its replica those slots are served again at once,
 * without waiting out the dead master's breaker.
 *
 * <p>The cluster runs with {@code cluster-require-full-coverage no}, so that the other masters keep answering while
 * the dead one's slots are not served (with the default, every master refuses every key with {@code CLUSTERDOWN}
 * from the moment the cluster marks the master failed until its replica is promoted: no client can help that).
 */
class ClusterMasterBreakersIT extends RedisFaultTest {
  private static final String ROW = "row 22 cluster, one breaker per master";
  /** Far longer than the test may take: a call that waited for this breaker to half-open would fail the test. */
  private static final Duration LONG_WAIT = Duration.ofMinutes(5);
  private static final int THRESHOLD = 3;

  @Test
  void aDeadMastersBreakerStopsOnlyItsKeysAndItsSlotsResumeOnThePromotedReplicaWithoutWaitingItOut() {
    RedisClusterProcesses cluster = closeLater(RedisClusterProcesses.start());
    for (int port : cluster.ports()) {
      ClusterFaults.command(port, "CONFIG", "SET", "cluster-require-full-coverage", "no");
    }
    RedisCacheBackend backend = backendWithKeysWritten(cluster);
    String doomed = KEYS.get(0);
    String doomedStored = storedName(cluster, doomed);
    int dead = masterOf(cluster, doomedStored);
    String other = KEYS.stream().filter(key -> masterOf(cluster, storedName(cluster, key)) != dead).findFirst()
        .orElseThrow();

    cluster.killMaster(dead);
    long killedAt = System.nanoTime();
    List<Outcome<Void>> beforeOpen = new ArrayList<>();
    Outcome<Void> refused = null;
    for (int i = 1; i <= THRESHOLD + 5 && refused == null; i++) {
      Outcome<Void> write = call(backend.put(doomed, entry(valueOf(doomed, i))));
      if (write.failed() && shortCircuited(write.error())) {
        refused = write;
      } else {
        beforeOpen.add(write);
      }
    }
    figure(ROW, "calls of the dead master's key before its breaker refused one", beforeOpen.size());
    assertThat(refused).as("the dead master's breaker opens after %d failed calls", THRESHOLD).isNotNull();
    assertThat(refused.error().getMessage()).as("the refusal names the master")
        .contains("127.0.0.1:" + dead).contains("(last: connection")
        .contains("the other masters' keys are not affected");

    Outcome<Void> otherWrite = call(backend.put(other, entry(valueOf(other, 1))));
    assertThat(otherWrite.error()).as("a write of a key on another master, the dead one's breaker open").isNull();
    assertThat(call(backend.get(other, STRING)).get().value()).isEqualTo(valueOf(other, 1));
    CacheHealth sick = health(backend);
    figure(ROW, "health with one master's breaker open", sick);
    assertThat(sick.status()).isEqualTo(CacheHealth.Status.DEGRADED);
    assertThat(sick.reason()).contains("127.0.0.1:" + dead);

    int version = THRESHOLD + 6;
    await("a write of the dead master's key succeeds on the promoted replica, long before " + LONG_WAIT,
        RECOVERY_BOUND, () -> !call(backend.put(doomed, entry(valueOf(doomed, version)))).failed());
    figure(ROW, "first good write of the dead master's key after the kill (ms; its breaker's wait: "
        + LONG_WAIT + ")", Duration.ofNanos(System.nanoTime() - killedAt).toMillis());
    assertThat(call(backend.get(doomed, STRING)).get().value()).isEqualTo(valueOf(doomed, version));
    assertThat(masterOf(cluster, doomedStored)).as("the key's master now").isNotEqualTo(dead);
    await("health UP once the dead master serves no slot", RECOVERY_BOUND,
        () -> health(backend).status() == CacheHealth.Status.UP);
  }

  /**
   * With Redis's default {@code cluster-require-full-coverage yes}, every master refuses every key
   * ({@code CLUSTERDOWN}) from the moment the cluster marks a master failed until its replica is promoted. Those
   * refusals come at once from healthy masters: they are retried, but must not open the healthy masters' breakers,
   * which would then refuse their keys for a whole breaker wait after the cluster is whole again.
   */
  @Test
  void theClusterRefusingEveryKeyDuringAFailoverOpensNoHealthyMastersBreaker() {
    RedisClusterProcesses cluster = closeLater(RedisClusterProcesses.start());
    RedisCacheBackend backend = backendWithKeysWritten(cluster);
    int dead = masterOf(cluster, storedName(cluster, KEYS.get(0)));
    String other = KEYS.stream().filter(key -> masterOf(cluster, storedName(cluster, key)) != dead).findFirst()
        .orElseThrow();

    cluster.killMaster(dead);
    long killedAt = System.nanoTime();
    long deadline = killedAt + RECOVERY_BOUND.toNanos();
    int clusterDown = 0;
    int refused = 0;
    List<CacheHealth> healthWhileDown = new ArrayList<>();
    Outcome<Void> write = null;
    for (int version = 1; System.nanoTime() < deadline; version++) {
      write = call(backend.put(other, entry(valueOf(other, version))));
      if (!write.failed()) {
        if (clusterDown > 0) {
          break;
        }
      } else if (shortCircuited(write.error())) {
        refused++;
      } else if (write.error().getMessage().contains("CLUSTERDOWN")) {
        clusterDown++;
        healthWhileDown.add(health(backend));
      }
      sleep(Duration.ofMillis(20));
    }
    long tookMillis = Duration.ofNanos(System.nanoTime() - killedAt).toMillis();
    figure(ROW, "writes of a key on a healthy master refused with CLUSTERDOWN / by its breaker; first good write"
        + " after the window (ms after the kill)", clusterDown + " / " + refused + "; " + tookMillis);
    figure(ROW, "health while the cluster refused every key", healthWhileDown.stream()
        .map(h -> h.status() + " (" + h.reason() + ")").distinct().toList());
    assertThat(clusterDown).as("writes of a healthy master's key refused while the cluster was down").isPositive();
    assertThat(refused).as("of them refused by the healthy master's breaker").isZero();
    assertThat(write.error()).as("a write of the healthy master's key once the replica is promoted").isNull();
    // Each sample follows a refusal by a few milliseconds, in which the cluster may have become whole again: the
    // samples must show the cluster's state, not all of them must still find it down.
    assertThat(healthWhileDown).as("health while every key was refused").anySatisfy(h -> {
      assertThat(h.status()).isEqualTo(CacheHealth.Status.DOWN);
      assertThat(h.reason()).contains("cluster_state fail");
    });
  }

  /** The keys each test writes first, spread over the masters. */
  private static final List<String> KEYS = IntStream.range(0, 12).mapToObj(i -> "key-" + i).toList();

  /**
   * A backend on the cluster (no retries, so one failed attempt is one failed call; a breaker wait no test
   * outlasts) that has written every key of {@link #KEYS}.
   */
  private RedisCacheBackend backendWithKeysWritten(RedisClusterProcesses cluster) {
    RedisCacheBackend backend = clusterBackend(cluster, builder -> builder
        .retryAttempts(0)
        .circuitBreakerThreshold(THRESHOLD)
        .circuitBreakerWaitDuration(LONG_WAIT));
    await("the first writes through a new cluster backend", RECOVERY_BOUND,
        () -> KEYS.stream().allMatch(key -> !call(backend.put(key, entry(valueOf(key, 0)))).failed()));
    return backend;
  }

  /** The key's entry as stored in Redis, found on whichever master holds it. */
  private static String storedName(RedisClusterProcesses cluster, String key) {
    for (int port : cluster.masterPorts()) {
      for (String name : cluster.keysOn(port, "*" + key)) {
        if (name.endsWith(key) && !name.contains("#")) {
          return name;
        }
      }
    }
    throw new AssertionError("the entry of " + key + " is on no master");
  }

  /** The port of the master serving a stored key's slot now, as a live node sees the cluster. */
  private static int masterOf(RedisClusterProcesses cluster, String stored) {
    int live = cluster.ports().stream().filter(port -> cluster.node(port).isAlive()).findFirst().orElseThrow();
    return ClusterFaults.ownerOf(live, ClusterFaults.keySlot(live, stored));
  }
}
