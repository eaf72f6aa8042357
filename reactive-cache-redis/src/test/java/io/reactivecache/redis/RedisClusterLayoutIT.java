package io.reactivecache.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.cluster.SlotHash;
import io.reactivecache.Strategy;
import io.reactivecache.ValueType;
import io.reactivecache.redis.support.RedisClusterProcesses;
import io.reactivecache.redis.support.RedisTestSupport;
import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.KeyPattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;

/**
 * Where a namespace's keys land on a real Redis Cluster (three masters, one replica each), and that the operations
 * that reach many keys (pattern delete, clear, tag invalidation) reach them on every master.
 */
class RedisClusterLayoutIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ValueType<String> STRING = ValueType.of(String.class);
  private static RedisClusterProcesses cluster;
  private final List<RedisCacheBackend> opened = new ArrayList<>();

  @BeforeAll
  static void startCluster() {
    cluster = RedisClusterProcesses.shared();
  }

  @AfterEach
  void closeBackends() {
    opened.forEach(b -> b.close().block(WAIT));
  }

  private RedisCacheBackend backend(String namespace, Strategy strategy) {
    RedisCacheBackend backend = RedisCache.builder()
        .clusterNodes(cluster.seedUrls())
        .namespace(namespace)
        .strategy(strategy)
        .maximumSize(10_000)
        .commandTimeout(Duration.ofSeconds(2))
        .build();
    opened.add(backend);
    return backend;
  }

  private static CacheEntry<String> entry(String value, String... tags) {
    long now = System.currentTimeMillis();
    return CacheEntry.of(value, now, now + 600_000, now + 600_000, Set.of(tags));
  }

  private static void putAll(RedisCacheBackend backend, List<String> keys, String... tags) {
    Flux.fromIterable(keys).concatMap(k -> backend.put(k, entry("v-" + k, tags))).then().block(WAIT);
  }

  private static List<String> keys(String prefix, int count) {
    return IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
  }

  /** How many of the glob's keys each master holds, by port. */
  private static Map<Integer, Integer> perMaster(String match) {
    Map<Integer, Integer> counts = new java.util.TreeMap<>();
    for (int master : cluster.masterPorts()) {
      counts.put(master, cluster.keysOn(master, match).size());
    }
    return counts;
  }

  @Test
  void aTtlNamespaceSpreadsOverEveryMaster() {
    String namespace = RedisTestSupport.newNamespace();
    RedisCacheBackend backend = backend(namespace, Strategy.TTL);
    putAll(backend, keys("k", 90));

    Map<Integer, Integer> counts = perMaster(KeyPattern.escape(namespace) + ":*");
    assertThat(counts).hasSize(RedisClusterProcesses.MASTERS);
    assertThat(counts.values()).as("entries per master").allSatisfy(n -> assertThat(n).isPositive());
    assertThat(counts.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(90);
    for (String key : List.of("k0", "k1", "k2")) {
      assertThat(cluster.keysOn(cluster.masterPortForKey(namespace + ":" + key), namespace + ":" + key))
          .as("the entry of %s is on the master of its slot", key).hasSize(1);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Strategy.class, names = {"LRU", "LFU"})
  void aBoundedNamespaceLivesInOneSlot(Strategy strategy) {
    String namespace = RedisTestSupport.newNamespace();
    RedisCacheBackend backend = backend(namespace, strategy);
    putAll(backend, keys("k", 30), "t");

    int master = cluster.masterPortForKey("{" + namespace + "}");
    List<String> all = cluster.keysOn(master, "{" + KeyPattern.escape(namespace) + "}*");
    assertThat(all).as("entries, order, sequence and tag set on the namespace's master")
        .contains("{" + namespace + "}#" + strategy.id(), "{" + namespace + "}#seq",
            "{" + namespace + "}#tag:t")
        .hasSize(30 + 3);
    assertThat(all).allSatisfy(k -> assertThat(SlotHash.getSlot(k)).isEqualTo(SlotHash.getSlot(namespace)));
    assertThat(backend.invalidateTag("t").block(WAIT)).isEqualTo(30);
  }

  @ParameterizedTest
  @EnumSource(value = Strategy.class, names = {"TTL", "LRU"})
  void patternDeleteAndClearReachEveryMaster(Strategy strategy) {
    String namespace = RedisTestSupport.newNamespace();
    RedisCacheBackend backend = backend(namespace, strategy);
    RedisCacheBackend neighbour = backend(RedisTestSupport.newNamespace(), strategy);
    List<String> users = keys("user:", 60);
    List<String> orders = keys("order:", 60);
    putAll(backend, users, "u");
    putAll(backend, orders);
    putAll(neighbour, users);

    assertThat(backend.deletePattern(KeyPattern.of("user:*")).block(WAIT)).isEqualTo(60);
    assertThat(backend.getAll(users, STRING).block(WAIT)).isEmpty();
    assertThat(backend.getAll(orders, STRING).block(WAIT)).hasSize(60);

    backend.clear().block(WAIT);
    assertThat(backend.getAll(orders, STRING).block(WAIT)).isEmpty();
    String base = strategy == Strategy.TTL ? namespace : "{" + namespace + "}";
    assertThat(perMaster(KeyPattern.escape(base) + ":*").values()).as("entries left on any master")
        .allSatisfy(n -> assertThat(n).isZero());
    assertThat(neighbour.getAll(users, STRING).block(WAIT)).as("another namespace's entries").hasSize(60);
  }

  @Test
  void tagInvalidationReachesMembersInEverySlotAndKeepsWhatNoLongerCarriesTheTag() {
    String namespace = RedisTestSupport.newNamespace();
    RedisCacheBackend backend = backend(namespace, Strategy.TTL);
    List<String> tagged = keys("tagged", 120);
    List<String> other = keys("other", 30);
    putAll(backend, tagged, "group", "all");
    putAll(backend, other, "all");
    // Written again without the tag: its membership is stale and the entry must survive the invalidation.
    backend.put("tagged0", entry("untagged now")).block(WAIT);

    Set<Integer> masters = new HashSet<>();
    tagged.forEach(k -> masters.add(cluster.masterPortForKey(namespace + ":" + k)));
    assertThat(masters).as("the tagged entries' masters").hasSize(RedisClusterProcesses.MASTERS);

    assertThat(backend.invalidateTag("group").block(WAIT)).isEqualTo(119);
    Map<String, CacheEntry<String>> left = backend.getAll(tagged, STRING).block(WAIT);
    assertThat(left).containsOnlyKeys("tagged0");
    assertThat(backend.getAll(other, STRING).block(WAIT)).hasSize(30);
    int tagSetMaster = cluster.masterPortForKey(namespace + "#tag:group");
    assertThat(cluster.keysOn(tagSetMaster, KeyPattern.escape(namespace) + "#tag:group"))
        .as("the invalidated tag's set, emptied member by member").isEmpty();

    assertThat(backend.invalidateTag("all").block(WAIT)).isEqualTo(30);
    assertThat(backend.exists("tagged0").block(WAIT)).isTrue();
  }

  @ParameterizedTest
  @EnumSource(value = Strategy.class, names = {"TTL", "LRU"})
  void keysAndNamespacesWithBracesStayApartAndCannotChooseASlot(Strategy strategy) {
    String namespace = "{brace}" + RedisTestSupport.newNamespace();
    RedisCacheBackend backend = backend(namespace, strategy);
    RedisCacheBackend plain = backend("brace", strategy);
    List<String> crafted = List.of("{a}", "x{a}y", "{}", "}{", "{", "}", "{a}{b}", "{brace}", "a{" + namespace + "}b",
        "user:{42}:profile", "user:{43}:profile");
    Flux.fromIterable(crafted).concatMap(k -> backend.put(k, entry("v-" + k, "t"))).then().block(WAIT);

    Map<String, CacheEntry<String>> read = backend.getAll(crafted, STRING).block(WAIT);
    assertThat(read).hasSize(crafted.size());
    crafted.forEach(k -> assertThat(read.get(k).value()).isEqualTo("v-" + k));
    assertThat(plain.getAll(crafted, STRING).block(WAIT)).as("namespace 'brace' sees nothing").isEmpty();

    if (strategy == Strategy.LRU) {
      int slot = SlotHash.getSlot("{" + RedisKeyLayout.encodeNamespace(namespace) + "}");
      int master = cluster.masterPortForKey("{" + RedisKeyLayout.encodeNamespace(namespace) + "}");
      assertThat(cluster.keysOn(master, "{" + KeyPattern.escape(RedisKeyLayout.encodeNamespace(namespace)) + "}:*"))
          .hasSize(crafted.size())
          .allSatisfy(k -> assertThat(SlotHash.getSlot(k)).isEqualTo(slot));
    }
    assertThat(backend.deletePattern(KeyPattern.of("user:{*}:profile")).block(WAIT)).isEqualTo(2);
    assertThat(backend.deletePattern(KeyPattern.of("*{a}*")).block(WAIT)).isEqualTo(3);
    assertThat(backend.invalidateTag("t").block(WAIT)).isEqualTo(crafted.size() - 5);
    backend.clear().block(WAIT);
    assertThat(backend.getAll(crafted, STRING).block(WAIT)).isEmpty();
  }
}
