package io.reactivecache.redis;

import io.reactivecache.Strategy;
import io.reactivecache.redis.support.RedisSentinelProcesses;
import io.reactivecache.redis.support.RedisTestSupport;
import io.reactivecache.spi.CacheBackend;
import io.reactivecache.testing.CacheBackendContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The backend contract, unchanged, through Redis Sentinel: a {@code redis-sentinel://} url naming three sentinels
 * of a master and a replica started for this class, each test in a fresh namespace.
 */
class RedisSentinelContractIT extends CacheBackendContract {
  private static RedisSentinelProcesses redis;

  @BeforeAll
  static void startSentinels() {
    RedisTestSupport.requireRedisServerBinary();
    redis = RedisSentinelProcesses.start();
  }

  @AfterAll
  static void stopSentinels() {
    if (redis != null) {
      redis.close();
    }
  }

  @Override
  protected CacheBackend createBackend(VirtualTimeScheduler clock) {
    return RedisCache.builder()
        .url(redis.url())
        .namespace(RedisTestSupport.newNamespace())
        .strategy(Strategy.TTL)
        .maximumSize(10_000)
        .clock(clock)
        .build();
  }
}
