package io.reactivecache.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheStats;
import io.reactivecache.Strategy;
import io.reactivecache.ValueType;
import io.reactivecache.spi.CacheEntry;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.scheduler.VirtualTimeScheduler;
import reactor.test.util.RaceTestUtils;

/**
 * Many threads on few keys, on Reactor's parallel (non-blocking) threads, so BlockHound also checks that nothing
 * parks. Values carry their key, so a value served for another key is detected.
 */
class ConcurrencyTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final int KEYS = 24;
  private static final int MAXIMUM_SIZE = 8;
  private static final ValueType<String> STRING = ValueType.of(String.class);

  private final VirtualTimeScheduler clock = VirtualTimeScheduler.create();
  private MemoryCacheBackend backend;

  @AfterEach
  void close() {
    backend.close().block();
    clock.dispose();
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void mixedOperationsNeverServeAnotherKeysValueAndKeepTheBound(Strategy strategy) {
    backend = MemoryCacheBackend.builder().strategy(strategy).maximumSize(MAXIMUM_SIZE).clock(clock).build();
    AtomicInteger wrong = new AtomicInteger();
    AtomicInteger oversize = new AtomicInteger();
    Flux.range(0, 40_000)
        .parallel(4)
        .runOn(Schedulers.parallel())
        .flatMap(i -> operation(i, wrong, oversize, strategy))
        .sequential()
        .then()
        .block(TIMEOUT);

    backend.cleanUpNow();
    CacheStats stats = backend.stats().block();
    assertThat(wrong).hasValue(0);
    assertThat(oversize).as("size seen above the bound by a reader").hasValue(0);
    assertThat(stats.size()).isLessThanOrEqualTo(MAXIMUM_SIZE);
    assertThat(stats.hits()).isPositive();
    assertThat(stats.evictions()).isPositive();
    assertThat(backend.tagIndexMatchesStore()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void racingWritesDeletesAndInvalidationsLeaveTheTagIndexExact(Strategy strategy) {
    backend = MemoryCacheBackend.builder().strategy(strategy).maximumSize(4).clock(clock).build();
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    // race() starts all tasks at once, so it needs a thread per task. It spins with Thread.yield while lining them
    // up, which BlockHound rejects on non-blocking threads: the racers are plain threads (the test above covers
    // BlockHound on Reactor's parallel threads).
    // A fixed pool with one shared queue: bounded-elastic pins a task to a worker's own queue, and a round's task
    // queued behind a worker still finishing the previous round leaves the other racers spinning until the timeout.
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(5);
    Scheduler racers = Schedulers.fromExecutorService(pool, "racer");
    try {
      raceRounds(errors, racers);
    } finally {
      racers.dispose();
      pool.shutdownNow();
    }
    assertThat(errors).isEmpty();
    backend.cleanUpNow();
    assertThat(backend.tagIndexMatchesStore()).isTrue();
    long live = backend.stats().block().size();
    assertThat(backend.invalidateTag("b").block()).isEqualTo(live);
    assertThat(backend.stats().block().size()).isZero();
    assertThat(backend.tagIndexMatchesStore()).isTrue();
  }

  private void raceRounds(ConcurrentLinkedQueue<Throwable> errors, Scheduler racers) {
    for (int round = 0; round < 500; round++) {
      String key = "k" + (round % 6);
      int r = round;
      // 60 s, not the default 5 s: five racers spinning with Thread.yield on a loaded 2-core machine can starve
      // the one thread holding Caffeine's eviction lock for seconds. The bound guards against a hang only.
      RaceTestUtils.race(60, racers,
          () -> backend.put(key, entry(key, "v" + r, "a", "b")).subscribe(v -> {}, errors::add),
          () -> backend.put(key, entry(key, "w" + r, "b", "c")).subscribe(v -> {}, errors::add),
          () -> backend.invalidateTag(r % 2 == 0 ? "a" : "c").subscribe(v -> {}, errors::add),
          () -> backend.delete("k" + ((r + 1) % 6)).subscribe(v -> {}, errors::add),
          () -> backend.put("other" + (r % 10), entry("other", "x", "b")).subscribe(v -> {}, errors::add));
    }
  }

  private Mono<?> operation(int i, AtomicInteger wrong, AtomicInteger oversize, Strategy strategy) {
    String key = "key" + (i * 7 % KEYS);
    switch (i % 5) {
      case 0:
      case 1:
        return backend.put(key, entry(key, key + "|" + i, "tag" + (i % 3)));
      case 2:
        return backend.delete(key);
      default:
        return backend.get(key, STRING).doOnNext(e -> {
          if (!e.value().startsWith(key + "|")) {
            wrong.incrementAndGet();
          }
        }).then(strategy == Strategy.TTL ? Mono.empty() : backend.stats().doOnNext(s -> {
          if (s.size() > MAXIMUM_SIZE) {
            oversize.incrementAndGet();
          }
        }));
    }
  }

  private CacheEntry<String> entry(String key, String value, String... tags) {
    long now = clock.now(TimeUnit.MILLISECONDS);
    return CacheEntry.of(value, now, now + 60_000, now + 60_000, Set.of(tags));
  }
}
