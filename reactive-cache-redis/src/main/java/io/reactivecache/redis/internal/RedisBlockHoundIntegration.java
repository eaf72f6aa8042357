package io.reactivecache.redis.internal;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Tells BlockHound which waits inside the Redis backend's stack are not blocking I/O, so that an application
 * testing under BlockHound sees only its own blocking calls. Found by {@link java.util.ServiceLoader} when
 * BlockHound is installed; inert otherwise. Internal: never named by users.
 *
 * <p>Resilience4j 2 guards its circuit breaker's sliding window, its open-to-half-open transition and its event
 * processors with a {@code ReentrantLock} (for virtual threads) instead of {@code synchronized}. Each critical
 * section updates a few counters in memory; under contention a caller parks for microseconds, which BlockHound
 * reports as {@code Unsafe#park} on a non-blocking thread. Nothing else is allowed: file and socket I/O on a
 * Reactor or Netty thread still fails.
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
  }
}
