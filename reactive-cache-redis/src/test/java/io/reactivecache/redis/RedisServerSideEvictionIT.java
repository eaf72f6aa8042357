package io.reactivecache.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheStats;
import io.reactivecache.Strategy;
import io.reactivecache.ValueType;
import io.reactivecache.redis.support.OpenedBackends;
import io.reactivecache.redis.support.RedisTestSupport;
import io.reactivecache.spi.CacheEntry;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/** LRU and LFU bounds live on the server: two instances on one namespace share one size and one order. */
class RedisServerSideEvictionIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @RegisterExtension
  final OpenedBackends opened = new OpenedBackends();

  private RedisCacheBackend backend(String namespace, Strategy strategy, long maximumSize) {
    return opened.add(RedisCache.builder()
        .url(RedisTestSupport.redisUri())
        .namespace(namespace)
        .strategy(strategy)
        .maximumSize(maximumSize)
        .build());
  }

  private static CacheEntry<String> entry(String value) {
    long now = Schedulers.parallel().now(java.util.concurrent.TimeUnit.MILLISECONDS);
    return CacheEntry.of(value, now, now + 60_000, now + 120_000, Set.of());
  }

  private static void put(RedisCacheBackend b, String key) {
    b.put(key, entry("v-" + key)).block(TIMEOUT);
  }

  private static void read(RedisCacheBackend b, String key) {
    assertThat(b.get(key, ValueType.of(String.class)).block(TIMEOUT)).as("hit on %s", key).isNotNull();
  }

  private static boolean exists(RedisCacheBackend b, String key) {
    return Boolean.TRUE.equals(b.exists(key).block(TIMEOUT));
  }

  @Test
  void lruOrderAndBoundAreSharedByTwoInstances() {
    String ns = RedisTestSupport.newNamespace();
    RedisCacheBackend a = backend(ns, Strategy.LRU, 3);
    RedisCacheBackend b = backend(ns, Strategy.LRU, 3);
    put(a, "k1");
    put(a, "k2");
    put(a, "k3");
    read(b, "k1");             // k1 becomes the most recent, through the other instance
    put(b, "k4");              // evicts k2, the least recently used
    assertThat(exists(a, "k2")).isFalse();
    assertThat(exists(a, "k1")).isTrue();
    assertThat(exists(a, "k3")).isTrue();
    assertThat(exists(a, "k4")).isTrue();
    put(a, "k5");              // now k3 is the least recently used
    assertThat(exists(b, "k3")).isFalse();
    CacheStats statsA = a.stats().block(TIMEOUT);
    CacheStats statsB = b.stats().block(TIMEOUT);
    assertThat(statsA.size()).isEqualTo(3);
    assertThat(statsB.size()).isEqualTo(3);
    assertThat(statsA.evictions() + statsB.evictions()).isEqualTo(2);
  }

  @Test
  void lfuEvictsTheLeastFrequentlyUsedAcrossInstancesAndTheOldestAmongEquals() {
    String ns = RedisTestSupport.newNamespace();
    RedisCacheBackend a = backend(ns, Strategy.LFU, 3);
    RedisCacheBackend b = backend(ns, Strategy.LFU, 3);
    put(a, "often");
    put(a, "sometimes");
    put(a, "once");
    for (int i = 0; i < 3; i++) {
      read(b, "often");
    }
    read(a, "sometimes");
    put(b, "new1");            // "once" has the fewest accesses
    assertThat(exists(a, "once")).isFalse();
    put(a, "new2");            // new1 (1 access) goes; the entry being written is never its own victim
    assertThat(exists(b, "new1")).isFalse();
    assertThat(exists(b, "often")).isTrue();
    assertThat(exists(b, "sometimes")).isTrue();
    assertThat(exists(b, "new2")).isTrue();

    String ties = RedisTestSupport.newNamespace();
    RedisCacheBackend c = backend(ties, Strategy.LFU, 3);
    RedisCacheBackend d = backend(ties, Strategy.LFU, 3);
    put(c, "x");
    put(d, "y");
    put(c, "z");
    put(d, "w");               // all have one access: the least recently used, x, goes
    assertThat(exists(c, "x")).isFalse();
    assertThat(exists(c, "y")).isTrue();
  }

  @Test
  void concurrentWritersFromTwoInstancesNeverExceedTheSharedBound() {
    String ns = RedisTestSupport.newNamespace();
    RedisCacheBackend a = backend(ns, Strategy.LRU, 50);
    RedisCacheBackend b = backend(ns, Strategy.LRU, 50);
    Flux.range(0, 400)
        .flatMap(i -> (i % 2 == 0 ? a : b).put("key" + i, entry("v" + i)), 32)
        .then()
        .block(TIMEOUT);
    long live = Flux.range(0, 400).filterWhen(i -> a.exists("key" + i)).count().block(TIMEOUT);
    assertThat(live).isEqualTo(50);
    assertThat(a.stats().block(TIMEOUT).size()).isEqualTo(50);
    CacheStats sum = a.stats().block(TIMEOUT).plus(b.stats().block(TIMEOUT));
    assertThat(sum.evictions()).isEqualTo(350);
  }
}
