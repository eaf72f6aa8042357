package io.reactivecache;

import io.reactivecache.spi.CacheBackend;
import io.reactivecache.testing.CacheBackendContract;
import io.reactivecache.testing.MapCacheBackend;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The fallback composition, primary healthy, is a backend like any other. */
class FallbackCompositionContractTest extends CacheBackendContract {
  @Override
  protected CacheBackend createBackend(VirtualTimeScheduler clock) {
    return CacheBackends.withFallback(new MapCacheBackend("primary", clock, null),
        new MapCacheBackend("fallback", clock, null));
  }
}
