package io.reactivecache.testing;

import io.reactivecache.spi.CacheBackend;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The contract suite checked against the reference backend, so that a failure elsewhere is the backend's. */
class MapCacheBackendContractTest extends CacheBackendContract {
  @Override
  protected CacheBackend createBackend(VirtualTimeScheduler clock) {
    return new MapCacheBackend("map", clock, null);
  }
}
