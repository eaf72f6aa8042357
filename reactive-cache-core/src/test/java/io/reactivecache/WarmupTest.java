package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivecache.spi.CacheEntry;
import io.reactivecache.testing.MapCacheBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** {@link Cache#warm}: keys loaded ahead of traffic, bounded and back-pressured, TTLs spread, a result per key. */
class WarmupTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration TTL = Duration.ofSeconds(100);

  private VirtualTimeScheduler clock;
  private MapCacheBackend backend;
  private CacheManager manager;
  private Cache<String> cache;
  private final AtomicInteger loads = new AtomicInteger();

  @BeforeEach
  void setUp() {
    clock = VirtualTimeScheduler.create();
    clock.advanceTimeTo(Instant.parse("2026-01-01T00:00:00Z"));
    backend = new MapCacheBackend("main", clock, null);
    manager = CacheManager.builder().clock(clock).backend(backend).random(new Random(42)).build();
    cache = manager.cache("countries", String.class, CachePolicy.builder().ttl(TTL).build());
  }

  @AfterEach
  void tearDown() {
    clock.dispose();
  }

  private Mono<String> load(String key) {
    return Mono.fromCallable(() -> {
      loads.incrementAndGet();
      return "value of " + key;
    });
  }

  private static Flux<String> keys(int count) {
    return Flux.range(0, count).map(i -> "k" + i);
  }

  private static void expectResult(Mono<WarmupResult> warming, WarmupResult expected) {
    StepVerifier.create(warming).expectNext(expected).expectComplete().verify(WAIT);
  }

  @Test
  void warmingLoadsWhatIsMissingAndSkipsWhatIsCachedAndFresh() {
    cache.put("k0", "already").block(WAIT);
    cache.put("k1", "stale", Duration.ofSeconds(1)).block(WAIT);
    clock.advanceTimeBy(Duration.ofSeconds(1));

    expectResult(cache.warm(keys(4), this::load), new WarmupResult(3, 1, 0));
    assertThat(loads).hasValue(3);
    StepVerifier.create(cache.get("k0")).expectNext("already").expectComplete().verify(WAIT);
    StepVerifier.create(cache.get("k1")).expectNext("value of k1").expectComplete().verify(WAIT);
    StepVerifier.create(cache.get("k3", load("k3"))).expectNext("value of k3").expectComplete().verify(WAIT);
    assertThat(loads).as("warmed keys are hits").hasValue(3);
    expectResult(cache.warm(keys(4), this::load), new WarmupResult(0, 4, 0));
    assertThat(new WarmupResult(3, 1, 2).total()).isEqualTo(6);
  }

  @Test
  void aFailingKeyIsCountedAndTheOthersGoOn() {
    Mono<WarmupResult> warming = cache.warm(Flux.just("a", "error", "throws", "", "b"), key -> switch (key) {
      case "error" -> Mono.error(new IllegalStateException("source down"));
      case "throws" -> throw new IllegalArgumentException("bad loader");
      default -> load(key);
    });
    expectResult(warming, new WarmupResult(2, 0, 3));
    StepVerifier.create(cache.get("b")).expectNext("value of b").expectComplete().verify(WAIT);
  }

  @Test
  void neverMoreThanTheConcurrencyLoadsAtOnceAndKeysAreRequestedOnlyAsLoadsFinish() {
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger mostInFlight = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    AtomicInteger delivered = new AtomicInteger();
    AtomicInteger mostAhead = new AtomicInteger();
    AtomicLong requested = new AtomicLong();
    Flux<String> source = keys(100)
        .doOnRequest(n -> requested.addAndGet(n))
        .doOnNext(key -> mostAhead.accumulateAndGet(delivered.incrementAndGet() - finished.get(), Math::max));

    CompletableFuture<WarmupResult> warming = cache.warm(source, key -> Mono.defer(() -> {
      mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      return load(key).delayElement(Duration.ofSeconds(1), clock);
    }).doOnTerminate(() -> {
      // Before the result goes on, so the next key is counted after this one ended.
      inFlight.decrementAndGet();
      finished.incrementAndGet();
    }), 4, 0.1).toFuture();

    assertThat(inFlight).as("started at once").hasValue(4);
    assertThat(requested.get()).as("the source is asked for no more than the concurrency").isEqualTo(4);
    for (int second = 0; second < 25 && !warming.isDone(); second++) {
      clock.advanceTimeBy(Duration.ofSeconds(1));
      assertThat(inFlight.get()).isLessThanOrEqualTo(4);
    }
    assertThat(warming).succeedsWithin(WAIT).isEqualTo(new WarmupResult(100, 0, 0));
    assertThat(mostInFlight).hasValue(4);
    assertThat(mostAhead.get()).as("keys delivered ahead of finished loads").isLessThanOrEqualTo(4);
    assertThat(requested.get()).isLessThanOrEqualTo(100 + 4);
    assertThat(loads).hasValue(100);
  }

  private Set<Long> freshUntilOfWarmedKeys(int count) {
    Set<Long> times = new HashSet<>();
    for (int i = 0; i < count; i++) {
      CacheEntry<?> entry = backend.raw("countries:k" + i);
      assertThat(entry).isNotNull();
      times.add(entry.freshUntil());
    }
    return times;
  }

  @Test
  void warmedEntriesDoNotAllExpireTogether() {
    long now = clock.now(java.util.concurrent.TimeUnit.MILLISECONDS);
    expectResult(cache.warm(keys(50), this::load, 8, 0.5), new WarmupResult(50, 0, 0));
    Set<Long> times = freshUntilOfWarmedKeys(50);
    assertThat(times).hasSizeGreaterThan(40)
        .allSatisfy(time -> assertThat(time).isBetween(now + TTL.toMillis() / 2, now + TTL.toMillis()));

    clock.advanceTimeBy(Duration.ofSeconds(60));
    expectResult(cache.warm(keys(50), this::load, 8, 0.5), new WarmupResult(times.stream()
        .filter(time -> time <= now + 60_000).count(), times.stream().filter(time -> time > now + 60_000).count(), 0));
  }

  @Test
  void theDefaultSpreadCutsUpToATenthOfEachTtl() {
    long now = clock.now(java.util.concurrent.TimeUnit.MILLISECONDS);
    expectResult(cache.warm(keys(30), this::load), new WarmupResult(30, 0, 0));
    assertThat(freshUntilOfWarmedKeys(30)).hasSizeGreaterThan(20)
        .allSatisfy(time -> assertThat(time).isBetween(now + 90_000, now + 100_000));
  }

  @Test
  void thePolicysJitterIsKeptWhenItIsLargerThanTheSpread() {
    Cache<String> jittered = manager.cache("countries", String.class, CachePolicy.builder().ttl(TTL).ttlJitter(0.8)
        .build());
    long now = clock.now(java.util.concurrent.TimeUnit.MILLISECONDS);
    expectResult(jittered.warm(keys(30), this::load, 4, 0.1), new WarmupResult(30, 0, 0));
    assertThat(freshUntilOfWarmedKeys(30)).anySatisfy(time -> assertThat(time).isLessThan(now + 50_000))
        .allSatisfy(time -> assertThat(time).isBetween(now + 20_000, now + 100_000));
  }

  @Test
  void warmingAndACallerOfTheSameKeyShareOneLoad() {
    Sinks.One<String> gate = Sinks.one();
    AtomicInteger warmingLoads = new AtomicInteger();
    CompletableFuture<WarmupResult> warming = cache.warm(Flux.just("k"), key -> Mono.defer(() -> {
      warmingLoads.incrementAndGet();
      return gate.asMono();
    })).toFuture();
    Mono<String> caller = cache.get("k", load("k")).cache();
    caller.subscribe();

    gate.tryEmitValue("from warming");
    assertThat(caller.block(WAIT)).isEqualTo("from warming");
    assertThat(warming).succeedsWithin(WAIT).isEqualTo(new WarmupResult(1, 0, 0));
    assertThat(warmingLoads).hasValue(1);
    assertThat(loads).as("the caller joined the warming load").hasValue(0);
    assertThat(manager.stats().block(WAIT).coalescedLoads()).isEqualTo(1);
  }

  @Test
  void aWriteDuringAWarmingLoadWins() {
    Sinks.One<String> gate = Sinks.one();
    CompletableFuture<WarmupResult> warming = cache.warm(Flux.just("k"), key -> gate.asMono()).toFuture();
    cache.put("k", "written").block(WAIT);
    gate.tryEmitValue("loaded before the write");
    assertThat(warming).succeedsWithin(WAIT);
    StepVerifier.create(cache.get("k")).expectNext("written").expectComplete().verify(WAIT);
  }

  @Test
  void cancellingWarmingCancelsItsLoadsAndLeavesNothingBehind() {
    AtomicInteger cancelled = new AtomicInteger();
    Disposable warming = cache.warm(keys(10), key -> Mono.<String>never().doOnCancel(cancelled::incrementAndGet), 3,
        0.1).subscribe();
    warming.dispose();
    assertThat(cancelled).hasValue(3);
    assertThat(((BackendOperations) manager.defaultBackend()).handle().flights().isEmpty()).isTrue();
  }

  @Test
  void whileCachingIsOffEveryKeyIsSkippedAndNothingLoads() {
    cache.disable().block(WAIT);
    expectResult(cache.warm(keys(5), this::load), new WarmupResult(0, 5, 0));
    assertThat(loads).hasValue(0);
    assertThat(backend.rawSize()).isZero();
  }

  @Test
  void anErrorOfTheKeySourceEndsWarmingWithThatError() {
    StepVerifier.create(cache.warm(Flux.concat(keys(2), Flux.error(new IllegalStateException("no more keys"))),
        this::load)).expectErrorMessage("no more keys").verify(WAIT);
  }

  @Test
  void optionsOutOfRangeAreRefusedNamingThem() {
    assertThatThrownBy(() -> cache.warm(keys(1), this::load, 0, 0.1))
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("'concurrency'");
    assertThatThrownBy(() -> cache.warm(keys(1), this::load, 1, 1.5))
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("'ttlSpread'");
    assertThatThrownBy(() -> cache.warm(keys(1), this::load, 1, Double.NaN))
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("'ttlSpread'");
    assertThatThrownBy(() -> cache.warm(null, this::load)).isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'keys'");
    assertThatThrownBy(() -> cache.warm(keys(1), null)).isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'loader'");
  }
}
