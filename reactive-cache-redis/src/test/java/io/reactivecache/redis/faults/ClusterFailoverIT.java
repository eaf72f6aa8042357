package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheHealth;
import io.reactivecache.redis.RedisCache;
import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.ClusterFaults;
import io.reactivecache.redis.support.RedisClusterProcesses;
import io.reactivecache.spi.CacheEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

/**
 * docs/reliability.md row 22, on a Redis Cluster of three masters and three replicas (each its own
 * {@code redis-server}, {@code cluster-node-timeout} 1000 ms): the master that
 * serves the hot key is killed ({@code kill -9}), its replica is promoted by a planned {@code CLUSTER FAILOVER}, or
 * the hot key's slot is migrated to another master, each while writers and readers keep calling the backend.
 *
 * <p>What must hold, whatever the fault: every call ends within {@link #CALL_BOUND} (no command stays stuck on a
 * dead node), no read returns a wrong value (see {@link ClusterLoad}: another key's, an overwritten one, a deleted
 * one that came back), and writes of the hot key succeed again on the new owner "within seconds" (asserted against
 * the generous {@link #RECOVERY_BOUND}; the figures printed say how long it took). Each test starts its own cluster
 * and stops every process it started.
 */
class ClusterFailoverIT extends RedisFaultTest {
  private static final String ROW = "row 22 cluster failover";
  private static final String HOT = "hot-key";
  private static final List<String> KEYS = List.of(HOT, "k1", "k2", "k3", "k4", "k5");
  /** Every 4th operation of a writer is a delete, so deleted keys coming back would be seen. */
  private static final int DELETE_EVERY = 4;
  private static final int READERS = 4;
  private static final Duration STEADY = Duration.ofMillis(1_500);

  @Test
  void killingTheHotKeysMasterWritesResumeOnThePromotedReplicaNoWrongValueNoCallOverItsBound() throws Exception {
    RedisClusterProcesses cluster = closeLater(RedisClusterProcesses.start());
    RedisCacheBackend backend = connectedBackend(cluster);
    Hot hot = hotKey(cluster);
    int replica = ClusterFaults.replicaOf(hot.master(), hot.master()).orElseThrow();
    Set<String> elsewhere = KEYS.stream().filter(key -> located(cluster, key).master() != hot.master())
        .collect(Collectors.toSet());

    ClusterLoad load = closeLater(new ClusterLoad(backend, KEYS, DELETE_EVERY, READERS, CALL_BOUND));
    sleep(STEADY);
    assertThat(load.okWrites(HOT)).as("writes of the hot key before the fault").isPositive();

    long killedAt = System.nanoTime();
    cluster.killMaster(hot.master());
    // Calls started before the process was gone may still have been answered by it.
    long deadAt = System.nanoTime();
    int newOwner = ClusterFaults.awaitNewOwner(hot.slot(), hot.master(), livePorts(cluster), RECOVERY_BOUND);
    long promotedAt = System.nanoTime();
    ClusterLoad.Op resumed = awaitWriteSince(load, deadAt);
    long resumedAt = resumed.end();
    CacheHealth[] lastHealth = new CacheHealth[1];
    Duration upAgain;
    try {
      upAgain = await("health UP after the failover", RECOVERY_BOUND, () -> {
        lastHealth[0] = health(backend);
        return lastHealth[0].status() == CacheHealth.Status.UP;
      });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; last health: " + lastHealth[0], e);
    }
    sleep(STEADY);
    load.close();

    figure(ROW, "kill -9: replica promoted by the cluster after the kill (ms)", millis(promotedAt - killedAt));
    figure(ROW, "kill -9: first good write of the hot key after the kill (ms)", millis(resumedAt - killedAt));
    figure(ROW, "kill -9: the hot key's writes from the kill to the first good one (ms after the kill)",
        load.timeline(HOT, killedAt, resumedAt + 1));
    figure(ROW, "kill -9: the hot key's writes from the promotion to the first good one (ms after the promotion)",
        load.timeline(HOT, promotedAt, resumedAt + 1));
    report("kill -9", load, deadAt, resumedAt);
    figure(ROW, "kill -9: calls of the keys on the other masters " + elsewhere + ": failed / made, from the kill to"
        + " the hot key's first good write", load.failedCalls(deadAt, resumedAt, elsewhere::contains) + " / "
        + load.calls(deadAt, resumedAt, elsewhere::contains));
    elsewhere.stream().filter(key -> !key.equals(HOT)).findFirst().ifPresent(key -> figure(ROW, "kill -9: writes"
        + " of " + key + ", on another master, from the kill to the hot key's first good write (ms after the kill)",
        load.timeline(key, killedAt, resumedAt + 1)));
    assertThat(newOwner).as("the promoted node").isEqualTo(replica);
    assertThat(millis(resumedAt - killedAt)).as("writes resume within %s of the kill", RECOVERY_BOUND)
        .isLessThanOrEqualTo(RECOVERY_BOUND.toMillis());
    List<ClusterLoad.HealthSample> during = load.health().stream()
        .filter(s -> s.at() >= deadAt && s.at() < resumedAt).toList();
    figure(ROW, "kill -9: health while the hot key could not be written", describe(during));
    assertThat(during).as("health says the cluster is sick while the hot key's master is dead")
        .anySatisfy(s -> {
          assertThat(s.status()).isNotEqualTo(CacheHealth.Status.UP);
          assertThat(s.reason()).isNotBlank();
        });
    figure(ROW, "kill -9: health UP again after the first good write (ms)", upAgain.toMillis());
  }

