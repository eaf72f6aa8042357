package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivecache.testing.MapCacheBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * A backend used alone, without a manager ({@link CacheOperations#of}): the seed's {@code MemoryCache(...)} and
 * {@code RedisCache(...)} used directly, with the same operations and engine guarantees a manager's backend has.
 */
class DirectUseTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private VirtualTimeScheduler clock;
  private MapCacheBackend backend;
  private CacheOperations cache;

  @BeforeEach
  void setUp() {
    clock = VirtualTimeScheduler.create();
    clock.advanceTimeTo(Instant.parse("2026-01-01T00:00:00Z"));
    backend = new MapCacheBackend("direct", clock, Duration.ofMinutes(5));
    cache = CacheOperations.of(backend, clock);
  }

  @AfterEach
  void tearDown() {
    clock.dispose();
  }

  private static <T> void complete(Mono<T> operation) {
    StepVerifier.create(operation).expectComplete().verify(WAIT);
  }

  private static <T> void expect(Mono<T> operation, T value) {
    StepVerifier.create(operation).expectNext(value).expectComplete().verify(WAIT);
  }

  @Test
  void aBackendUsedAloneHasTheSeedsOperationsTyped() {
    complete(cache.put("key1", "value1", Duration.ofSeconds(60)));
    expect(cache.get("key1", String.class), "value1");
    complete(cache.put("key2", Map.of("data", "value")));
    expect(cache.get("key2", new ValueType<Map<String, String>>() {}), Map.of("data", "value"));
    expect(cache.exists("key1"), true);
    complete(cache.get("key1", Integer.class));

    clock.advanceTimeBy(Duration.ofSeconds(60));
    complete(cache.get("key1", String.class));
    clock.advanceTimeBy(Duration.ofMinutes(3));
    expect(cache.get("key2", new ValueType<Map<String, String>>() {}), Map.of("data", "value"));
    clock.advanceTimeBy(Duration.ofMinutes(1));
    complete(cache.get("key2", new ValueType<Map<String, String>>() {}));

    complete(cache.putAll(Map.of("a", 1, "b", 2), Duration.ofMinutes(1)));
    expect(cache.getAll(List.of("a", "b", "c"), Integer.class), Map.of("a", 1, "b", 2));
    expect(cache.delete("a"), true);
    expect(cache.deletePattern("[b]"), 1L);
    CacheStats stats = cache.stats().block(WAIT);
    assertThat(stats.puts()).isEqualTo(4);
    assertThat(stats.invalidPayloads()).isEqualTo(1);
    assertThat(cache.backendName()).isEqualTo("direct");
    assertThat(cache.unwrap(MapCacheBackend.class)).isSameAs(backend);
  }

  @Test
  void viewsOfABackendUsedAloneFollowTheCachedMonoRules() {
    Cache<String> users = cache.cache("users", String.class, CachePolicy.builder().ttl(Duration.ofMinutes(1)).build());
    Sinks.One<String> gate = Sinks.one();
    Mono<String> first = users.get("1", gate.asMono()).cache();
    Mono<String> second = users.get("1", Mono.just("second loader")).cache();
    first.subscribe();
    second.subscribe();
    gate.tryEmitValue("Ada");
    assertThat(first.block(WAIT)).isEqualTo("Ada");
    assertThat(second.block(WAIT)).as("one load for both").isEqualTo("Ada");
    assertThat(cache.stats().block(WAIT).coalescedLoads()).isEqualTo(1);
  }

  @Test
  void aWriteOnABackendUsedAloneReachesTheLoadInFlight() {
    Cache<String> users = cache.cache("users", String.class, CachePolicy.builder().ttl(Duration.ofMinutes(1)).build());
    Sinks.One<String> gate = Sinks.one();
    Mono<String> loading = users.get("1", gate.asMono()).cache();
    loading.subscribe();

    complete(cache.put("users:1", "written"));
    gate.tryEmitValue("loaded before the write");

    assertThat(loading.block(WAIT)).isEqualTo("loaded before the write");
    expect(users.get("1"), "written");
  }

  @Test
  void closingClosesTheBackendAndLaterCallsSaySo() {
    Sinks.One<String> gate = Sinks.one();
    Cache<String> users = cache.cache("users", String.class);
    Mono<String> loading = users.get("1", gate.asMono()).cache();
    loading.subscribe();

    complete(cache.close());
    gate.tryEmitValue("v");

    assertThat(loading.block(WAIT)).as("a load in flight still reaches its caller").isEqualTo("v");
    assertThat(backend.raw("users:1")).isNull();
    StepVerifier.create(backend.exists("k")).expectError(CacheBackendException.class).verify(WAIT);
    StepVerifier.create(cache.get("k", String.class)).expectErrorSatisfies(error -> assertThat(error)
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("were closed")
        .hasMessageContaining("CacheOperations.of")).verify(WAIT);
    StepVerifier.create(cache.close()).expectError(CacheConfigurationException.class).verify(WAIT);
  }

  @Test
  void cachingCanBeSwitchedOffOnABackendUsedAlone() {
    complete(cache.disable());
    complete(cache.put("k", "v"));
    complete(cache.get("k", String.class));
    assertThat(backend.rawSize()).isZero();
    complete(cache.enable());
    complete(cache.put("k", "v"));
    expect(cache.get("k", String.class), "v");
    assertThat(cache.stats().block(WAIT).bypassed()).isEqualTo(1);
  }

  @Test
  void aNullBackendIsRefused() {
    assertThatThrownBy(() -> CacheOperations.of(null)).isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'backend'");
  }

  @Test
  void realTimeIsTheDefaultClock() {
    CacheOperations realTime = CacheOperations.of(new MapCacheBackend("rt", reactor.core.scheduler.Schedulers.parallel(),
        null));
    complete(realTime.put("k", "v", Duration.ofMinutes(1)));
    expect(realTime.get("k", String.class), "v");
    complete(realTime.close());
  }
}
