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
  }
}
