package io.reactivecache.redis.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Faults caused for real on a Redis Cluster of local {@code redis-server} processes, and what a test needs to
 * watch them: which node owns a key's slot, which replica follows a master, waiting until every surviving node
 * agrees on a new owner, a planned {@code CLUSTER FAILOVER}, and a slot migration done the way
 * {@code redis-cli --cluster reshard} does it ({@code SETSLOT IMPORTING/MIGRATING}, {@code MIGRATE} in batches,
 * {@code SETSLOT NODE} everywhere).
 *
 * <p>Nodes are named by port (all listen on 127.0.0.1, without a password). Every method blocks: call them from
 * test threads, never from Reactor's non-blocking threads. Killing a node is the caller's business (it owns the
 * processes); this class only talks to nodes.
 */
public final class ClusterFaults {
  private static final String HOST = "127.0.0.1";
  private static final Duration POLL = Duration.ofMillis(20);

  private ClusterFaults() {}

  /**
   * One line of {@code CLUSTER NODES}, as one node sees the cluster.
   *
   * @param id the node id
   * @param port the node's client port
   * @param master whether it is flagged master
   * @param failed whether it is flagged {@code fail} or {@code fail?}
   * @param masterId the id of its master, or {@code "-"} for a master
   * @param slots its slot ranges, each {@code {first, last}}
   */
  public record Node(String id, int port, boolean master, boolean failed, String masterId, List<int[]> slots) {
    /** Tells whether this node serves a slot, as far as the node that answered knows. */
    public boolean owns(int slot) {
      return slots.stream().anyMatch(range -> range[0] <= slot && slot <= range[1]);
    }
  }

