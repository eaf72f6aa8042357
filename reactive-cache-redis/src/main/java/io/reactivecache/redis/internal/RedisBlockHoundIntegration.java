package io.reactivecache.redis.internal;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Tells BlockHound which waits inside the Redis backend's stack are not blocking I/O, so that an application
 * testing under BlockHound sees only its own blocking calls. Found by {@link java.util.ServiceLoader} when
 * BlockHound is installed; inert otherwise. Internal: never named by users.
 *
 * <p>Each allowance is a short wait on an in-memory lock, bounded by a critical section that does no I/O:
 * <ul>
 *   <li><b>Resilience4j 2</b> guards its circuit breaker's sliding window, its open-to-half-open transition and its
 *       event processors with a {@code ReentrantLock} (for virtual threads) instead of {@code synchronized}. Each
 *       critical section updates a few counters; under contention a caller parks for microseconds.</li>
 *   <li><b>Lettuce</b> orders the commands written to a connection by many threads with a {@code SharedLock}
 *       around a {@code ReentrantLock}: a writer ({@code incrementWriters}) holds it while it bumps a counter, and
 *       the connection's exclusive sections ({@code doExclusive}: activation, deactivation, reset, close, run on
 *       the event loop) hold it while they move commands between in-memory queues and hand them to Netty, whose
 *       writes never block. Every call made from a Reactor thread while another thread writes waits here for
 *       microseconds. Worse than a false report: BlockHound's error thrown out of {@code incrementWriters} leaves
 *       the writer count negative (Lettuce decrements it in a {@code finally}), after which every write spins
 *       forever and the connection is wedged.</li>
 *   <li><b>Lettuce's bounded request queue</b> (we bound it, {@code requestQueueSize}, so a stalled server cannot
 *       grow the heap without end) is an {@code ArrayBlockingQueue}: the size check before every write
 *       ({@code validateWrite}) and the hand-over of a command written as the connection drops
 *       ({@code writeToDisconnectedBuffer}) take its lock for one array-slot operation.</li>
 *   <li><b>Lettuce's cluster client</b> guards its routing state with {@code ReentrantLock}s: the slot-to-connection
 *       cache of {@code PooledClusterConnectionProvider} ({@code stateLock}: taken when a node connection is opened,
 *       when a slot's connection is first looked up, when the topology or the read preference changes, and when the
 *       connection is closed), the node list of {@code Partitions}, and the connections of a topology refresh
 *       ({@code topology.Connections}). Each critical section swaps arrays and references, no I/O. These run on
 *       Netty's event loops and Lettuce's computation threads, which BlockHound treats as non-blocking. Under load
 *       (many node connections completing at once, right after a cluster was created) they contend, and BlockHound's
 *       error thrown out of the lock does lasting harm: thrown inside the callbacks that close a cluster connection,
 *       it leaves the close's future for ever incomplete, so {@code close()} never completed (a 90 s stall in a
 *       stress probe, a 10 s teardown in CI); and on JDK 17 a {@code park} that throws leaves a dead waiter in the
 *       lock's queue, after which any thread that has to wait for that lock waits for ever.</li>
 *   <li><b>Netty 4.2's adaptive allocator</b> (Lettuce 7's default) waits, when it replaces its magazines, for
 *       allocations still in flight on the old ones ({@code Magazine.free}, a {@code StampedLock}); Netty's own
 *       integration does not allow it. Thrown in a connection's first buffer allocation, the error left that
 *       handshake to time out ("Connection initialization timed out after 2500 ms").</li>
 * </ul>
 * Nothing else is allowed: file and socket I/O on a Reactor or Netty thread still fails. Jackson's deserializer
 * cache, also guarded by a {@code ReentrantLock}, is not allowed here: its critical section introspects classes
 * (which may load them from disk), so the backend builds a type's reader off the event loop instead.
 */
public final class RedisBlockHoundIntegration implements BlockHoundIntegration {

  /** Creates the integration; called by {@link java.util.ServiceLoader}. */
  public RedisBlockHoundIntegration() {}

  @Override
  public void applyTo(BlockHound.Builder builder) {
    builder.allowBlockingCallsInside("io.github.resilience4j.core.metrics.FixedSizeSlidingWindowMetrics", "record");
    builder.allowBlockingCallsInside("io.github.resilience4j.core.metrics.FixedSizeSlidingWindowMetrics",
        "getSnapshot");
    builder.allowBlockingCallsInside("io.github.resilience4j.core.metrics.SlidingTimeWindowMetrics", "record");
    builder.allowBlockingCallsInside("io.github.resilience4j.core.metrics.SlidingTimeWindowMetrics", "getSnapshot");
    builder.allowBlockingCallsInside("io.github.resilience4j.core.EventProcessor", "onEvent");
    builder.allowBlockingCallsInside("io.github.resilience4j.core.EventProcessor", "registerConsumer");
    builder.allowBlockingCallsInside(
        "io.github.resilience4j.circuitbreaker.internal.CircuitBreakerStateMachine$OpenState", "toHalfOpenState");
    builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "incrementWriters");
    builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "doExclusive");
    builder.allowBlockingCallsInside("io.lettuce.core.protocol.DefaultEndpoint", "validateWrite");
    builder.allowBlockingCallsInside("io.lettuce.core.protocol.DefaultEndpoint", "writeToDisconnectedBuffer");
    allowClusterLocks(builder);
    builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free");
  }

  /**
   * Every method of Lettuce's cluster client that takes one of its in-memory locks, lambdas included (a lambda
   * runs as a completion callback, outside the method that wrote it). Lambda names are generated by the compiler:
   * both the names of Lettuce 7 and of Lettuce 6 (which the compatibility tests pin) are listed; a name a version
   * lacks allows nothing.
   */
  private static void allowClusterLocks(BlockHound.Builder builder) {
    String provider = "io.lettuce.core.cluster.PooledClusterConnectionProvider";
    // getWriteConnection takes the lock itself on Lettuce 6, only in its lambda on Lettuce 7.
    for (String method : new String[] {"getReadConnection", "getWriteConnection", "resetFastConnectionCache",
        "setAutoFlushCommands", "setPartitions", "setReadFrom"}) {
      builder.allowBlockingCallsInside(provider, method);
    }
    for (int i = 0; i < 10; i++) {
      builder.allowBlockingCallsInside(provider, "lambda$getWriteConnection$" + i);
      builder.allowBlockingCallsInside(provider, "lambda$getReadConnection$" + i);
      builder.allowBlockingCallsInside(provider + "$NodeConnectionPostProcessor", "lambda$apply$" + i);
    }
    String partitions = "io.lettuce.core.cluster.models.partitions.Partitions";
    for (String method : new String[] {"add", "addAll", "addPartition", "clear", "reload", "remove", "removeAll",
        "retainAll", "updateCache"}) {
      builder.allowBlockingCallsInside(partitions, method);
    }
    String connections = "io.lettuce.core.cluster.topology.Connections";
    for (String method : new String[] {"addConnection", "isEmpty", "doRequest"}) {
      builder.allowBlockingCallsInside(connections, method);
    }
  }
}
