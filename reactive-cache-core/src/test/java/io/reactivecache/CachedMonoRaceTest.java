package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.testing.MapCacheBackend;
import java.time.Duration;
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
}