  @Test
  void aPlannedFailoverOfTheHotKeysMasterLosesNoWriteAndServesNoWrongValue() throws Exception {
    RedisClusterProcesses cluster = closeLater(RedisClusterProcesses.start());
    RedisCacheBackend backend = connectedBackend(cluster);
    Hot hot = hotKey(cluster);
    int replica = ClusterFaults.replicaOf(hot.master(), hot.master()).orElseThrow();

    ClusterLoad load = closeLater(new ClusterLoad(backend, KEYS, DELETE_EVERY, READERS, CALL_BOUND));
    sleep(STEADY);
    long startedAt = System.nanoTime();
    ClusterFaults.plannedFailover(replica, livePorts(cluster), RECOVERY_BOUND);
    long doneAt = System.nanoTime();
    ClusterLoad.Op resumed = awaitWriteSince(load, doneAt);
    sleep(STEADY);
    load.close();

    figure(ROW, "CLUSTER FAILOVER: promotion agreed by every node (ms)", millis(doneAt - startedAt));
    figure(ROW, "CLUSTER FAILOVER: first good write of the hot key after the promotion (ms)",
        millis(resumed.end() - doneAt));
    figure(ROW, "CLUSTER FAILOVER: the hot key's writes from the command to the first good one after the promotion",
        load.timeline(HOT, startedAt, resumed.end() + 1));
    report("CLUSTER FAILOVER", load, startedAt, resumed.end());
    assertThat(ClusterFaults.ownerOf(replica, hot.slot())).as("the slot's owner").isEqualTo(replica);
  }

  /**
   * Without retries, so that one rejected attempt is a failed call: right after a planned failover, the first
   * write of the hot key goes to the demoted master, which answers {@code MOVED}; Lettuce redirects it to the
   * promoted replica at once, and must not reject it because it has no connection to that node yet.
   */
  @Test
  void theFirstCallsAfterAPlannedFailoverReachThePromotedReplica() {
    RedisClusterProcesses cluster = closeLater(RedisClusterProcesses.start());
    RedisCacheBackend backend = connectedBackend(cluster, b -> b.retryAttempts(0));
    Hot hot = hotKey(cluster);
    int replica = ClusterFaults.replicaOf(hot.master(), hot.master()).orElseThrow();
    ClusterFaults.plannedFailover(replica, livePorts(cluster), RECOVERY_BOUND);

    Outcome<Void> write = call(backend.put(HOT, entry(valueOf(HOT, 1))));
    Outcome<CacheEntry<String>> read = call(backend.get(HOT, STRING));
    figure(ROW, "first write / read after a planned CLUSTER FAILOVER, no retry",
        (write.failed() ? "failed: " + write.error().getMessage() : "ok") + " / "
        + (read.failed() ? "failed: " + read.error().getMessage() : "ok"));
    assertThat(write.error()).as("the first write after the failover").isNull();
    assertThat(read.get().value()).isEqualTo(valueOf(HOT, 1));
  }

