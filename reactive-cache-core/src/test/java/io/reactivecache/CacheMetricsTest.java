package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reactivecache.metrics.CacheMetrics;
import io.reactivecache.testing.MapCacheBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** {@link CacheMetrics}: the documented meters, and values that follow the stats. */
class CacheMetricsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final List<String> COUNTERS = List.of("cache.puts", "cache.evictions", "cache.stale.served",
      "cache.loads.coalesced", "cache.refreshes", "cache.fallbacks", "cache.invalid.payloads",
      "cache.rejected.writes", "cache.backend.failures");

  private VirtualTimeScheduler clock;
  private MapCacheBackend main;
  private MapCacheBackend other;
  private CacheManager manager;
  private SimpleMeterRegistry registry;

  @BeforeEach
  void setUp() {
    clock = VirtualTimeScheduler.create();
    clock.advanceTimeTo(Instant.parse("2026-01-01T00:00:00Z"));
    main = new MapCacheBackend("main", clock, null);
    other = new MapCacheBackend("other", clock, null);
    manager = CacheManager.builder().clock(clock).backend(main).backend(other).build();
    registry = new SimpleMeterRegistry();
  }

  @AfterEach
  void tearDown() {
    registry.close();
    clock.dispose();
  }

  private double counter(String name, String cache, String... tags) {
    FunctionCounter counter = registry.find(name).tag("cache", cache).tags(tags).functionCounter();
    assertThat(counter).as(name + " " + List.of(tags) + " for " + cache).isNotNull();
    return counter.count();
  }

  private double gauge(String name, String cache) {
    Gauge gauge = registry.find(name).tag("cache", cache).gauge();
    assertThat(gauge).as(name + " for " + cache).isNotNull();
    return gauge.value();
  }

  private void run(Mono<?> operation) {
    StepVerifier.create(operation.then()).expectComplete().verify(TIMEOUT);
  }

  @Test
  void everyDocumentedMeterExistsForEveryBackendWithItsTags() {
    CacheMetrics.monitor(manager, registry, Tag.of("app", "shop"));
    for (String cache : List.of("main", "other")) {
      assertThat(registry.find("cache.gets").tags("cache", cache, "result", "hit", "app", "shop").functionCounter())
          .isNotNull();
      assertThat(registry.find("cache.gets").tags("cache", cache, "result", "miss", "app", "shop")
          .functionCounter()).isNotNull();
      assertThat(registry.find("cache.loads").tags("cache", cache, "result", "success", "app", "shop")
          .functionCounter()).isNotNull();
      assertThat(registry.find("cache.loads").tags("cache", cache, "result", "failure", "app", "shop")
          .functionCounter()).isNotNull();
      for (String name : COUNTERS) {
        assertThat(registry.find(name).tags("cache", cache, "app", "shop").functionCounter()).as(name).isNotNull();
      }
      assertThat(registry.find("cache.size").tags("cache", cache, "app", "shop").gauge()).isNotNull();
      Gauge memory = registry.find("cache.memory.estimate").tags("cache", cache, "app", "shop").gauge();
      assertThat(memory).isNotNull();
      assertThat(memory.getId().getBaseUnit()).isEqualTo("bytes");
      assertThat(registry.find("cache.load.duration").tags("cache", cache, "app", "shop").functionTimer())
          .isNotNull();
    }
    // gets and loads carry no third value of result
    assertThat(registry.find("cache.gets").tag("cache", "main").meters()).hasSize(2);
    assertThat(registry.find("cache.loads").tag("cache", "main").meters()).hasSize(2);
    long perBackend = registry.getMeters().stream().filter(m -> "main".equals(m.getId().getTag("cache"))).count();
    assertThat(perBackend).isEqualTo(2 + 2 + COUNTERS.size() + 2 + 1);
    assertThat(registry.getMeters()).allSatisfy(m -> assertThat(m.getId().getType())
        .isIn(Meter.Type.COUNTER, Meter.Type.GAUGE, Meter.Type.TIMER));
  }

  @Test
  void binderRegistersTheSameMeters() {
    CacheMetrics.binder(manager).bindTo(registry);
    assertThat(registry.find("cache.gets").tags("cache", "other", "result", "hit").functionCounter()).isNotNull();
  }

  @Test
  void metersShowTheStatsAtBindTime() {
    run(manager.put("a", "1"));
    run(manager.get("a", String.class));
    run(manager.get("missing", String.class));
    CacheMetrics.monitor(manager, registry);
    assertThat(counter("cache.gets", "main", "result", "hit")).isEqualTo(1.0);
    assertThat(counter("cache.gets", "main", "result", "miss")).isEqualTo(1.0);
    assertThat(counter("cache.puts", "main")).isEqualTo(1.0);
    assertThat(gauge("cache.size", "main")).isEqualTo(1.0);
    assertThat(gauge("cache.memory.estimate", "main")).isEqualTo(-1.0);
    assertThat(counter("cache.puts", "other")).isZero();
  }

  @Test
  void metersFollowTheStatsAfterTheRefreshInterval() {
    CacheMetrics.monitor(manager, registry);
    assertThat(counter("cache.puts", "main")).isZero();

    run(manager.put("a", "1"));
    run(manager.put("b", "2"));
    run(manager.get("a", String.class));
    run(manager.get("missing", String.class));
    run(manager.get("a", Integer.class));
    Function<Long, Mono<String>> loader = manager.cached(String.class).keyPrefix("f").function(id -> Mono.just("v"));
    run(loader.apply(1L));
    run(loader.apply(1L));
    Function<Long, Mono<String>> failing = manager.cached(String.class).keyPrefix("g")
        .function(id -> Mono.error(new IllegalStateException("boom")));
    StepVerifier.create(failing.apply(1L)).expectError(IllegalStateException.class).verify(TIMEOUT);

    clock.advanceTimeBy(Duration.ofSeconds(1));
    assertThat(counter("cache.puts", "main")).isEqualTo(3.0);
    assertThat(counter("cache.gets", "main", "result", "hit")).isEqualTo(2.0);
    assertThat(counter("cache.gets", "main", "result", "miss")).isEqualTo(4.0);
    assertThat(counter("cache.invalid.payloads", "main")).isEqualTo(1.0);
    assertThat(counter("cache.loads", "main", "result", "success")).isEqualTo(1.0);
    assertThat(counter("cache.loads", "main", "result", "failure")).isEqualTo(1.0);
    assertThat(gauge("cache.size", "main")).isEqualTo(3.0);
    assertThat(counter("cache.puts", "other")).isZero();

    run(manager.delete("b"));
    clock.advanceTimeBy(Duration.ofSeconds(1));
    assertThat(gauge("cache.size", "main")).isEqualTo(2.0);
  }

  @Test
  void fallbacksOfAComposedBackendAreCounted() {
    MapCacheBackend primary = new MapCacheBackend("redis", clock, null);
    CacheManager composed = CacheManager.builder().clock(clock)
        .backend(CacheBackends.withFallback(primary, new MapCacheBackend("memory", clock, null))).build();
    CacheMetrics.monitor(composed, registry);
    primary.failWith(new CacheBackendException("redis", "down"));
    run(composed.put("k", "v"));
    run(composed.get("k", String.class));
    clock.advanceTimeBy(Duration.ofSeconds(1));
    assertThat(counter("cache.fallbacks", "redis")).isEqualTo(2.0);
  }

  @Test
  void aFailingBackendKeepsTheLastValuesInsteadOfFailingTheScrape() {
    run(manager.put("a", "1"));
    CacheMetrics.monitor(manager, registry);
    main.failWith(new CacheBackendException("main", "down"));
    clock.advanceTimeBy(Duration.ofSeconds(1));
    assertThat(counter("cache.puts", "main")).isEqualTo(1.0);
    assertThat(gauge("cache.size", "main")).isEqualTo(1.0);
  }

  @Test
  void loadDurationIsATimerOfLoadsAndTheirTotalTime() {
    CacheMetrics.monitor(manager, registry);
    Cache<String> cache = manager.cache("c", String.class, CachePolicy.builder().ttl(Duration.ofMinutes(1)).build());
    StepVerifier.create(cache.get("k", Mono.just("v").delayElement(Duration.ofSeconds(3), clock)))
        .then(() -> clock.advanceTimeBy(Duration.ofSeconds(3)))
        .expectNext("v").expectComplete().verify(TIMEOUT);
    StepVerifier.create(cache.get("j", Mono.error(new IllegalStateException("down")))).expectError().verify(TIMEOUT);
    clock.advanceTimeBy(Duration.ofSeconds(2)); // past the snapshot's refresh interval
    io.micrometer.core.instrument.FunctionTimer timer = registry.find("cache.load.duration").tag("cache", "main")
        .functionTimer();
    assertThat(timer).isNotNull();
    timer.count(); // the first read starts the refresh; the snapshot is synchronous on this backend
    assertThat(timer.count()).isEqualTo(2);
    assertThat(timer.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(3_000);
  }
}
