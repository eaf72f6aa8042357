package io.reactivecache.redis;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The circuit breakers of one backend, and which of them a call goes through.
 *
 * <p>On one node (standalone, or the master behind Sentinel) there is one: the backend's. On a cluster each master
 * also gets one of its own, made the first time a call is routed to it and named {@code <name>@host:port}: a
 * command for one key goes through the breaker of the master that serves the key's slot, as far as the
 * connection's topology knows. So a master that dies short-circuits the calls for its slots only, while the other
 * masters' keep working; and once the cluster has promoted its replica and the refreshed topology routes those
 * slots there, calls go through the new master's breaker at once instead of waiting out the dead one's.
 *
 * <p>The backend's breaker guards what is not one master's: connecting (there is no topology yet), commands over
 * several slots ({@code MGET}, {@code UNLINK} of a scanned batch), {@code SCAN} over every master. Forced open or
 * disabled by hand, it decides for every call, routed ones included: manual control stays one switch.
 */
final class Breakers {
  private final String name;
  private final CircuitBreakerConfig config;
  private final CircuitBreaker backend;
  /** The cluster connection's current topology, null while not connected; null for one node. */
  private final Supplier<Partitions> topology;
  /** The masters' breakers, by node id: a node id stays with its node whatever address it is reached at. */
  private final Map<String, CircuitBreaker> byNode = new ConcurrentHashMap<>();

  /**
   * @param name the backend's name, which its own breaker takes
   * @param config the settings of every breaker
   * @param topology on a cluster, the connection's current topology (null while not connected); null otherwise
   */
  Breakers(String name, CircuitBreakerConfig config, Supplier<Partitions> topology) {
    this.name = name;
    this.config = config;
    this.backend = CircuitBreaker.of(name, config);
    this.topology = topology;
  }

  /** The backend's own breaker. */
  CircuitBreaker backend() {
    return backend;
  }

  /**
   * The breaker a command goes through.
   *
   * @param routingKey the stored key the command is routed by (all of its keys share that key's slot), or null
   *     for a command that is not one master's
   */
  CircuitBreaker forKey(String routingKey) {
    if (topology == null || routingKey == null || manuallySet(backend.getState())) {
      return backend;
    }
    Partitions partitions = topology.get();
    RedisClusterNode master = partitions == null ? null
        : partitions.getMasterBySlot(RedisKeyLayout.slotOf(routingKey));
    if (master == null || master.getNodeId() == null) {
      return backend;
    }
    CircuitBreaker breaker = byNode.get(master.getNodeId());
    return breaker != null ? breaker : created(master, partitions);
  }

  /**
   * A master's first breaker. Made outside the map's lock (a caller may be on an event loop), so two callers may
   * both make one: the first put wins. Breakers of nodes that left the topology go at the same time.
   */
  private CircuitBreaker created(RedisClusterNode master, Partitions partitions) {
    byNode.keySet().removeIf(nodeId -> partitions.getPartitionByNodeId(nodeId) == null);
    CircuitBreaker made = CircuitBreaker.of(name + "@" + RedisConnector.address(master), config);
    CircuitBreaker raced = byNode.putIfAbsent(master.getNodeId(), made);
    return raced != null ? raced : made;
  }

  /** The breaker is in a state only a person sets: it overrides the masters' own. */
  private static boolean manuallySet(CircuitBreaker.State state) {
    return state == CircuitBreaker.State.FORCED_OPEN || state == CircuitBreaker.State.DISABLED
        || state == CircuitBreaker.State.METRICS_ONLY;
  }

  /** A master's breaker that is not closed, with the master's address: what health reports. */
  record Sick(String address, CircuitBreaker breaker) {}

  /**
   * The breakers of the cluster's current masters that are open or half-open; empty on one node.
   */
  List<Sick> sickMasters() {
    Partitions partitions = topology == null ? null : topology.get();
    List<Sick> sick = new ArrayList<>();
    if (partitions == null) {
      return sick;
    }
    for (RedisClusterNode node : partitions) {
      CircuitBreaker breaker = RedisConnector.servesSlots(node) ? byNode.get(node.getNodeId()) : null;
      if (breaker != null && breaker.getState() != CircuitBreaker.State.CLOSED) {
        sick.add(new Sick(RedisConnector.address(node), breaker));
      }
    }
    return sick;
  }

  /**
   * Tells whether every master of the cluster has a breaker that is not closed: nothing answers, as for a single
   * node whose breaker opened. A master no call has reached yet counts as answering. False on one node.
   */
  boolean noMasterAnswers() {
    Partitions partitions = topology == null ? null : topology.get();
    if (partitions == null) {
      return false;
    }
    int masters = 0;
    for (RedisClusterNode node : partitions) {
      if (RedisConnector.servesSlots(node)) {
        masters++;
        CircuitBreaker breaker = byNode.get(node.getNodeId());
        if (breaker == null || breaker.getState() == CircuitBreaker.State.CLOSED) {
          return false;
        }
      }
    }
    return masters > 0;
  }

  /** Tells whether a breaker is one master's, not the backend's. */
  boolean isMasters(CircuitBreaker breaker) {
    return breaker != backend;
  }

}
