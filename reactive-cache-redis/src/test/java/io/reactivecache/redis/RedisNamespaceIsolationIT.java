package io.reactivecache.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.reactivecache.InvalidCacheKeyException;
import io.reactivecache.Strategy;
import io.reactivecache.ValueType;
import io.reactivecache.redis.support.RedisTestSupport;
import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.KeyPattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Glob characters and separators in keys and namespaces never let a delete reach outside the namespace:
 * sentinel keys written with raw commands, and the keys of look-alike namespaces, survive every clear and
 * pattern delete.
 */
class RedisNamespaceIsolationIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private RedisClient raw;
  private StatefulRedisConnection<String, String> rawConnection;
  private RedisCommands<String, String> redis;
  private final List<RedisCacheBackend> opened = new ArrayList<>();
  private final List<String> sentinels = new ArrayList<>();
  private String base;

  @BeforeEach
  void connectRaw() {
    raw = RedisClient.create(RedisTestSupport.redisUri());
    rawConnection = raw.connect();
    redis = rawConnection.sync();
    base = "rc-iso-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterEach
  void cleanUp() {
    for (RedisCacheBackend b : opened) {
      b.clear().then(b.close()).block(TIMEOUT);
    }
    if (!sentinels.isEmpty()) {
      redis.unlink(sentinels.toArray(String[]::new));
    }
    rawConnection.close();
    raw.shutdown();
  }

  private RedisCacheBackend backend(String namespace, Strategy strategy) {
    RedisCacheBackend b = RedisCache.builder().url(RedisTestSupport.redisUri()).namespace(namespace)
        .strategy(strategy).build();
    opened.add(b);
    return b;
  }

  private void sentinel(String key) {
    redis.set(key, "sentinel");
    sentinels.add(key);
  }

  private static void put(RedisCacheBackend b, String key) {
    long now = System.currentTimeMillis();
    b.put(key, CacheEntry.of("v", now, now + 60_000, now + 120_000, Set.of("t"))).block(TIMEOUT);
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void deletesStayInsideTheNamespace(Strategy strategy) {
    String tricky = base + "*?[\\:";
    RedisCacheBackend ours = backend(tricky, strategy);
    RedisCacheBackend child = backend(tricky + ":sub", strategy);   // looks like a sub-namespace of ours
    RedisCacheBackend parent = backend(base, strategy);             // a prefix of ours
    List<String> keys = List.of("a*", "a?", "a[1]", "a\\", "x:y", "plain");
    for (String key : keys) {
      put(ours, key);
      put(child, key);
      put(parent, key);
    }
    // What an unescaped glob or a raw "namespace:key" layout would have reached.
    sentinel(base + "X:plain");
    sentinel(tricky + ":plain");
    sentinel(base + "*?[\\:plain");
    sentinel(base + ":plain-raw");
    sentinel(base.substring(0, base.length() - 1) + ":plain");

    assertThat(ours.deletePattern(KeyPattern.of(KeyPattern.escape("a*"))).block(TIMEOUT)).isEqualTo(1);
    assertThat(ours.exists("a?").block(TIMEOUT)).isTrue();
    assertThat(ours.deletePattern(KeyPattern.of("a?")).block(TIMEOUT)).isEqualTo(2);   // "a?" and "a\\"
    assertThat(ours.deletePattern(KeyPattern.of("*")).block(TIMEOUT)).isEqualTo(3);
    ours.clear().block(TIMEOUT);
    assertThat(ours.invalidateTag("t").block(TIMEOUT)).isZero();

    for (String key : keys) {
      assertThat(child.get(key, ValueType.of(String.class)).block(TIMEOUT)).as("child %s", key).isNotNull();
      assertThat(parent.get(key, ValueType.of(String.class)).block(TIMEOUT)).as("parent %s", key).isNotNull();
    }
    for (String key : sentinels) {
      assertThat(redis.get(key)).as("sentinel %s", key).isEqualTo("sentinel");
    }
    // The parent's clear and tag invalidation do not reach the child or the tricky namespace either.
    put(ours, "again");
    assertThat(parent.invalidateTag("t").block(TIMEOUT)).isEqualTo(keys.size());
    parent.clear().block(TIMEOUT);
    assertThat(ours.exists("again").block(TIMEOUT)).isTrue();
    assertThat(child.exists("plain").block(TIMEOUT)).isTrue();
  }

  @ParameterizedTest
  @EnumSource(value = Strategy.class, names = "TTL")
  void malformedPatternsAreRefusedBeforeAnyCommand(Strategy strategy) {
    RedisCacheBackend ours = backend(base, strategy);
    put(ours, "k");
    for (String bad : new String[] {"[", "a[bc", "a\\", "", "]", "a\u0000*"}) {
      assertThatThrownBy(() -> ours.deletePattern(KeyPattern.of(bad)))
          .as("pattern %s", bad)
          .isInstanceOf(InvalidCacheKeyException.class);
    }
    assertThat(ours.exists("k").block(TIMEOUT)).isTrue();
  }
}
