package io.reactivecache.redis.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A Sentinel-watched Redis of its own, on free loopback ports: one master, one replica of it and three sentinels
 * ({@code redis-server --sentinel}, quorum 2, {@code down-after-milliseconds 1000}, {@code failover-timeout
 * 3000}), each a {@link RedisServerProcess}. {@link #start} returns once every sentinel sees the master, the
 * replica and the two other sentinels, so that a failover can be elected at once.
 *
 * <p>It stops every process it started, by pid ({@link #close()}; the JVM shutdown hook of
 * {@link RedisServerProcess} kills what a test forgot), and never touches another Redis. All methods block; call
 * them from test threads only.
 */
public final class RedisSentinelProcesses implements AutoCloseable {
  /** The master name the sentinels monitor. */
  public static final String MASTER_NAME = "cache-master";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

  private final Deque<RedisServerProcess> started = new ArrayDeque<>();
  private final List<RedisServerProcess> sentinels = new ArrayList<>();
  private final String sentinelPassword;
  private RedisServerProcess master;
  private RedisServerProcess replica;

  private RedisSentinelProcesses(String sentinelPassword) {
    this.sentinelPassword = sentinelPassword;
  }

  /**
   * Starts master, replica and three password-less sentinels, and waits until they all know each other.
   *
   * @return the running processes; close them
   */
  public static RedisSentinelProcesses start() {
    return start(null);
  }

  /**
   * Starts master, replica and three sentinels that require a password ({@code requirepass}, and
   * {@code sentinel sentinel-pass} so that they still talk to each other).
   *
   * @param sentinelPassword the sentinels' password, or null for none
   * @return the running processes; close them
   */
  public static RedisSentinelProcesses start(String sentinelPassword) {
    RedisSentinelProcesses processes = new RedisSentinelProcesses(sentinelPassword);
    try {
      processes.launch();
      return processes;
    } catch (RuntimeException | Error e) {
      processes.close();
      throw e;
    }
  }

  private void launch() {
    master = track(RedisServerProcess.start());
    replica = track(RedisServerProcess.builder()
        .extraArgs("--replicaof", master.host(), Integer.toString(master.port()))
        .start());
    for (int i = 0; i < 3; i++) {
      RedisServerProcess.Builder sentinel = RedisServerProcess.builder().sentinel(sentinelConfig());
      if (sentinelPassword != null) {
        sentinel.password(sentinelPassword);
      }
      sentinels.add(track(sentinel.start()));
    }
    awaitTopologyKnown();
  }

  private Path sentinelConfig() {
    StringBuilder config = new StringBuilder()
        .append("sentinel monitor ").append(MASTER_NAME).append(' ').append(master.host()).append(' ')
        .append(master.port()).append(" 2\n")
        .append("sentinel down-after-milliseconds ").append(MASTER_NAME).append(" 1000\n")
        .append("sentinel failover-timeout ").append(MASTER_NAME).append(" 3000\n")
        .append("sentinel parallel-syncs ").append(MASTER_NAME).append(" 1\n");
    if (sentinelPassword != null) {
      config.append("sentinel sentinel-pass ").append(sentinelPassword).append('\n');
    }
    try {
      Path file = Files.createTempFile("redis-sentinel-", ".conf");
      file.toFile().deleteOnExit();
      Files.writeString(file, config, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private RedisServerProcess track(RedisServerProcess process) {
    started.push(process);
    return process;
  }

  private void awaitTopologyKnown() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      last = sentinels.stream().map(this::knows).filter(s -> !s.isEmpty()).collect(Collectors.joining("; "));
      if (last.isEmpty() && "up".equals(replicaLinkStatus())) {
        return;
      }
      RedisServerProcess.sleep(Duration.ofMillis(100));
    }
    throw new IllegalStateException("the sentinels did not learn the topology within " + READY_TIMEOUT + ": "
        + last + "; replica link " + replicaLinkStatus());
  }

  /** What a sentinel does not see yet, empty once it sees the master, the replica and the other sentinels. */
  private String knows(RedisServerProcess sentinel) {
    try {
      List<?> replicas = (List<?>) sentinel.command("SENTINEL", "REPLICAS", MASTER_NAME);
      List<?> others = (List<?>) sentinel.command("SENTINEL", "SENTINELS", MASTER_NAME);
      List<?> masterAddress = (List<?>) sentinel.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
      boolean replicaUp = replicas.stream().map(r -> field((List<?>) r, "flags")).anyMatch("slave"::equals);
      if (!replicaUp || others.size() < 2 || masterAddress == null
          || !Integer.toString(master.port()).equals(masterAddress.get(1))) {
        return sentinel.port() + " sees " + replicas.size() + " replica(s), " + others.size() + " other sentinel(s)";
      }
      return "";
    } catch (RuntimeException e) {
      return sentinel.port() + " " + e.getMessage();
    }
  }

  private String replicaLinkStatus() {
    try {
      String info = (String) replica.command("INFO", "replication");
      return info.lines().filter(l -> l.startsWith("master_link_status:")).map(l -> l.substring(19).trim())
          .findFirst().orElse("none");
    } catch (RuntimeException e) {
      return e.getMessage();
    }
  }

  private static String field(List<?> flat, String name) {
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      if (name.equals(flat.get(i))) {
        return String.valueOf(flat.get(i + 1));
      }
    }
    return null;
  }

  /** Returns the master at start (after a failover it is no longer the master). */
  public RedisServerProcess master() {
    return master;
  }

  /** Returns the replica at start (the one a failover promotes). */
  public RedisServerProcess replica() {
    return replica;
  }

  /** Returns the three sentinels. */
  public List<RedisServerProcess> sentinels() {
    return List.copyOf(sentinels);
  }

  /**
   * Returns the url a client uses: {@code redis-sentinel://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3/0#cache-master}.
   * It holds no password (the sentinels' password, if any, is a separate option).
   *
   * @return the url
   */
  public String url() {
    return "redis-sentinel://" + sentinels.stream().map(s -> s.host() + ":" + s.port())
        .collect(Collectors.joining(",")) + "/0#" + MASTER_NAME;
  }

  /**
   * Asks a sentinel where the master is now.
   *
   * @return the master's port as the first sentinel that answers reports it, or -1 if none answers
   */
  public int currentMasterPort() {
    for (RedisServerProcess sentinel : sentinels) {
      try {
        List<?> address = (List<?>) sentinel.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
        if (address != null) {
          return Integer.parseInt((String) address.get(1));
        }
      } catch (RuntimeException e) {
        // the next sentinel may answer
      }
    }
    return -1;
  }

  /** Stops every process started, by pid, the sentinels first (so that they start no failover meanwhile). */
  @Override
  public void close() {
    RuntimeException first = null;
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public String toString() {
    return "sentinels " + url() + " watching master " + master + " and replica " + replica;
  }
}
