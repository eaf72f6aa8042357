package io.reactivecache.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.reactivecache.CacheStats;
import io.reactivecache.Strategy;
import io.reactivecache.ValueType;
import io.reactivecache.redis.support.RedisTestSupport;
import io.reactivecache.spi.CacheEntry;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A namespace written by a release before Cluster support (key layout 1: {@code ns:KEY}, {@code ns#lru},
 * {@code ns#seq}, {@code ns#tag:TAG}, no hash tag) meets the current code: a {@code ttl} namespace is read as
 * before; a bounded namespace's old entries are clean misses (counted, never an error) and a clear removes them.
 * The old keys are written with raw Lettuce under layout 1's names.
 */
class RedisLayoutUpgradeIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final ValueType<String> STRING = ValueType.of(String.class);
  private static RedisClient raw;
  private static StatefulRedisConnection<String, byte[]> connection;

  @BeforeAll
  static void connect() {
    raw = RedisClient.create(RedisTestSupport.redisUri());
    connection = raw.connect(RedisConnector.CODEC);
  }

  @AfterAll
  static void disconnect() {
    if (connection != null) {
      connection.close();
    }
    if (raw != null) {
      raw.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  private static RedisCacheBackend backend(String namespace, Strategy strategy) {
    return RedisCache.builder().url(RedisTestSupport.redisUri()).namespace(namespace).strategy(strategy)
        .maximumSize(100).build();
  }

  /** The envelope layout 1 stored for a key of a namespace: its recorded key is {@code ns:KEY}. */
  private static byte[] layoutOneEnvelope(String namespace, String key, String value) {
    long now = System.currentTimeMillis();
    CacheEntry<String> entry = CacheEntry.of(value, now, now + 600_000, now + 600_000, Set.of("t"));
    EnvelopeCodec codec = new EnvelopeCodec(null, 500, 1 << 20);
    return codec.encode(RedisKeyLayout.legacyEncodeNamespace(namespace) + ":" + key, entry);
  }

  /** Writes an entry, its order, sequence and tag set as layout 1 named them. */
  private static void writeLayoutOne(String namespace, String strategyId, String key, String value) {
    RedisCommands<String, byte[]> c = connection.sync();
    String ns = RedisKeyLayout.legacyEncodeNamespace(namespace);
    c.set(ns + ":" + key, layoutOneEnvelope(namespace, key, value));
    c.sadd(ns + "#tag:t", (ns + ":" + key).getBytes());
    if (!strategyId.equals("ttl")) {
      c.zadd(ns + "#" + strategyId, 1, (ns + ":" + key).getBytes());
      c.set(ns + "#seq", "1".getBytes());
    }
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void layoutOneIsReadOrCleanlyMissedAndClearRemovesIt(Strategy strategy) {
    String namespace = RedisTestSupport.newNamespace();
    writeLayoutOne(namespace, strategy.id(), "old", "from layout 1");
    RedisCacheBackend backend = backend(namespace, strategy);
    try {
      CacheEntry<String> read = backend.get("old", STRING).block(WAIT);
      CacheStats stats = backend.stats().block(WAIT);
      if (strategy == Strategy.TTL) {
        assertThat(read).as("a ttl namespace keeps its names").isNotNull();
        assertThat(read.value()).isEqualTo("from layout 1");
        assertThat(backend.invalidateTag("t").block(WAIT)).as("its layout-1 tag set still works").isEqualTo(1);
      } else {
        assertThat(read).as("a bounded namespace's layout-1 entry is not read").isNull();
        assertThat(stats.misses()).isEqualTo(1);
        assertThat(stats.invalidPayloads()).isZero();
        backend.put("new", CacheEntry.of("v", System.currentTimeMillis(), CacheEntry.NEVER, CacheEntry.NEVER,
            Set.of())).block(WAIT);
        backend.clear().block(WAIT);
        String ns = RedisKeyLayout.legacyEncodeNamespace(namespace);
        assertThat(connection.sync().exists(ns + ":old", ns + "#" + strategy.id(), ns + "#seq", ns + "#tag:t"))
            .as("layout-1 keys left after clear").isZero();
        assertThat(backend.get("new", STRING).block(WAIT)).isNull();
      }
    } finally {
      backend.clear().block(WAIT);
      backend.close().block(WAIT);
    }
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void aNamespaceWithBracesHasNewNamesAndClearRemovesItsLayoutOneKeys(Strategy strategy) {
    String namespace = "{x}" + RedisTestSupport.newNamespace();
    writeLayoutOne(namespace, strategy.id(), "old", "from layout 1");
    RedisCacheBackend backend = backend(namespace, strategy);
    try {
      assertThat(backend.get("old", STRING).block(WAIT)).isNull();
      assertThat(backend.stats().block(WAIT).misses()).isEqualTo(1);
      backend.clear().block(WAIT);
      String ns = RedisKeyLayout.legacyEncodeNamespace(namespace);
      assertThat(connection.sync().exists(ns + ":old", ns + "#" + strategy.id(), ns + "#seq", ns + "#tag:t"))
          .isZero();
    } finally {
      backend.close().block(WAIT);
    }
  }
}
