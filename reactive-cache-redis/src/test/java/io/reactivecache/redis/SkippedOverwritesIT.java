package io.reactivecache.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.Strategy;
import io.reactivecache.ValueType;
import io.reactivecache.redis.support.OpenedBackends;
import io.reactivecache.redis.support.RedisTestSupport;
import io.reactivecache.spi.CacheEntry;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.scheduler.Schedulers;

/**
 * An overwrite that is not written (an oversized value, counted in {@code rejectedWrites}; an entry already
 * expired) must not leave the previous value served, as in the memory backend: the caller meant to replace it.
 */
class SkippedOverwritesIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final ValueType<String> STRING = ValueType.of(String.class);

  @RegisterExtension
  final OpenedBackends opened = new OpenedBackends();

  private RedisCacheBackend backend(Strategy strategy) {
    return opened.add(RedisCache.builder().url(RedisTestSupport.redisUri())
        .namespace(RedisTestSupport.newNamespace()).strategy(strategy).maxValueBytes(1_024).build());
  }

  private static long now() {
    return Schedulers.parallel().now(TimeUnit.MILLISECONDS);
  }

  private static CacheEntry<String> fresh(String value) {
    return CacheEntry.of(value, now(), now() + 60_000, now() + 60_000, Set.of());
  }

  @ParameterizedTest
  @EnumSource(value = Strategy.class, names = {"TTL", "LRU"})
  void anOversizedOverwriteIsCountedAndRemovesTheOlderValue(Strategy strategy) {
    RedisCacheBackend backend = backend(strategy);
    backend.put("k", fresh("old")).block(TIMEOUT);
    backend.put("k", fresh("x".repeat(2_000))).block(TIMEOUT);
    assertThat(backend.get("k", STRING).block(TIMEOUT)).as("the older value after an oversized overwrite").isNull();
    assertThat(backend.stats().block(TIMEOUT).rejectedWrites()).isEqualTo(1);
    if (strategy != Strategy.TTL) {
      assertThat(backend.stats().block(TIMEOUT).size()).as("the order forgets the key too").isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(value = Strategy.class, names = {"TTL", "LFU"})
  void anAlreadyExpiredOverwriteRemovesTheOlderValue(Strategy strategy) {
    RedisCacheBackend backend = backend(strategy);
    backend.put("k", fresh("old")).block(TIMEOUT);
    long now = now();
    backend.put("k", CacheEntry.of("expired", now - 2_000, now - 1_000, now - 1, Set.of())).block(TIMEOUT);
    assertThat(backend.get("k", STRING).block(TIMEOUT)).as("the older value after an expired overwrite").isNull();
    assertThat(backend.exists("k").block(TIMEOUT)).isFalse();
  }
}
