package io.reactivecache.memory;

import io.reactivecache.Strategy;
import io.reactivecache.spi.CacheBackend;
import io.reactivecache.testing.CacheBackendContract;
import org.junit.jupiter.api.Nested;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The backend contract, unchanged, for each strategy: ttl here, lru and lfu in the nested classes. */
class MemoryCacheBackendContractTest extends CacheBackendContract {

  @Override
  protected CacheBackend createBackend(VirtualTimeScheduler clock) {
    return backendFor(Strategy.TTL, clock);
  }

  static CacheBackend backendFor(Strategy strategy, VirtualTimeScheduler clock) {
    return MemoryCacheBackend.builder().strategy(strategy).maximumSize(1_000).clock(clock).build();
  }

  @Nested
  class Lru extends CacheBackendContract {
    @Override
    protected CacheBackend createBackend(VirtualTimeScheduler clock) {
      return backendFor(Strategy.LRU, clock);
    }
  }

  @Nested
  class Lfu extends CacheBackendContract {
    @Override
    protected CacheBackend createBackend(VirtualTimeScheduler clock) {
      return backendFor(Strategy.LFU, clock);
    }
  }
}
