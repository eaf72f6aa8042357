package io.reactivecache.redis;

import io.reactivecache.Strategy;
import io.reactivecache.redis.support.RedisClusterProcesses;
import io.reactivecache.redis.support.RedisTestSupport;
import io.reactivecache.spi.CacheBackend;
import io.reactivecache.testing.CacheBackendContract;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The backend contract, unchanged, against a real Redis Cluster (three masters, one replica each) with the
 * LFU strategy, each test in a fresh namespace.
 */
class RedisClusterLfuContractIT extends CacheBackendContract {

  @Override
  protected CacheBackend createBackend(VirtualTimeScheduler clock) {
    return RedisCache.builder()
        .clusterNodes(RedisClusterProcesses.shared().seedUrls())
        .namespace(RedisTestSupport.newNamespace())
        .strategy(Strategy.LFU)
        .maximumSize(10_000)
        .clock(clock)
        .build();
  }
}
