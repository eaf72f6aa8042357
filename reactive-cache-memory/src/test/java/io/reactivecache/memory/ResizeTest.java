package io.reactivecache.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheBackendException;
import io.reactivecache.CacheConfigurationException;
import io.reactivecache.CacheStats;
import io.reactivecache.Strategy;
import io.reactivecache.ValueType;
import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.CacheEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.util.RaceTestUtils;

/** {@link MemoryCacheBackend#resize(long)}: a bound changed at run time, also while other calls are in flight. */
class ResizeTest extends MemoryTestSupport {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void shrinkingEvictsDownToTheNewBoundCountedAndPublished(Strategy strategy) {
    MemoryCacheBackend backend = sized(strategy, 100);
    for (int i = 0; i < 100; i++) {
      put(backend, "k" + i);
    }
    for (int i = 0; i < 100; i += 10) {
      get(backend, "k" + i); // the most recent (lru) and most frequent (lfu): k0, k10, ..., k90
    }
    List<CacheEvent> events = new ArrayList<>();
    Disposable subscription = backend.events().subscribe(events::add);

    StepVerifier.create(backend.resize(10)).expectComplete().verify(TIMEOUT);

    CacheStats stats = backend.stats().block();
    assertThat(stats.size()).isEqualTo(10);
    assertThat(stats.evictions()).isEqualTo(90);
    assertThat(events).hasSize(90).allSatisfy(e -> {
      assertThat(e.type()).isEqualTo(CacheEvent.Type.EVICTED);
      assertThat(e.cause()).isEqualTo(CacheEvent.Cause.SIZE);
    });
    assertThat(backend.maximumSize()).hasValue(10);
    assertThat(track(backend.toBuilder().build()).maximumSize()).hasValue(10);
    if (strategy != Strategy.TTL) {
      for (int i = 0; i < 100; i += 10) {
        assertThat(backend.exists("k" + i).block()).as("k%d", i).isTrue();
      }
    }
    assertThat(backend.tagIndexMatchesStore()).isTrue();
    subscription.dispose();
  }

