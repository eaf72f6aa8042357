package io.reactivecache.memory;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Lets BlockHound accept the one wait Caffeine imposes by design: when a burst of writes fills its write buffer, a
 * writer takes the eviction lock to help the thread already doing maintenance, and may wait for it briefly
 * ({@code BoundedLocalCache.lock}, Caffeine's write back-pressure). Everything else stays checked, including our
 * own code and every other Caffeine path.
 *
 * <p>Test scope only, on purpose: a library should not change its users' BlockHound rules. docs/memory.md tells
 * users of the {@code ttl} strategy who run BlockHound how to add the same allowance.
 */
public final class CaffeineWriteBackpressureAllowance implements BlockHoundIntegration {
  @Override
  public void applyTo(BlockHound.Builder builder) {
    builder.allowBlockingCallsInside("com.github.benmanes.caffeine.cache.BoundedLocalCache", "lock");
  }
}
