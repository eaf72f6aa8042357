package io.reactivecache.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.Cache;
import io.reactivecache.CacheManager;
import io.reactivecache.Strategy;
import io.reactivecache.ValueType;
import io.reactivecache.memory.MemoryCacheBackend;
import io.reactivecache.redis.support.OpenedBackends;
import io.reactivecache.redis.support.RedisTestSupport;
import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.KeyPattern;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * Row 28 of docs/reliability.md: crafted and odd keys. Pattern deletes on Redis remove exactly the keys
 * {@link KeyPattern#matches} says, as the memory backend does (the oracle here): non-ASCII keys against {@code ?}
 * and sets (Redis matches bytes), {@code [a-]}, keys far over 256 characters (stored shortened, matched whole), a
 * view with a long name. A key shaped like another key's shortened stored name never reads or overwrites that
 * key's entry.
 */
class CraftedAndOddKeysIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final ValueType<String> STRING = ValueType.of(String.class);
  private static final String LONG_NAME = "view-" + "n".repeat(300);
  private static final List<String> KEYS = keys();

  @RegisterExtension
  final OpenedBackends opened = new OpenedBackends();

  private static List<String> keys() {
    List<String> keys = new ArrayList<>(List.of(
        "user:é", "user:e", "user:ab", "user:\uD83D\uDE00", "user:?", "tag:é1", "tag:a1", "tag:b1", "tag:-1",
        "ax", "-x", "bx", "]x", "x", "éx", "[a-]x", "a*b", "a\\b", "naïve:1", "日本:1", "日本:22"));
    keys.add("long:" + "x".repeat(600) + "1");
    keys.add("long:" + "x".repeat(600) + "2");
    keys.add("long:" + "é".repeat(400) + "1");
    keys.add("long:" + "\uD83D\uDE00".repeat(150) + "é");
    keys.add("x".repeat(99) + "\uD83D\uDE00" + "y".repeat(600));
    keys.add(LONG_NAME + ":k1");
    keys.add(LONG_NAME + ":" + "y".repeat(400));
    keys.add(LONG_NAME + "2:" + "y".repeat(400));
    return List.copyOf(keys);
  }

  private static final List<String> PATTERNS = List.of(
      "user:?", "tag:[éa]1", "tag:[^a]1", "[a-]x", "?x", "[^a]x", "*é*", "user:*", "long:*", "long:x*2",
      "long:*é", "*1", "*", "日本:?", KeyPattern.escape(LONG_NAME) + ":*", KeyPattern.escape(LONG_NAME) + "*",
      "x*y", "*\\?", "[é]x", "a\\*b");

  private CacheBackend redis(Strategy strategy) {
    return opened.add(RedisCache.builder()
        .url(RedisTestSupport.redisUri())
        .namespace(RedisTestSupport.newNamespace())
        .strategy(strategy)
        .maximumSize(10_000)
        .build());
  }

  private static CacheEntry<String> entry(String value) {
    long now = Schedulers.parallel().now(TimeUnit.MILLISECONDS);
    return CacheEntry.of(value, now, now + 60_000, now + 120_000, Set.of());
  }

  private static void fill(CacheBackend backend) {
    Flux.fromIterable(KEYS).concatMap(k -> backend.put(k, entry("v:" + k))).then().block(TIMEOUT);
  }

  private static Set<String> present(CacheBackend backend) {
    Set<String> found = new TreeSet<>();
    for (String key : KEYS) {
      CacheEntry<String> read = backend.get(key, STRING).block(TIMEOUT);
      if (read != null) {
        assertThat(read.value()).as("value of %s", key).isEqualTo("v:" + key);
        found.add(key);
      }
    }
    return found;
  }

  @ParameterizedTest
  @EnumSource(value = Strategy.class, names = {"TTL", "LRU"})
  void patternDeletesRemoveExactlyWhatTheMemoryBackendRemoves(Strategy strategy) {
    List<String> differences = new ArrayList<>();
    for (String glob : PATTERNS) {
      KeyPattern pattern = KeyPattern.of(glob);
      CacheBackend redis = redis(strategy);
      CacheBackend memory = MemoryCacheBackend.builder().name("oracle").maximumSize(10_000).build();
      fill(redis);
      fill(memory);
      assertThat(present(redis)).as("every key stored and read back whole").hasSize(KEYS.size());
      long removedByRedis = redis.deletePattern(pattern).block(TIMEOUT);
      long removedByMemory = memory.deletePattern(pattern).block(TIMEOUT);
      Set<String> leftInRedis = present(redis);
      Set<String> leftInMemory = present(memory);
      if (removedByRedis != removedByMemory || !leftInRedis.equals(leftInMemory)) {
        Set<String> missed = new TreeSet<>(leftInRedis);
        missed.removeAll(leftInMemory);
        Set<String> extra = new TreeSet<>(leftInMemory);
        extra.removeAll(leftInRedis);
        differences.add(glob + ": Redis removed " + removedByRedis + ", memory " + removedByMemory
            + "; kept by Redis only " + shorten(missed) + "; removed by Redis only " + shorten(extra));
      }
      memory.close().block(TIMEOUT);
    }
    assertThat(differences).as("patterns where Redis and memory deleted different keys").isEmpty();
  }

  private static List<String> shorten(Set<String> keys) {
    return keys.stream().map(k -> k.length() > 40 ? k.substring(0, 40) + "…(" + k.length() + ")" : k).toList();
  }

  @Test
  void aKeyShapedLikeAnotherKeysStoredNameNeverReachesItsEntry() throws Exception {
    CacheBackend redis = redis(Strategy.TTL);
    String longKey = "report:" + "r".repeat(700);
    redis.put(longKey, entry("the long key's value")).block(TIMEOUT);

    byte[] units = new byte[longKey.length() * 2];
    for (int i = 0; i < longKey.length(); i++) {
      units[2 * i] = (byte) (longKey.charAt(i) >> 8);
      units[2 * i + 1] = (byte) longKey.charAt(i);
    }
    String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(units));
    String utf8Digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(longKey.getBytes(StandardCharsets.UTF_8)));
    List<String> crafted = List.of(
        // The stored name's shape, with the marker (only reachable through the SPI: the cache refuses it).
        longKey.substring(0, 100) + "\u0001" + digest,
        // The shape core used to give long keys, a legal short key.
        longKey.substring(0, 120) + "#sha256:" + utf8Digest,
        longKey.substring(0, 100) + "#" + digest);
    for (String key : crafted) {
      assertThat(redis.get(key, STRING).block(TIMEOUT)).as("read through %s", key.replace('\u0001', '^')).isNull();
      redis.put(key, entry("crafted")).block(TIMEOUT);
      assertThat(redis.get(key, STRING).block(TIMEOUT).value()).isEqualTo("crafted");
    }
    assertThat(redis.get(longKey, STRING).block(TIMEOUT).value()).isEqualTo("the long key's value");
    // The long key and every crafted one start with "report:": each is its own entry.
    assertThat(redis.deletePattern(KeyPattern.prefix("report:")).block(TIMEOUT)).isEqualTo(crafted.size() + 1L);
    assertThat(redis.get(longKey, STRING).block(TIMEOUT)).isNull();
  }

  @Test
  void clearingAViewWithALongNameClearsItsLongKeysAndNothingElse() {
    CacheBackend redis = redis(Strategy.TTL);
    CacheManager manager = CacheManager.builder().backend(redis).build();
    Cache<String> view = manager.cache(LONG_NAME, String.class);
    Cache<String> sibling = manager.cache(LONG_NAME + "2", String.class);
    List<String> keys = List.of("1", "k".repeat(300), "é".repeat(500), "z".repeat(2_000));
    for (String key : keys) {
      view.put(key, "in view").block(TIMEOUT);
      sibling.put(key, "in sibling").block(TIMEOUT);
    }
    view.clear().block(TIMEOUT);
    for (String key : keys) {
      assertThat(view.get(key).block(TIMEOUT)).as("view key of %d chars", key.length()).isNull();
      assertThat(sibling.get(key).block(TIMEOUT)).as("sibling key of %d chars", key.length()).isEqualTo("in sibling");
    }
    manager.close().block(TIMEOUT);
  }
}