  @ParameterizedTest
  @EnumSource(value = Strategy.class, names = {"LRU", "LFU"})
  void shrinkingEvictsExpiredEntriesFirst(Strategy strategy) {
    MemoryCacheBackend backend = sized(strategy, 10);
    for (int i = 0; i < 5; i++) {
      put(backend, "long" + i);
    }
    long now = now();
    for (int i = 0; i < 5; i++) {
      backend.put("short" + i, CacheEntry.of("v", now, now + 1_000, now + 1_000, Set.of())).block();
      get(backend, "short" + i); // the most recent and the most frequent: the policy alone would keep these
    }
    clock.advanceTimeBy(Duration.ofSeconds(1)); // expired; no sweep has run yet (cleanup every second, from now)
    backend.resize(5).block();
    for (int i = 0; i < 5; i++) {
      assertThat(backend.exists("long" + i).block()).as("long%d", i).isTrue();
    }
    assertThat(backend.stats().block().size()).isEqualTo(5);
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void growingTakesEffectAtOnce(Strategy strategy) {
    MemoryCacheBackend backend = sized(strategy, 10);
    backend.resize(1_000).block();
    for (int i = 0; i < 500; i++) {
      put(backend, "k" + i);
    }
    backend.cleanUpNow();
    CacheStats stats = backend.stats().block();
    assertThat(stats.size()).isEqualTo(500);
    assertThat(stats.evictions()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void aWeightBoundIsResizedInWeight(Strategy strategy) {
    MemoryCacheBackend backend =
        build(MemoryCacheBackend.builder().strategy(strategy).maximumWeight(1_000).weigher((key, value) -> 10));
    for (int i = 0; i < 100; i++) {
      put(backend, "k" + i);
    }
    backend.resize(95).block();
    assertThat(backend.weightHeld()).isLessThanOrEqualTo(95);
    assertThat(backend.stats().block().size()).isEqualTo(9);
    assertThat(backend.maximumWeight()).hasValue(95);
    assertThat(backend.maximumSize()).isEmpty();
    put(backend, "another"); // 10 more: one older entry goes
    StepVerifier.create(backend.resize(5)).expectComplete().verify(TIMEOUT);
    assertThat(backend.weightHeld()).isZero();
    put(backend, "now too heavy");
    assertThat(backend.stats().block().rejectedWrites()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void absurdBoundsFailNamingTheOptionOrWork(Strategy strategy) {
    MemoryCacheBackend sized = sized(strategy, 10);
    for (long bad : new long[] {0, -1, Long.MIN_VALUE}) {
      StepVerifier.create(sized.resize(bad))
          .expectErrorSatisfies(e -> assertThat(e).isExactlyInstanceOf(CacheConfigurationException.class)
              .hasMessageContaining("'maximumSize'").hasMessageContaining(Long.toString(bad)))
          .verify(TIMEOUT);
    }
    MemoryCacheBackend weighted =
        build(MemoryCacheBackend.builder().strategy(strategy).maximumWeight(10).weigher((key, value) -> 1));
    StepVerifier.create(weighted.resize(0))
        .expectErrorSatisfies(e -> assertThat(e).isExactlyInstanceOf(CacheConfigurationException.class)
            .hasMessageContaining("'maximumWeight'").hasMessageContaining("0"))
        .verify(TIMEOUT);
    StepVerifier.create(sized.resize(Long.MAX_VALUE)).expectComplete().verify(TIMEOUT);
    put(sized, "k");
    assertThat(sized.maximumSize()).hasValue(Long.MAX_VALUE);
    assertThat(sized.resize(1).then(sized.stats()).block().size()).isEqualTo(1);

    sized.close().block();
    StepVerifier.create(sized.resize(5))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(CacheBackendException.class)
            .hasMessageContaining("closed"))
        .verify(TIMEOUT);
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void resizingFromANonBlockingThreadDoesNotBlockIt(Strategy strategy) {
    MemoryCacheBackend backend = sized(strategy, 1_000);
    for (int i = 0; i < 1_000; i++) {
      put(backend, "k" + i);
    }
    // BlockHound is installed: a wait for Caffeine's eviction lock on a parallel thread would fail this.
    StepVerifier.create(Mono.defer(() -> backend.resize(3)).subscribeOn(Schedulers.parallel()))
        .expectComplete().verify(TIMEOUT);
    assertThat(backend.stats().block().size()).isEqualTo(3);
  }

  /**
   * Writers, readers and deleters on Reactor's parallel threads, while racing threads resize the backend up and
   * down and a subscriber listens to the events. Afterwards nothing has failed, the last bound holds, and every
   * eviction is counted. The clock is a real scheduler (entries never expire here): events are delivered on it, from
   * many threads at once, which a virtual-time scheduler is not made for.
   */
  @ParameterizedTest
  @EnumSource(Strategy.class)
  void resizingUnderConcurrentCallersKeepsTheBoundAndNeverThrows(Strategy strategy) {
    MemoryCacheBackend backend = track(MemoryCacheBackend.builder().strategy(strategy).maximumSize(200)
        .clock(Schedulers.parallel()).build());
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    AtomicLong events = new AtomicLong();
    Disposable listening = backend.events().subscribe(e -> events.incrementAndGet(), errors::add);
    AtomicInteger wrong = new AtomicInteger();
    CompletableFuture<Void> load = Flux.range(0, 40_000)
        .parallel(4)
        .runOn(Schedulers.parallel())
        .flatMap(i -> operation(backend, i, wrong).onErrorResume(e -> {
          errors.add(e);
          return Mono.empty();
        }))
        .sequential()
        .then()
        .toFuture();
    int rounds;
    ExecutorService pool = Executors.newFixedThreadPool(3);
    Scheduler racers = Schedulers.fromExecutorService(pool, "resizer");
    try {
      // Resizes race each other for as long as the load runs, so that they overlap it whatever the machine's speed.
      int round = 0;
      for (; round < 20 || !load.isDone(); round++) {
        long a = 1 + (round * 37L) % 300;
        long b = 1 + (round * 91L) % 50;
        RaceTestUtils.race(60, racers,
            () -> resize(backend, a, errors),
            () -> resize(backend, b, errors),
            () -> backend.put("racer" + (a % 17), entry("racer" + (a % 17))).subscribe(v -> {}, errors::add));
      }
      load.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
      resize(backend, 20, errors);
      rounds = round;
    } finally {
      racers.dispose();
      pool.shutdownNow();
    }
    backend.cleanUpNow();
    CacheStats stats = backend.stats().block();
    listening.dispose();
    assertThat(errors).isEmpty();
    assertThat(wrong).hasValue(0);
    assertThat(stats.size()).isLessThanOrEqualTo(20);
    assertThat(backend.weightHeld()).isLessThanOrEqualTo(20);
    assertThat(stats.puts()).as("every write of the load and of the racers").isEqualTo(20_000 + rounds);
    assertThat(stats.evictions()).isPositive();
    assertThat(events.get()).isPositive().isLessThanOrEqualTo(stats.evictions());
    assertThat(backend.tagIndexMatchesStore()).isTrue();
  }

  private static void resize(MemoryCacheBackend backend, long maximum, ConcurrentLinkedQueue<Throwable> errors) {
    try {
      backend.resize(maximum).block(TIMEOUT);
    } catch (RuntimeException e) {
      errors.add(e);
    }
  }

  private Mono<?> operation(MemoryCacheBackend backend, int i, AtomicInteger wrong) {
    String key = "key" + (i * 7 % 500);
    switch (i % 4) {
      case 0:
      case 1:
        return backend.put(key, entry(key));
      case 2:
        return backend.delete(key);
      default:
        return backend.get(key, ValueType.of(String.class)).doOnNext(e -> {
          if (!e.value().equals(key)) {
            wrong.incrementAndGet();
          }
        });
    }
  }

  private MemoryCacheBackend sized(Strategy strategy, long maximumSize) {
    return build(MemoryCacheBackend.builder().strategy(strategy).maximumSize(maximumSize));
  }

  private CacheEntry<String> entry(String value) {
    return CacheEntry.of(value, now(), CacheEntry.NEVER, CacheEntry.NEVER, Set.of("t"));
  }

  private void put(MemoryCacheBackend backend, String key) {
    backend.put(key, entry(key)).block();
  }

  private static void get(MemoryCacheBackend backend, String key) {
    hit(backend, key, String.class);
  }
}
