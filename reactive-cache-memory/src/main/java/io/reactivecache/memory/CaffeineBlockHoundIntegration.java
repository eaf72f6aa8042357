package io.reactivecache.memory;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Tells BlockHound about the one bounded wait in Caffeine (the {@code ttl} strategy): when a burst of writes fills
 * its write buffer, a writer takes the eviction lock to help the thread already doing maintenance, and may wait for
 * it briefly ({@code BoundedLocalCache.lock}, Caffeine's write back-pressure, documented by its author as
 * intended); Caffeine 3.2 first retries the buffer with {@code Thread.onSpinWait} in {@code afterWrite}. The wait
 * lasts one drain of bounded buffers, not an I/O, so it is not the blocking BlockHound exists to catch. The
 * maintenance the writer then runs under the lock stays checked, as does everything else, our code and every other
 * Caffeine path included.
 *
 * <p>Shipped, like Reactor's and Netty's own integrations, so that an application running BlockHound does not have
 * to learn this detail; BlockHound finds it through {@link java.util.ServiceLoader} and nothing loads it otherwise
 * (BlockHound is an optional dependency). Public only because {@code ServiceLoader} requires it: not for direct use,
 * and may change without notice.
 */
public final class CaffeineBlockHoundIntegration implements BlockHoundIntegration {
  /** Creates the integration; called by {@link java.util.ServiceLoader}. */
  public CaffeineBlockHoundIntegration() {}

  /**
   * Allows Caffeine's bounded wait for its eviction lock, and nothing else.
   *
   * @param builder BlockHound's builder
   */
  @Override
  public void applyTo(BlockHound.Builder builder) {
    builder.allowBlockingCallsInside("com.github.benmanes.caffeine.cache.BoundedLocalCache", "lock");
    // Caffeine 3.2's spin before the lock (3.3 no longer spins); the maintenance run inside afterWrite is not allowed.
    builder.allowBlockingCallsInside("com.github.benmanes.caffeine.cache.BoundedLocalCache", "afterWrite");
    builder.disallowBlockingCallsInside("com.github.benmanes.caffeine.cache.BoundedLocalCache", "maintenance");
  }
}
