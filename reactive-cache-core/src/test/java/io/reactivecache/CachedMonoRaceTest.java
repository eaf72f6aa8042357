package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.spi.Invalidation;
import io.reactivecache.testing.MapCacheBackend;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.util.RaceTestUtils;

/**
 * Races between a load finishing and a write or invalidation of its key: whatever the interleaving, the final
 * state must be the write's, never the load's older value. The map backend answers synchronously, so when the
 * load's result is out, its store (and the re-check after it) has run too.
 */
class CachedMonoRaceTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int ROUNDS = 2_000;

  private final MapCacheBackend backend = new MapCacheBackend("map", Schedulers.parallel(), null);
  private final CacheManager manager = CacheManager.builder().backend(backend).build();
  private final Cache<String> cache =
      manager.cache("race", String.class, CachePolicy.builder().ttl(Duration.ofMinutes(1)).build());

  @Test
  void deleteRacingTheEndOfALoadAlwaysLeavesTheKeyEmpty() {
    for (int round = 0; round < ROUNDS; round++) {
      String key = "d" + round;
      Sinks.One<String> gate = Sinks.one();
      Mono<String> result = cache.get(key, gate.asMono()).cache();
      result.subscribe();
      RaceTestUtils.race(() -> gate.tryEmitValue("loaded"), () -> cache.delete(key).block(WAIT));
      assertThat(result.block(WAIT)).isEqualTo("loaded");
      assertThat(backend.raw("race:" + key)).as("round %d", round).isNull();
    }
  }

  @Test
  void putRacingTheEndOfALoadAlwaysKeepsThePut() {
    for (int round = 0; round < ROUNDS; round++) {
      String key = "p" + round;
      Sinks.One<String> gate = Sinks.one();
      Mono<String> result = cache.get(key, gate.asMono()).cache();
      result.subscribe();
      RaceTestUtils.race(() -> gate.tryEmitValue("older"), () -> cache.put(key, "newer").block(WAIT));
      result.block(WAIT);
      assertThat(cache.get(key).block(WAIT)).as("round %d", round).isEqualTo("newer");
    }
  }

  @Test
  void anInvalidationFromOutsideRacingTheEndOfALoadNeverLeavesTheLoadedValueStored() {
    for (int round = 0; round < ROUNDS; round++) {
      String key = "o" + round;
      Sinks.One<String> gate = Sinks.one();
      Mono<String> result = cache.get(key, gate.asMono()).cache();
      result.subscribe();
      RaceTestUtils.race(() -> gate.tryEmitValue("older"),
          () -> backend.invalidateFromOutside(Invalidation.key("race:" + key)));
      assertThat(result.block(WAIT)).isEqualTo("older");
      assertThat(backend.raw("race:" + key)).as("round %d", round).isNull();
    }
    assertThat(flights().isEmpty()).isTrue();
  }

  @Test
  void aCallerCancellingWhileTheLoadEndsNeverFailsTheOtherAndLeavesNothingBehind() {
    for (int round = 0; round < ROUNDS; round++) {
      String key = "c" + round;
      Sinks.One<String> gate = Sinks.one();
      AtomicInteger loads = new AtomicInteger();
      Mono<String> loader = Mono.defer(() -> {
        loads.incrementAndGet();
        return gate.asMono();
      });
      var leaving = cache.get(key, loader).subscribe();
      Mono<String> staying = cache.get(key, loader).cache();
      staying.subscribe();
      RaceTestUtils.race(() -> gate.tryEmitValue("v"), leaving::dispose);
      assertThat(staying.block(WAIT)).isEqualTo("v");
      assertThat(loads).hasValue(1);
    }
    assertThat(flights().isEmpty()).isTrue();
  }

  @Test
  void bulkAndSingleCallersRacingForTheSameKeysShareLoadsAndAgreeOnValues() {
    for (int round = 0; round < ROUNDS / 4; round++) {
      String prefix = "b" + round + "-";
      AtomicInteger loadsOfA = new AtomicInteger();
      Mono<Map<String, String>> bulk = cache.getAll(List.of(prefix + "a", prefix + "b"), keys -> {
        if (keys.contains(prefix + "a")) {
          loadsOfA.incrementAndGet();
        }
        return Mono.fromSupplier(() -> {
          Map<String, String> values = new java.util.HashMap<>();
          keys.forEach(k -> values.put(k, "value of " + k));
          return values;
        }).subscribeOn(Schedulers.parallel());
      }).cache();
      Mono<String> single = cache.get(prefix + "a", Mono.fromSupplier(() -> {
        loadsOfA.incrementAndGet();
        return "value of " + prefix + "a";
      }).subscribeOn(Schedulers.parallel())).cache();
      RaceTestUtils.race(bulk::subscribe, single::subscribe);
      assertThat(bulk.block(WAIT)).containsEntry(prefix + "a", "value of " + prefix + "a")
          .containsEntry(prefix + "b", "value of " + prefix + "b");
      assertThat(single.block(WAIT)).isEqualTo("value of " + prefix + "a");
      assertThat(loadsOfA).as("round %d", round).hasValueBetween(1, 2);
    }
    assertThat(flights().isEmpty()).isTrue();
  }

  @Test
  void aSoakOfRandomCancelsTimeoutsFailuresAndInvalidationsLeavesNothingBehindAndNeverMixesKeys() {
    Cache<String> soak = manager.cache("soak", String.class, CachePolicy.builder().ttl(Duration.ofMillis(20))
        .staleWhileRevalidate(Duration.ofMillis(30)).staleIfError(Duration.ofMillis(30))
        .loadTimeout(Duration.ofMillis(200)).errorTtl(Duration.ofMillis(5)).build());
    java.util.concurrent.atomic.AtomicInteger wrong = new java.util.concurrent.atomic.AtomicInteger();
    java.util.SplittableRandom seeds = new java.util.SplittableRandom(11);
    reactor.core.publisher.Flux.range(0, 20_000)
        .flatMap(i -> {
          java.util.SplittableRandom random = seeds.split();
          String key = "k" + random.nextInt(16);
          int action = random.nextInt(10);
          Mono<String> loader = Mono.defer(() -> switch (random.nextInt(4)) {
            case 0 -> Mono.<String>error(new IllegalStateException("down"));
            case 1 -> Mono.<String>never();
            default -> Mono.just("value of " + key).delayElement(Duration.ofMillis(random.nextInt(3)));
          });
          Mono<?> call = switch (action) {
            case 0 -> soak.delete(key);
            case 1 -> soak.put(key, "value of " + key);
            case 2 -> manager.deletePattern("soak:k1*");
            default -> soak.get(key, loader)
                .doOnNext(value -> {
                  if (!value.equals("value of " + key)) {
                    wrong.incrementAndGet();
                  }
                })
                .timeout(Duration.ofMillis(random.nextInt(1, 50)));
          };
          return call.onErrorResume(error -> Mono.empty());
        }, 64)
        .blockLast(Duration.ofSeconds(60));
    assertThat(wrong).hasValue(0);
    // Every load ends: delivered, cancelled with its last caller, or timed out; every hold runs out with its
    // stale window. Then nothing may be left in the registry.
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!flights().isEmpty() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(flights().isEmpty()).as("no flight left behind").isTrue();
  }

  private FlightRegistry flights() {
    return ((BackendOperations) manager.defaultBackend()).handle().flights();
  }
}
