package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.ValueType;
import io.reactivecache.redis.RedisCache;
import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.RedisClusterProcesses;
import io.reactivecache.redis.support.RedisServerProcess;
import io.reactivecache.redis.support.RedisTestSupport;
import io.reactivecache.spi.CacheEntry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Tagged puts racing a tag invalidation. A put writes its tag memberships, then its entry; an invalidation takes the
 * processed members out of the tag set and removes their entries (in one script on one node, in two commands on a
 * cluster under {@code TTL}, where the set and the entries live on different masters). A put whose membership
 * lands before the invalidation and whose entry lands after it must keep its membership, or the next invalidation
 * of the tag misses the entry and it is served after it.
 */
class TagRaceIT extends RedisFaultTest {
  private static final ValueType<String> STRING = ValueType.of(String.class);
  private static final int KEYS = 64;
  private static final int ROUNDS = 150;

  @Test
  void anInvalidationAfterTheRaceRemovesEveryTaggedEntryOnOneNode() {
    RedisServerProcess server = startServer();
    RedisCacheBackend backend = built(RedisCache.builder()
        .url(server.uri())
        .namespace(RedisTestSupport.newNamespace())
        .commandTimeout(Duration.ofSeconds(5))
        .clock(Schedulers.parallel()));
    race(backend);
  }

  @Test
  void anInvalidationAfterTheRaceRemovesEveryTaggedEntryOnACluster() {
    RedisClusterProcesses cluster = RedisClusterProcesses.shared();
    RedisCacheBackend backend = built(RedisCache.builder()
        .clusterNodes(cluster.seedUrls())
        .namespace(RedisTestSupport.newNamespace())
        .commandTimeout(Duration.ofSeconds(5))
        .clock(Schedulers.parallel()));
    race(backend);
  }

  private void race(RedisCacheBackend backend) {
    List<String> keys = IntStream.range(0, KEYS).mapToObj(i -> "item:" + i).toList();
    int survivorsSeen = 0;
    java.util.SplittableRandom random = new java.util.SplittableRandom(42);
    java.util.concurrent.atomic.AtomicLong spreadNanos = new java.util.concurrent.atomic.AtomicLong(5_000_000);
    java.util.concurrent.atomic.AtomicLong invalidationNanos = new java.util.concurrent.atomic.AtomicLong();

    for (int round = 0; round < ROUNDS; round++) {
      int version = round;
      // Every key tagged and cached, so that the invalidation processes every one of them, one slot at a time;
      // the racing puts are spread over the invalidation's run, so that some of them span its two steps.
      Flux.fromIterable(keys).flatMap(k -> backend.put(k, tagged(valueOf(k, version))), KEYS)
          .blockLast(Duration.ofSeconds(30));
      Mono<Void> puts = Flux.fromIterable(keys)
          .flatMap(k -> Mono.delay(Duration.ofNanos(random.nextLong(spreadNanos.get())))
              .then(backend.put(k, tagged(valueOf(k, version + ROUNDS)))), KEYS)
          .then();
      long start = System.nanoTime();
      Mono.when(puts, backend.invalidateTag("t").doOnSuccess(n -> invalidationNanos.set(System.nanoTime() - start))
          .then()).block(Duration.ofSeconds(30));
      spreadNanos.set(Math.max(1_000, invalidationNanos.get()));

      backend.invalidateTag("t").block(Duration.ofSeconds(30));
      Map<String, CacheEntry<String>> left = backend.getAll(keys, STRING).block(Duration.ofSeconds(30));
      survivorsSeen += left.size();
    }
    assertThat(survivorsSeen).as("entries still cached after an invalidation of their tag, over %d rounds", ROUNDS)
        .isZero();
  }

  private static CacheEntry<String> tagged(String value) {
    long now = Schedulers.parallel().now(TimeUnit.MILLISECONDS);
    return CacheEntry.of(value, now, now + 60_000, now + 120_000, Set.of("t"));
  }
}