  @Test
  void migratingTheHotKeysSlotUnderWritesServesNoWrongValueAndNoCallOverItsBound() throws Exception {
    RedisClusterProcesses cluster = closeLater(RedisClusterProcesses.start());
    RedisCacheBackend backend = connectedBackend(cluster);
    Hot hot = hotKey(cluster);
    int source = hot.master();
    int slot = hot.slot();
    int target = cluster.masterPorts().stream().filter(port -> port != source).findFirst().orElseThrow();
    int fillers = fillSlot(source, hot.rawKey(), slot, 300);

    ClusterLoad load = closeLater(new ClusterLoad(backend, KEYS, DELETE_EVERY, READERS, CALL_BOUND));
    sleep(STEADY);
    long startedAt = System.nanoTime();
    int moved = ClusterFaults.migrateSlot(slot, source, target, cluster.masterPorts(), 10, Duration.ofMillis(20));
    long doneAt = System.nanoTime();
    ClusterLoad.Op resumed = awaitWriteSince(load, doneAt);
    sleep(STEADY);
    load.close();

    figure(ROW, "slot migration: keys moved / time in MIGRATING (ms)", moved + " / " + millis(doneAt - startedAt));
    report("slot migration", load, startedAt, doneAt);
    assertThat(moved).as("keys moved, the %d fillers included", fillers).isGreaterThanOrEqualTo(fillers);
    assertThat(ClusterFaults.ownerOf(source, slot)).as("the slot's owner, as the source sees it").isEqualTo(target);
    assertThat(ClusterFaults.command(source, "CLUSTER", "COUNTKEYSINSLOT", Integer.toString(slot)))
        .as("keys of the slot left on the source").isEqualTo(0L);
    assertThat((Long) ClusterFaults.command(target, "CLUSTER", "COUNTKEYSINSLOT", Integer.toString(slot)))
        .as("keys of the slot on the target").isGreaterThanOrEqualTo(fillers);
  }

  /** Prints the figures every scenario shares and asserts what must hold whatever the fault. */
  private void report(String scenario, ClusterLoad load, long faultAt, long recoveredAt) {
    Map<String, Optional<String>> finalValues = new LinkedHashMap<>();
    for (String key : KEYS) {
      finalValues.put(key, call(load.backend().get(key, STRING)).value().map(CacheEntry::value));
    }
    List<String> finalProblems = load.finalStateProblems(finalValues);
    figure(ROW, scenario + ": keys holding neither their last acknowledged write nor a miss after a delete, once"
        + " the load stopped", finalProblems.size() + (finalProblems.isEmpty() ? "" : " " + finalProblems));
    List<String> wrong = load.wrongReads(Long.MIN_VALUE);
    List<String> wrongAfter = load.wrongReads(recoveredAt);
    figure(ROW, scenario + ": calls / failed during the fault / over the bound " + CALL_BOUND.toMillis() + " ms",
        load.calls() + " / " + load.failedCalls(faultAt, recoveredAt) + " / " + load.overBound());
    figure(ROW, scenario + ": slowest call (ms)", load.slowestMillis());
    figure(ROW, scenario + ": failures callers saw, by kind", load.failureKinds());
    figure(ROW, scenario + ": wrong values served (whole run / after recovery)", wrong.size() + " / "
        + wrongAfter.size());
    figure(ROW, scenario + ": load average", loadAverage());
    assertThat(wrong).as("wrong values served (another key's, overwritten, deleted)").isEmpty();
    assertThat(load.overBound()).as("calls over %s", CALL_BOUND).isZero();
    assertThat(load.strangeErrors()).as("failures that are not CacheException").isEmpty();
    assertThat(finalProblems).as("acknowledged writes lost or stale values kept, once the load stopped").isEmpty();
  }

  /** Waits for a successful write of the hot key that started at or after {@code since}. */
  private static ClusterLoad.Op awaitWriteSince(ClusterLoad load, long since) {
    await("a write of the hot key succeeds again", RECOVERY_BOUND.plus(CALL_BOUND),
        () -> load.firstOkWriteSince(HOT, since).isPresent());
    return load.firstOkWriteSince(HOT, since).orElseThrow();
  }

  private RedisCacheBackend connectedBackend(RedisClusterProcesses cluster) {
    return connectedBackend(cluster, b -> b);
  }

