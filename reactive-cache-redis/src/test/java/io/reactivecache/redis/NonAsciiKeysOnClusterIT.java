package io.reactivecache.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.Strategy;
import io.reactivecache.ValueType;
import io.reactivecache.redis.support.RedisClusterProcesses;
import io.reactivecache.redis.support.RedisTestSupport;
import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.KeyPattern;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * Keys and tags outside ASCII on a Redis Cluster, where the backend groups keys by hash slot itself (a script's
 * keys must share one). The build also runs this class in a JVM whose default charset is US-ASCII (what Java 17
 * picks under {@code LANG=C}, as in many container images; execution {@code ascii-default-charset}): the slots
 * must be those of the keys' UTF-8 bytes, which Lettuce routes by, whatever the default charset.
 */
class NonAsciiKeysOnClusterIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ValueType<String> STRING = ValueType.of(String.class);
  /**
   * Keys that differ in non-ASCII characters only ("ключ-αа", "ключ-αб" … "ключ-βу"): encoded as US-ASCII they are
   * all "????-??", one slot, while their UTF-8 bytes spread them over many.
   */
  private static final List<String> KEYS = IntStream.range(0, 40)
      .mapToObj(i -> "ключ-" + (char) ('α' + i / 20) + (char) ('а' + i % 20)).toList();
  private RedisCacheBackend backend;

  @BeforeAll
  static void defaultCharsetAsTheExecutionSays() {
    if (Boolean.getBoolean("reactivecache.test.asciiDefaultCharset")) {
      assertThat(Charset.defaultCharset()).as("the JVM's default charset in this execution")
          .isNotEqualTo(StandardCharsets.UTF_8);
    }
  }

  @AfterEach
  void close() {
    if (backend != null) {
      backend.close().block(WAIT);
    }
  }

  private RedisCacheBackend backend(Strategy strategy) {
    backend = RedisCache.builder()
        .clusterNodes(RedisClusterProcesses.shared().seedUrls())
        .namespace(RedisTestSupport.newNamespace() + "-пространство")
        .strategy(strategy)
        .maximumSize(10_000)
        .commandTimeout(Duration.ofSeconds(2))
        .build();
    return backend;
  }

  private static CacheEntry<String> entry(String value, String... tags) {
    long now = System.currentTimeMillis();
    return CacheEntry.of(value, now, now + 600_000, now + 600_000, Set.of(tags));
  }

  @Test
  void aTagInvalidationRemovesEveryNonAsciiKeyAcrossSlots() {
    RedisCacheBackend redis = backend(Strategy.TTL);
    Flux.fromIterable(KEYS).concatMap(key -> redis.put(key, entry(key, "тег", "タグ"))).blockLast(WAIT);

    assertThat(redis.invalidateTag("тег").block(WAIT)).isEqualTo(KEYS.size());
    assertThat(redis.getAll(KEYS, STRING).block(WAIT)).isEmpty();
    assertThat(redis.invalidateTag("タグ").block(WAIT)).as("already removed by the first tag").isZero();
  }

  @Test
  void aPatternDeleteAndClearReachEveryNonAsciiKey() {
    RedisCacheBackend redis = backend(Strategy.TTL);
    Flux.fromIterable(KEYS).concatMap(key -> redis.put(key, entry(key, "тег"))).blockLast(WAIT);
    String longKey = "длинный-".repeat(80);
    redis.put(longKey, entry("long", "тег")).block(WAIT);

    assertThat(redis.deletePattern(KeyPattern.of("ключ-α*")).block(WAIT)).isEqualTo(20);
    assertThat(redis.deletePattern(KeyPattern.of("длинный-*")).block(WAIT)).isEqualTo(1);
    redis.clear().block(WAIT);
    Map<String, CacheEntry<String>> left = redis.getAll(KEYS, STRING).block(WAIT);
    assertThat(left).isEmpty();
  }

  @Test
  void aBoundedNamespaceKeepsItsOrderWithNonAsciiKeys() {
    RedisCacheBackend redis = backend(Strategy.LRU);
    Flux.fromIterable(KEYS).concatMap(key -> redis.put(key, entry(key, "тег"))).blockLast(WAIT);
    assertThat(redis.get(KEYS.get(3), STRING).block(WAIT).value()).isEqualTo(KEYS.get(3));

    assertThat(redis.invalidateTag("тег").block(WAIT)).isEqualTo(KEYS.size());
    assertThat(redis.getAll(KEYS, STRING).block(WAIT)).isEmpty();
  }
}
