package io.reactivecache.redis.support;

import io.lettuce.core.cluster.SlotHash;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Redis Cluster of {@code redis-server} child processes: three masters and one replica each, on free ports of
 * 127.0.0.1, made with {@code redis-cli --cluster create}. {@link #start()} makes a new one (for tests that kill
 * nodes); {@link #shared()} returns one started lazily, once per JVM, for tests that only read and write (they
 * must not kill or reconfigure its nodes, and must work under namespaces of their own).
 *
 * <p>Every process is a {@link RedisServerProcess}: {@link #close()} stops them by pid, and the JVM shutdown hook
 * of {@link RedisServerProcess} kills any still alive. All methods block; call them from test threads only.
 */
public final class RedisClusterProcesses implements AutoCloseable {
  /** Masters in the cluster. */
  public static final int MASTERS = 3;
  /** How long a start (processes, create, every node agreeing) may take at most. */
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final Object SHARED_LOCK = new Object();
  private static RedisClusterProcesses shared;

  private final Map<Integer, RedisServerProcess> nodes = new LinkedHashMap<>();
  private final Duration startTime;

  private RedisClusterProcesses() {
    long started = System.nanoTime();
    try {
      for (int i = 0; i < MASTERS * 2; i++) {
        int port = RedisServerProcess.freePort();
        Path config = Files.createTempFile("redis-cluster-" + port + "-", ".conf");
        Files.delete(config);
        RedisServerProcess node = RedisServerProcess.builder().port(port)
            .extraArgs("--cluster-enabled", "yes", "--cluster-config-file", config.toString(),
                "--cluster-node-timeout", "1000")
            .start();
        nodes.put(port, node);
      }
      create();
      awaitReady(READY_TIMEOUT);
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
    this.startTime = Duration.ofNanos(System.nanoTime() - started);
  }

  /**
   * Starts a new cluster of {@value #MASTERS} masters with one replica each and waits until every node reports
   * {@code cluster_state:ok} with all slots covered and every replica attached.
   *
   * @return the running cluster; close it
   */
  public static RedisClusterProcesses start() {
    RedisTestSupport.requireRedisServerBinary();
    return new RedisClusterProcesses();
  }

  /**
   * Returns the cluster shared by the tests of this JVM, starting it on first use. Never close it, never kill its
   * nodes: it is stopped when the JVM exits.
   *
   * @return the shared cluster
   */
  public static RedisClusterProcesses shared() {
    synchronized (SHARED_LOCK) {
      if (shared == null) {
        shared = start();
        RedisClusterProcesses started = shared;
        // A figure worth seeing in the build log: what the cluster costs the test run.
        System.out.println("[redis-cluster] " + started + " ready in " + started.startTime().toMillis() + " ms");
        Runtime.getRuntime().addShutdownHook(new Thread(started::close, "redis-cluster-stop"));
      }
      return shared;
    }
  }

  /** Returns how long the start took (processes, cluster creation, waiting until every node agreed). */
  public Duration startTime() {
    return startTime;
  }

  /**
   * Returns a {@code redis://127.0.0.1:port} URL for every node: the seeds for a client.
   *
   * @return one URL per node, masters and replicas
   */
  public List<String> seedUrls() {
    return nodes.keySet().stream().map(port -> "redis://127.0.0.1:" + port).toList();
  }

  /** Returns the ports of every node started, alive or not. */
  public List<Integer> ports() {
    return List.copyOf(nodes.keySet());
  }

  /**
   * Returns the node process listening on a port.
   *
   * @param port one of {@link #ports()}
   * @return the process
   */
  public RedisServerProcess node(int port) {
    RedisServerProcess node = nodes.get(port);
    if (node == null) {
      throw new IllegalArgumentException("no node of this cluster on port " + port);
    }
    return node;
  }

  /**
   * Returns the ports of the masters serving slots now, as a live node sees the cluster.
   *
   * @return the master ports, in slot order
   */
  public List<Integer> masterPorts() {
    List<Integer> masters = new ArrayList<>();
    for (long[] range : slotRanges()) {
      if (!masters.contains((int) range[2])) {
        masters.add((int) range[2]);
      }
    }
    return masters;
  }

  /**
   * Returns the port of the master that serves a Redis key's slot now.
   *
   * @param redisKey the key as stored in Redis (hash tags count)
   * @return the master's port
   */
  public int masterPortForKey(String redisKey) {
    int slot = SlotHash.getSlot(redisKey);
    for (long[] range : slotRanges()) {
      if (slot >= range[0] && slot <= range[1]) {
        return (int) range[2];
      }
    }
    throw new IllegalStateException("no master serves slot " + slot + " of key '" + redisKey + "'");
  }

  /**
   * Lists the keys stored on one node that match a glob, with SCAN on that node alone.
   *
   * @param port the node
   * @param match the SCAN MATCH glob
   * @return the keys found
   */
  public List<String> keysOn(int port, String match) {
    List<String> keys = new ArrayList<>();
    try (RespConnection admin = node(port).admin()) {
      String cursor = "0";
      do {
        List<?> page = (List<?>) admin.command("SCAN", cursor, "MATCH", match, "COUNT", "1000");
        cursor = (String) page.get(0);
        for (Object key : (List<?>) page.get(1)) {
          keys.add((String) key);
        }
      } while (!cursor.equals("0"));
    }
    return keys;
  }

  /**
   * Kills a master with SIGKILL; its replica is promoted by the cluster after {@code cluster-node-timeout} (1 s).
   * Call {@link #awaitStateOk(Duration)} to wait until the cluster serves every slot again.
   *
   * @param port a master's port
   */
  public void killMaster(int port) {
    if (!masterPorts().contains(port)) {
      throw new IllegalArgumentException("port " + port + " is not a master now; masters: " + masterPorts());
    }
    node(port).kill();
  }

  /**
   * Waits until every live node reports {@code cluster_state:ok} with all 16384 slots covered.
   *
   * @param timeout how long to wait at most
   */
  public void awaitStateOk(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      last = notReady(false);
      if (last == null) {
        return;
      }
      RedisServerProcess.sleep(Duration.ofMillis(50));
    }
    throw new IllegalStateException("cluster not ok within " + timeout + ": " + last);
  }

  @Override
  public void close() {
    for (RedisServerProcess node : nodes.values()) {
      try {
        node.close();
      } catch (RuntimeException e) {
        // Stop the others regardless.
      }
    }
  }

  @Override
  public String toString() {
    return "redis cluster on 127.0.0.1 ports " + nodes.keySet();
  }

  private void create() {
    List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
    nodes.keySet().forEach(port -> command.add("127.0.0.1:" + port));
    command.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
    try {
      Process create = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(create.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!create.waitFor(60, TimeUnit.SECONDS) || create.exitValue() != 0) {
        create.destroyForcibly();
        throw new IllegalStateException("redis-cli --cluster create failed:\n" + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run redis-cli (is it on the PATH?)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      last = notReady(true);
      if (last == null) {
        return;
      }
      RedisServerProcess.sleep(Duration.ofMillis(50));
    }
    throw new IllegalStateException("cluster not ready within " + timeout + ": " + last);
  }

  /** Returns why the cluster is not ready yet, or null when it is. */
  private String notReady(boolean replicasAttached) {
    int live = 0;
    for (Map.Entry<Integer, RedisServerProcess> node : nodes.entrySet()) {
      if (!node.getValue().isAlive()) {
        continue;
      }
      live++;
      String info;
      try {
        info = (String) node.getValue().command("CLUSTER", "INFO");
      } catch (RuntimeException e) {
        return "node " + node.getKey() + ": " + e.getMessage();
      }
      if (!info.contains("cluster_state:ok") || !info.contains("cluster_slots_ok:16384")) {
        return "node " + node.getKey() + ": " + info.lines().limit(4).toList();
      }
    }
    if (replicasAttached) {
      List<Integer> masters = masterPorts();
      if (masters.size() != MASTERS) {
        return "masters " + masters;
      }
      for (int master : masters) {
        String replication = (String) node(master).command("INFO", "replication");
        if (!replication.contains("connected_slaves:1")
            || !replication.lines().anyMatch(l -> l.startsWith("slave0:") && l.contains("state=online"))) {
          return "master " + master + " has no replica online yet";
        }
      }
    }
    return live == 0 ? "no node alive" : null;
  }

  /** Returns {first slot, last slot, master port} for every slot range, from the first live node. */
  private List<long[]> slotRanges() {
    for (RedisServerProcess node : nodes.values()) {
      if (!node.isAlive()) {
        continue;
      }
      List<?> slots;
      try {
        slots = (List<?>) node.command("CLUSTER", "SLOTS");
      } catch (RuntimeException e) {
        continue;
      }
      List<long[]> ranges = new ArrayList<>();
      for (Object item : slots) {
        List<?> range = (List<?>) item;
        List<?> master = (List<?>) range.get(2);
        ranges.add(new long[] {(Long) range.get(0), (Long) range.get(1), (Long) master.get(1)});
      }
      return ranges;
    }
    throw new IllegalStateException("no node of the cluster is alive");
  }
}