  /** A backend with the fault tests' settings that has connected and written every key's version 0. */
  private RedisCacheBackend connectedBackend(RedisClusterProcesses cluster,
      UnaryOperator<RedisCache.Builder> customize) {
    RedisCacheBackend backend = clusterBackend(cluster, builder -> customize.apply(builder
        .retryAttempts(RETRY_ATTEMPTS)
        .retryBackoff(RETRY_BACKOFF)
        .circuitBreakerThreshold(BREAKER_THRESHOLD)
        .circuitBreakerWaitDuration(BREAKER_WAIT)
        .maximumSize(10_000)
        .defaultTtl(Duration.ofMinutes(5))
        .clock(Schedulers.parallel())));
    // The first call connects: the cluster client asks the seeds for the topology and opens a connection per
    // master. Not part of any fault, so it is measured (a figure) but not held to the bound of one call.
    long start = System.nanoTime();
    await("a first write through the new cluster backend", RECOVERY_BOUND, () -> works(backend, KEYS.get(0)));
    figure(ROW, "first call on a new cluster backend, connection and topology included",
        millis(System.nanoTime() - start) + " ms (load average " + loadAverage() + ")");
    for (String key : KEYS) {
      call(backend.put(key, entry(valueOf(key, 0))));
    }
    return backend;
  }

  /** Where the hot key's entry lives: its raw Redis key, its slot and the master serving it. */
  private record Hot(String rawKey, int slot, int master) {}

  /** Finds the hot key's entry where the backend wrote it (before any load, so it exists). */
  private static Hot hotKey(RedisClusterProcesses cluster) {
    return located(cluster, HOT);
  }

  /** Finds a key's entry where the backend wrote it; call before the load (which deletes now and then). */
  private static Hot located(RedisClusterProcesses cluster, String cacheKey) {
    for (int port : cluster.masterPorts()) {
      String cursor = "0";
      do {
        List<?> reply = (List<?>) ClusterFaults.command(port, "SCAN", cursor, "MATCH", "*" + cacheKey + "*",
            "COUNT", "1000");
        cursor = (String) reply.get(0);
        for (Object key : (List<?>) reply.get(1)) {
          String name = (String) key;
          if (name.endsWith(cacheKey) && !name.contains("#")) {
            return new Hot(name, ClusterFaults.keySlot(port, name), port);
          }
        }
      } while (!"0".equals(cursor));
    }
    throw new AssertionError("the entry of " + cacheKey + " is on no master");
  }

  /**
   * Writes {@code count} keys of 1 KB into a slot on its master, directly, so that migrating the slot takes a
   * while (batches of {@code MIGRATE} with pauses) and the load meets it half-moved.
   */
  private static int fillSlot(int master, String rawKey, int slot, int count) {
    String tag = "{" + ClusterFaults.hashTag(rawKey) + "}";
    assertThat(ClusterFaults.keySlot(master, tag + "filler")).as("a filler's slot").isEqualTo(slot);
    String value = "x".repeat(1024);
    for (int i = 0; i < count; i++) {
      ClusterFaults.command(master, "SET", tag + "filler-" + i, value);
    }
    return count;
  }

  /** The nodes still running. */
  private static List<Integer> livePorts(RedisClusterProcesses cluster) {
    return cluster.ports().stream().filter(port -> cluster.node(port).isAlive()).toList();
  }

  private static long millis(long nanos) {
    return Duration.ofNanos(nanos).toMillis();
  }

  /** The health statuses seen, each with its first reason and how many samples had it. */
  private static String describe(List<ClusterLoad.HealthSample> samples) {
    Map<CacheHealth.Status, String> first = new LinkedHashMap<>();
    Map<CacheHealth.Status, Integer> counts = new LinkedHashMap<>();
    for (ClusterLoad.HealthSample sample : samples) {
      first.putIfAbsent(sample.status(), sample.reason());
      counts.merge(sample.status(), 1, Integer::sum);
    }
    List<String> parts = new ArrayList<>();
    first.forEach((status, reason) -> parts.add(status + " x" + counts.get(status)
        + (reason == null || reason.isBlank() ? "" : " (" + reason + ")")));
    return parts.isEmpty() ? "no sample" : String.join(", ", parts);
  }

  /** The machine's load average over the last minute, for the figures. */
  static String loadAverage() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
    } catch (java.io.IOException | RuntimeException e) {
      return String.format(java.util.Locale.ROOT, "%.2f",
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }
}
