package io.reactivecache;

import io.reactivecache.spi.CacheBackend;
import io.reactivecache.testing.CacheBackendContract;
import io.reactivecache.testing.MapCacheBackend;
import java.time.Duration;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The two-level composition is a backend like any other. The L1 cap is longer than the contract's entries live
 * (2 minutes), so an L1 copy keeps the times it was written with.
 */
class TwoLevelCompositionContractTest extends CacheBackendContract {
  @Override
  protected CacheBackend createBackend(VirtualTimeScheduler clock) {
    return CacheBackends.twoLevel(new MapCacheBackend("l1", clock, null), new MapCacheBackend("l2", clock, null),
        Duration.ofMinutes(10), clock);
  }
}