  /**
   * Reads the cluster as one node sees it.
   *
   * @param port the node to ask
   * @return every node it knows, itself included
   */
  public static List<Node> nodes(int port) {
    String text = (String) command(port, "CLUSTER", "NODES");
    List<Node> nodes = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.trim().split(" ");
      // ip:port@cport[,hostname]
      String address = f[1];
      int nodePort = Integer.parseInt(address.substring(address.lastIndexOf(':', address.indexOf('@')) + 1,
          address.indexOf('@')));
      List<String> flags = List.of(f[2].split(","));
      List<int[]> slots = new ArrayList<>();
      for (int i = 8; i < f.length; i++) {
        if (f[i].startsWith("[")) {
          continue; // a slot being imported or migrated: still owned by the node listed as its owner
        }
        String[] range = f[i].split("-");
        int first = Integer.parseInt(range[0]);
        slots.add(new int[] {first, range.length == 2 ? Integer.parseInt(range[1]) : first});
      }
      nodes.add(new Node(f[0], nodePort, flags.contains("master"),
          flags.contains("fail") || flags.contains("fail?"), f[3], slots));
    }
    return nodes;
  }

  /**
   * Computes a key's slot on the server.
   *
   * @param port any node
   * @param key the raw Redis key
   * @return its slot
   */
  public static int keySlot(int port, String key) {
    return ((Long) command(port, "CLUSTER", "KEYSLOT", key)).intValue();
  }

  /**
   * Finds the master that serves a slot, as a node sees it.
   *
   * @param port the node to ask
   * @param slot the slot
   * @return the owner's port
   */
  public static int ownerOf(int port, int slot) {
    return nodes(port).stream().filter(n -> n.master() && n.owns(slot)).mapToInt(Node::port).findFirst()
        .orElseThrow(() -> new IllegalStateException("no master serves slot " + slot + " according to :" + port));
  }

  /**
   * Finds a replica of a master.
   *
   * @param port the node to ask
   * @param masterPort the master
   * @return a replica's port, if the master has one that is not failed
   */
  public static Optional<Integer> replicaOf(int port, int masterPort) {
    List<Node> nodes = nodes(port);
    String masterId = nodes.stream().filter(n -> n.port() == masterPort).map(Node::id).findFirst()
        .orElseThrow(() -> new IllegalStateException("node :" + port + " does not know :" + masterPort));
    return nodes.stream().filter(n -> masterId.equals(n.masterId()) && !n.failed()).map(Node::port).findFirst();
  }

  /**
   * The node id of a node.
   *
   * @param port the node
   * @return its id
   */
  public static String id(int port) {
    return (String) command(port, "CLUSTER", "MYID");
  }

  /**
   * Tells whether a node says the cluster is usable ({@code cluster_state:ok}).
   *
   * @param port the node to ask
   * @return true if it says ok
   */
  public static boolean stateOk(int port) {
    return ((String) command(port, "CLUSTER", "INFO")).contains("cluster_state:ok");
  }

  /**
   * Waits until every given node agrees that a slot is served by a master other than {@code formerOwner}, that
   * this master is not failed, and that the cluster is ok: the end of a failover, as the cluster sees it.
   *
   * @param slot the slot
   * @param formerOwner the port of the master that served it before
   * @param livePorts the nodes to ask (those still running)
   * @param timeout how long to wait at most
   * @return the new owner's port
   */
  public static int awaitNewOwner(int slot, int formerOwner, List<Integer> livePorts, Duration timeout) {
    int[] owner = {-1};
    await("every live node agrees that slot " + slot + " moved away from :" + formerOwner, timeout, () -> {
      Integer agreed = null;
      for (int port : livePorts) {
        Optional<Node> serving;
        try {
          if (!stateOk(port)) {
            return false;
          }
          serving = nodes(port).stream().filter(n -> n.master() && !n.failed() && n.owns(slot)).findFirst();
        } catch (RuntimeException e) {
          return false;
        }
        if (serving.isEmpty() || serving.get().port() == formerOwner
            || (agreed != null && agreed != serving.get().port())) {
          return false;
        }
        agreed = serving.get().port();
      }
      owner[0] = agreed;
      return true;
    });
    return owner[0];
  }

  /**
   * Runs a planned failover ({@code CLUSTER FAILOVER}, no option: the master stops its clients, hands over its
   * replication offset, and the replica takes over with no write lost) and waits until every node agrees.
   *
   * @param replicaPort the replica to promote
   * @param allPorts every node of the cluster
   * @param timeout how long to wait at most
   */
  public static void plannedFailover(int replicaPort, List<Integer> allPorts, Duration timeout) {
    String replicaId = id(replicaPort);
    command(replicaPort, "CLUSTER", "FAILOVER");
    await("every node sees :" + replicaPort + " as a master", timeout, () -> allPorts.stream().allMatch(port -> {
      try {
        return stateOk(port) && nodes(port).stream().anyMatch(n -> n.id().equals(replicaId) && n.master()
            && !n.slots().isEmpty());
      } catch (RuntimeException e) {
        return false;
      }
    }));
  }

  /**
   * Moves a slot from its master to another master while clients keep using it, as
   * {@code redis-cli --cluster reshard} does: the target imports, the source migrates (so it answers {@code ASK}
   * for keys it no longer has), keys move in batches with {@code MIGRATE} (a pause after each batch keeps the slot
   * in this mixed state for a while), then every master is told the new owner.
   *
   * @param slot the slot
   * @param sourcePort its current master
   * @param targetPort the master that takes it
   * @param masterPorts every master, source and target included
   * @param batch keys per {@code MIGRATE}
   * @param pause the pause after each batch
   * @return how many keys were moved
   */
  public static int migrateSlot(int slot, int sourcePort, int targetPort, List<Integer> masterPorts, int batch,
      Duration pause) {
    String sourceId = id(sourcePort);
    String targetId = id(targetPort);
    String slotText = Integer.toString(slot);
    command(targetPort, "CLUSTER", "SETSLOT", slotText, "IMPORTING", sourceId);
    command(sourcePort, "CLUSTER", "SETSLOT", slotText, "MIGRATING", targetId);
    int moved = 0;
    while (true) {
      List<?> keys = (List<?>) command(sourcePort, "CLUSTER", "GETKEYSINSLOT", slotText, Integer.toString(batch));
      if (keys.isEmpty()) {
        break;
      }
      List<String> migrate = new ArrayList<>(List.of("MIGRATE", HOST, Integer.toString(targetPort), "", "0",
          "5000", "KEYS"));
      keys.forEach(key -> migrate.add((String) key));
      command(sourcePort, migrate.toArray(String[]::new));
      moved += keys.size();
      sleep(pause);
    }
    // Target first, then source (from then on it answers MOVED), then the others: the order the Redis manual
    // gives, so that no node sends clients to a master that does not yet know it owns the slot.
    command(targetPort, "CLUSTER", "SETSLOT", slotText, "NODE", targetId);
    command(sourcePort, "CLUSTER", "SETSLOT", slotText, "NODE", targetId);
    for (int port : masterPorts) {
      if (port != sourcePort && port != targetPort) {
        command(port, "CLUSTER", "SETSLOT", slotText, "NODE", targetId);
      }
    }
    return moved;
  }

  /**
   * The hash tag rule of Redis Cluster: the part of a key that decides its slot.
   *
   * @param key a raw key
   * @return the text between the first {@code {} and the next {@code }}, if not empty; else the whole key
   */
  public static String hashTag(String key) {
    int open = key.indexOf('{');
    if (open >= 0) {
      int close = key.indexOf('}', open + 1);
      if (close > open + 1) {
        return key.substring(open + 1, close);
      }
    }
    return key;
  }

  /**
   * Runs one command on a node, on a fresh connection.
   *
   * @param port the node
   * @param args the command
   * @return its reply
   */
  public static Object command(int port, String... args) {
    try (RespConnection connection = RespConnection.open(HOST, port, null, null, null)) {
      connection.readTimeout(Duration.ofSeconds(10));
      return connection.command(args);
    }
  }

  private static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not within " + timeout + ": " + what);
      }
      sleep(POLL);
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
