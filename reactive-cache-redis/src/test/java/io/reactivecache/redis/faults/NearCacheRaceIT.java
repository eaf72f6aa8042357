package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.Cache;
import io.reactivecache.CacheBackends;
import io.reactivecache.CacheManager;
import io.reactivecache.memory.MemoryCacheBackend;
import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.RedisServerProcess;
import io.reactivecache.redis.support.RedisTestSupport;
import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheEntry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * docs/reliability.md row 27 on a real Redis, through {@code CacheBackends.twoLevel(memory, redis)}: a read whose L2 reply
 * arrives after a delete of the same key must not copy the deleted value into L1 (issue 7 item 1: 360-386 of 400
 * rounds served it again before the fix), directly or through {@code cachedMono}; and another process's overwrite is
 * seen once {@code l1Ttl} has passed on the reader's clock.
 */
class NearCacheRaceIT extends RedisFaultTest {
  private static final String ROW = "row 27 near cache";
  private static final int ROUNDS = 400;
  private static final Duration L1_TTL = Duration.ofSeconds(30);

  private MemoryCacheBackend near() {
    MemoryCacheBackend near = MemoryCacheBackend.builder().name("near").maximumSize(10_000)
        .clock(Schedulers.parallel()).build();
    closeLater(() -> near.close().onErrorResume(e -> Mono.empty()).block(Duration.ofSeconds(10)));
    return near;
  }

  private static <T> CompletableFuture<Optional<T>> start(Mono<T> read) {
    return read.map(Optional::of).defaultIfEmpty(Optional.empty()).toFuture();
  }

  @Test
  void readOvertakenByADeleteNeverBringsTheDeletedValueBack() throws Exception {
    RedisServerProcess server = startServer();
    MemoryCacheBackend l1 = near();
    CacheBackend cache = CacheBackends.twoLevel(l1, backend(server.uri()), L1_TTL);
    int resurrected = 0;
    int overtakenReadsThatSawTheValue = 0;
    for (int round = 0; round < ROUNDS; round++) {
      String key = "k" + round;
      call(cache.put(key, entry(valueOf(key, 1))));
      call(l1.delete(key));                                          // the L1 copy is gone
      CompletableFuture<Optional<CacheEntry<String>>> read = start(cache.get(key, STRING));
      call(cache.delete(key));
      if (read.get(CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS).isPresent()) {
        overtakenReadsThatSawTheValue++;
      }
      if (call(cache.get(key, STRING)).value().isPresent()) {
        resurrected++;
      }
    }
    figure(ROW, "delete overtaking a read: rounds / reads that got the value / deleted values served again",
        ROUNDS + " / " + overtakenReadsThatSawTheValue + " / " + resurrected);
    assertThat(resurrected).as("deleted values served again").isZero();
  }

  @Test
  void readOvertakenByADeleteNeverBringsTheDeletedValueBackThroughCachedMono() throws Exception {
    RedisServerProcess server = startServer();
    MemoryCacheBackend l1 = near();
    CacheBackend composed = CacheBackends.twoLevel(l1, backend(server.uri()), L1_TTL);
    CacheManager manager = CacheManager.builder().backend(composed).build();
    closeLater(() -> manager.close().onErrorResume(e -> Mono.empty()).block(Duration.ofSeconds(10)));
    Cache<String> users = manager.cache("users", String.class);
    int served = 0;
    for (int round = 0; round < ROUNDS; round++) {
      String id = Integer.toString(round);
      call(users.put(id, "deleted " + round));
      call(l1.clear());
      CompletableFuture<Optional<String>> read = start(users.get(id));
      call(users.delete(id));
      read.get(CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS);
      String answer = call(users.get(id, Mono.just("loaded " + round))).get();
      if (!answer.equals("loaded " + round)) {
        served++;
      }
    }
    figure(ROW, "delete overtaking a read, then cachedMono: deleted values served instead of loading", served);
    assertThat(served).as("deleted values served by cachedMono").isZero();
  }

  /** Another instance overwrites a key this one holds in L1: the new value is read once l1Ttl has passed. */
  @Test
  void anotherInstancesOverwriteIsSeenOnceL1TtlHasPassed() {
    RedisServerProcess server = startServer();
    String namespace = RedisTestSupport.newNamespace();
    Duration l1Ttl = Duration.ofMillis(500);
    RedisCacheBackend readerRedis = configured(server.uri(), namespace).build();
    RedisCacheBackend writerRedis = configured(server.uri(), namespace).build();
    closeLater(() -> writerRedis.close().onErrorResume(e -> Mono.empty()).block(Duration.ofSeconds(10)));
    CacheBackend reader = CacheBackends.twoLevel(near(), readerRedis, l1Ttl);
    closeLater(() -> reader.close().onErrorResume(e -> Mono.empty()).block(Duration.ofSeconds(10)));
    int stalePastTheBound = 0;
    for (int round = 0; round < 5; round++) {
      String key = "shared" + round;
      call(writerRedis.put(key, entry(valueOf(key, 1))));
      assertThat(call(reader.get(key, STRING)).get().value()).isEqualTo(valueOf(key, 1));
      long copiedNoLaterThan = System.nanoTime();       // the L1 copy was made before the read returned
      call(writerRedis.put(key, entry(valueOf(key, 2))));
      long untilBound = copiedNoLaterThan + l1Ttl.toNanos() - System.nanoTime();
      // The bound is on the wall clock (the reader's Schedulers.parallel()), read in whole milliseconds.
      sleep(Duration.ofNanos(Math.max(0, untilBound)).plusMillis(5));
      if (!call(reader.get(key, STRING)).get().value().equals(valueOf(key, 2))) {
        stalePastTheBound++;
      }
    }
    figure(ROW, "another instance's overwrite: reads of the old value after l1Ttl (500 ms)", stalePastTheBound);
    assertThat(stalePastTheBound).isZero();
  }
}
