package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.CacheEvent;
import io.reactivecache.spi.Invalidation;
import io.reactivecache.spi.KeyPattern;
import io.reactivecache.testing.MapCacheBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * The engine's features of issue 8, one or more rule tests each: invalidations from outside the process,
 * read-your-writes, probabilistic early refresh, TTL from the value, soft and hard load timeouts, bulk loading,
 * per-call outcomes and events. Run on both read paths ({@link EngineFeaturesSynchronousReadTest}).
 */
class EngineFeaturesTest extends EngineFixture {

  /** A backend like the test's, whose writes land only once {@code storeLands} completes. */
  private MapCacheBackend slowWrites(Sinks.Empty<Void> storeLands) {
    return new MapCacheBackend("slow-writes", clock, null, backend.readsSynchronously()) {
      @Override
      public Mono<Void> put(String key, CacheEntry<?> entry) {
        return storeLands.asMono().then(super.put(key, entry));
      }
    };
  }

  private long now() {
    return clock.now(TimeUnit.MILLISECONDS);
  }

  // ---- keys ----

  @Test
  void invalidKeysAreRefusedOnEveryReadPathAndTheLoaderIsNeverCalled() {
    Cache<String> cache = cache(ttl(Duration.ofMinutes(1)));
    AtomicInteger loads = new AtomicInteger();
    Mono<String> loader = Mono.fromSupplier(() -> "v" + loads.incrementAndGet());
    for (String bad : java.util.Arrays.asList("a\nb", "", null, "x".repeat(70_000))) {
      StepVerifier.create(cache.get(bad)).expectError(InvalidCacheKeyException.class).verify(WAIT);
      StepVerifier.create(cache.get(bad, loader)).expectError(InvalidCacheKeyException.class).verify(WAIT);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> cache.get(bad).block(WAIT))
          .isInstanceOf(InvalidCacheKeyException.class);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> cache.get(bad, loader).block(WAIT))
          .isInstanceOf(InvalidCacheKeyException.class);
    }
    assertThat(loads).hasValue(0);
  }

  // ---- invalidations from outside the process (rule 5 across instances) ----

  @Test
  void anInvalidationFromAnotherProcessWinsOverALoadInFlight() {
    Cache<String> cache = cache(ttl(Duration.ofMinutes(1)));
    List<Supplier<Invalidation>> invalidations = List.of(
        () -> Invalidation.key("items:k"),
        () -> Invalidation.pattern(KeyPattern.of("items:*")),
        () -> Invalidation.tag("item-tag"),
        () -> Invalidation.all("reconnected"));
    Cache<String> tagged = manager.cache("items", String.class, CachePolicy.builder().ttl(Duration.ofMinutes(1))
        .tags(Set.of("item-tag")).build());
    for (Supplier<Invalidation> invalidation : invalidations) {
      Sinks.One<String> gate = Sinks.one();
      StepVerifier.create(tagged.get("k", gate.asMono()))
          .then(() -> backend.invalidateFromOutside(invalidation.get()))
          .then(() -> gate.tryEmitValue("loaded before the other process's change"))
          .expectNext("loaded before the other process's change").expectComplete().verify(WAIT);
      assertThat(backend.raw("items:k")).as(invalidation.get().toString()).isNull();
    }
    StepVerifier.create(cache.get("k", Mono.just("fresh"))).expectNext("fresh").expectComplete().verify(WAIT);
  }

  @Test
  void aCallerArrivingAfterAnOutsideWriteNeverJoinsTheLoadItOvertook() {
    Cache<String> cache = cache(ttl(Duration.ofMinutes(1)));
    Sinks.One<String> before = Sinks.one();
    StepVerifier.create(cache.get("k", before.asMono()))
        .then(() -> backend.putFromOutside("items:k", CacheEntry.of("written elsewhere", now(),
            now() + 60_000, now() + 60_000, Set.of())))
        .then(() -> StepVerifier.create(cache.get("k", Mono.just("must not load")))
            .expectNext("written elsewhere").expectComplete().verify(WAIT))
        .then(() -> before.tryEmitValue("older"))
        .expectNext("older").expectComplete().verify(WAIT);
    StepVerifier.create(cache.get("k")).expectNext("written elsewhere").expectComplete().verify(WAIT);
  }

  @Test
  void anOutsideInvalidationArrivingWhileTheStoreIsOnItsWayDeletesWhatTheStoreWrote() {
    Sinks.Empty<Void> storeLands = Sinks.empty();
    MapCacheBackend slowWrites = slowWrites(storeLands);
    Cache<String> cache = CacheManager.builder().backend(slowWrites).clock(clock).build()
        .cache("items", String.class, ttl(Duration.ofMinutes(1)));
    StepVerifier.create(cache.get("k", Mono.just("loaded"))).expectNext("loaded").expectComplete().verify(WAIT);
    slowWrites.invalidateFromOutside(Invalidation.key("items:k"));
    StepVerifier.create(cache.get("k")).as("read-your-writes ends with the invalidation").expectComplete()
        .verify(WAIT);
    storeLands.tryEmitEmpty();
    assertThat(slowWrites.raw("items:k")).as("our store may have overwritten the other process's change").isNull();
  }

  @Test
  void anOutsideInvalidationForgetsARememberedError() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofMinutes(1)).errorTtl(Duration.ofMinutes(5))
        .build());
    StepVerifier.create(cache.get("k", Mono.error(new IllegalStateException("down")))).expectError().verify(WAIT);
    backend.invalidateFromOutside(Invalidation.key("items:k"));
    StepVerifier.create(cache.get("k", Mono.just("up"))).expectNext("up").expectComplete().verify(WAIT);
  }

  // ---- read-your-writes ----

  @Test
  void aLoadedValueIsReadBackOnThisInstanceBeforeItsStoreHasLanded() {
    Sinks.Empty<Void> storeLands = Sinks.empty();
    MapCacheBackend slowWrites = slowWrites(storeLands);
    CacheManager slow = CacheManager.builder().backend(slowWrites).clock(clock).build();
    Cache<String> cache = slow.cache("items", String.class, ttl(Duration.ofMinutes(1)));
    StepVerifier.create(cache.get("k", Mono.just("loaded"))).expectNext("loaded").expectComplete().verify(WAIT);
    assertThat(slowWrites.raw("items:k")).as("the store has not landed").isNull();
    StepVerifier.create(cache.get("k")).expectNext("loaded").expectComplete().verify(WAIT);
    StepVerifier.create(slow.get("items:k", String.class)).expectNext("loaded").expectComplete().verify(WAIT);
    StepVerifier.create(cache.getAll(List.of("k"))).expectNext(Map.of("k", "loaded")).expectComplete()
        .verify(WAIT);
    StepVerifier.create(cache.get("k", Mono.just("must not load"))).expectNext("loaded").expectComplete()
        .verify(WAIT);
    storeLands.tryEmitEmpty();
    assertThat(slowWrites.raw("items:k").value()).isEqualTo("loaded");
    StepVerifier.create(cache.get("k")).expectNext("loaded").expectComplete().verify(WAIT);
  }

  @Test
  void aDeleteEndsReadYourWritesOfTheValueItDeleted() {
    Sinks.Empty<Void> storeLands = Sinks.empty();
    MapCacheBackend slowWrites = slowWrites(storeLands);
    Cache<String> cache = CacheManager.builder().backend(slowWrites).clock(clock).build()
        .cache("items", String.class, ttl(Duration.ofMinutes(1)));
    StepVerifier.create(cache.get("k", Mono.just("loaded"))).expectNext("loaded").expectComplete().verify(WAIT);
    StepVerifier.create(cache.delete("k"))
        .then(storeLands::tryEmitEmpty)
        .expectNext(true).expectComplete().verify(WAIT);
    StepVerifier.create(cache.get("k")).expectComplete().verify(WAIT);
  }

  // ---- probabilistic early refresh (XFetch) ----

  @Test
  void earlyRefreshRefreshesAFreshEntryNearItsEndOnceAndServesItMeanwhile() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofSeconds(100)).earlyRefresh(1.0).build());
    AtomicInteger loads = new AtomicInteger();
    Sinks.One<String> refresh = Sinks.one();
    Mono<String> loader = Mono.defer(() -> loads.incrementAndGet() == 1
        ? Mono.just("v1").delayElement(Duration.ofSeconds(2), clock) : refresh.asMono());
    StepVerifier.create(cache.get("k", loader)).then(() -> clock.advanceTimeBy(Duration.ofSeconds(2)))
        .expectNext("v1").expectComplete().verify(WAIT);
    assertThat(backend.raw("items:k").loadMillis()).as("the load time is kept with the entry").isEqualTo(2_000);

    clock.advanceTimeBy(Duration.ofSeconds(40)); // 60 s left: a draw would need -ln(u) >= 30
    for (int i = 0; i < 200; i++) {
      StepVerifier.create(cache.get("k", loader)).expectNext("v1").expectComplete().verify(WAIT);
    }
    assertThat(loads).as("far from expiry: no early refresh").hasValue(1);

    clock.advanceTimeBy(Duration.ofMillis(59_900)); // 100 ms left, Δ = 2 s: nearly every read draws a refresh
    for (int i = 0; i < 50; i++) {
      StepVerifier.create(cache.get("k", loader)).expectNext("v1").expectComplete().verify(WAIT);
    }
    assertThat(loads).as("exactly one refresh runs, however many reads draw one").hasValue(2);
    refresh.tryEmitValue("v2");
    StepVerifier.create(cache.get("k", loader)).expectNext("v2").expectComplete().verify(WAIT);
    assertThat(manager.stats().block(WAIT).refreshes()).isEqualTo(1);
  }

  @Test
  void earlyRefreshDrawsWithTheXFetchProbability() {
    // P(refresh) = P(-Δβ ln u >= remaining) = exp(-remaining / (Δβ)); with Δβ = 1 s and 1 s left: 1/e.
    BackendHandle handle = new BackendHandle(backend, EngineClock.of(clock), false, LoadObserver.NONE,
        new Random(7));
    LoadEngine<String> engine = new LoadEngine<>(handle, ValueType.of(String.class),
        CachePolicy.builder().ttl(Duration.ofMinutes(1)).earlyRefresh(0.5).build(), value -> true);
    CacheEntry<String> entry = CacheEntry.of("v", now(), now() + 1_000, now() + 1_000, Set.of()).withLoadMillis(2_000);
    int draws = 20_000;
    int refreshes = 0;
    for (int i = 0; i < draws; i++) {
      if (engine.decide(entry, now()) == LoadEngine.Decision.FRESH_REFRESH_EARLY) {
        refreshes++;
      }
    }
    double expected = Math.exp(-1.0);
    double sigma = Math.sqrt(expected * (1 - expected) / draws);
    assertThat((double) refreshes / draws).isBetween(expected - 5 * sigma, expected + 5 * sigma);
  }

  @Test
  void earlyRefreshIsOffWithBetaZeroAndForEntriesWithoutALoadTime() {
    Cache<String> off = cache(CachePolicy.builder().ttl(Duration.ofSeconds(10)).build());
    AtomicInteger loads = new AtomicInteger();
    Mono<String> loader = Mono.fromSupplier(() -> "v" + loads.incrementAndGet()).delayElement(Duration.ofSeconds(5),
        clock);
    StepVerifier.create(off.get("k", loader)).then(() -> clock.advanceTimeBy(Duration.ofSeconds(5)))
        .expectNext("v1").expectComplete().verify(WAIT);
    clock.advanceTimeBy(Duration.ofMillis(9_990));
    StepVerifier.create(off.get("k", loader)).expectNext("v1").expectComplete().verify(WAIT);
    Cache<String> on = cache(CachePolicy.builder().ttl(Duration.ofSeconds(10)).earlyRefresh(5).build());
    on.put("written", "by put").block(WAIT);
    clock.advanceTimeBy(Duration.ofMillis(9_990));
    StepVerifier.create(on.get("written", loader)).expectNext("by put").expectComplete().verify(WAIT);
    assertThat(loads).hasValue(1);
  }

  // ---- TTL computed from the value ----

  @Test
  void theTtlIsComputedFromTheLoadedValue() {
    Cache<String> cache = cache(CachePolicy.builder()
        .ttl((String value) -> value.startsWith("short") ? Duration.ofSeconds(1) : Duration.ofHours(1))
        .emptyTtl(Duration.ofSeconds(5))
        .build());
    cache.get("a", Mono.just("short-lived")).block(WAIT);
    cache.get("b", Mono.just("long-lived")).block(WAIT);
    cache.get("c", Mono.empty()).block(WAIT);
    assertThat(backend.raw("items:a").freshUntil() - now()).isEqualTo(1_000);
    assertThat(backend.raw("items:b").freshUntil() - now()).isEqualTo(3_600_000);
    assertThat(backend.raw("items:c").freshUntil() - now()).as("empty results keep their own TTL").isEqualTo(5_000);
    cache.put("d", "short by put").block(WAIT);
    assertThat(backend.raw("items:d").freshUntil() - now()).isEqualTo(1_000);
  }

  @Test
  void aComputedTtlOfZeroStoresNothingAndAThrowingFunctionFailsTheLoad() {
    Cache<String> cache = cache(CachePolicy.builder()
        .ttl((String value) -> {
          if (value.equals("bad")) {
            throw new IllegalArgumentException("cannot tell the TTL of 'bad'");
          }
          return value.equals("volatile") ? Duration.ZERO : Duration.ofMinutes(1);
        })
        .build());
    StepVerifier.create(cache.get("v", Mono.just("volatile"))).expectNext("volatile").expectComplete().verify(WAIT);
    assertThat(backend.raw("items:v")).isNull();
    StepVerifier.create(cache.get("b", Mono.just("bad"))).expectErrorMessage("cannot tell the TTL of 'bad'")
        .verify(WAIT);
    assertThat(backend.raw("items:b")).isNull();
    cache.put("p", "kept").block(WAIT);
    cache.put("p", "volatile").block(WAIT);
    assertThat(backend.raw("items:p")).as("a put whose TTL is zero removes the older value").isNull();
  }

  // ---- load timeouts ----

  @Test
  void aLoadPastItsHardTimeoutFailsWithTheKeyAndTimeoutAndTheNextCallLoadsAgain() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofMinutes(1)).loadTimeout(Duration.ofSeconds(3))
        .build());
    AtomicInteger cancelled = new AtomicInteger();
    StepVerifier.create(cache.get("k", Mono.<String>never().doOnCancel(cancelled::incrementAndGet)))
        .then(() -> clock.advanceTimeBy(Duration.ofSeconds(3)))
        .expectErrorSatisfies(error -> {
          assertThat(error).isInstanceOf(CacheLoadTimeoutException.class).hasMessageContaining("items:k")
              .hasMessageContaining("PT3S");
          assertThat(((CacheLoadTimeoutException) error).timeout()).isEqualTo(Duration.ofSeconds(3));
        })
        .verify(WAIT);
    assertThat(cancelled).as("the loader is cancelled").hasValue(1);
    StepVerifier.create(cache.get("k", Mono.just("v"))).expectNext("v").expectComplete().verify(WAIT);
  }

  @Test
  void aHardTimeoutWithAStaleValueServesTheStaleValue() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofSeconds(10)).staleIfError(Duration.ofMinutes(1))
        .loadTimeout(Duration.ofSeconds(3)).build());
    cache.get("k", Mono.just("v1")).block(WAIT);
    clock.advanceTimeBy(Duration.ofSeconds(15));
    StepVerifier.create(cache.get("k", Mono.never()))
        .then(() -> clock.advanceTimeBy(Duration.ofSeconds(3)))
        .expectNext("v1").expectComplete().verify(WAIT);
  }

  @Test
  void pastTheSoftTimeoutTheCallerGetsItsStaleValueAndTheLoadStillLands() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofSeconds(10)).staleIfError(Duration.ofMinutes(1))
        .softTimeout(Duration.ofSeconds(1)).build());
    cache.get("k", Mono.just("v1")).block(WAIT);
    clock.advanceTimeBy(Duration.ofSeconds(15));
    Sinks.One<String> slow = Sinks.one();
    StepVerifier.create(cache.getWithOutcome("k", slow.asMono()))
        .then(() -> clock.advanceTimeBy(Duration.ofSeconds(1)))
        .assertNext(result -> {
          assertThat(result.value()).contains("v1");
          assertThat(result.outcome()).isEqualTo(CacheResult.Outcome.STALE);
        })
        .expectComplete().verify(WAIT);
    slow.tryEmitValue("v2");
    assertThat(backend.raw("items:k").value()).as("the load went on and was stored").isEqualTo("v2");
    StepVerifier.create(cache.get("k", Mono.never())).expectNext("v2").expectComplete().verify(WAIT);
  }

  @Test
  void aHardTimeoutAlsoEndsAHungBackgroundRefresh() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofSeconds(10))
        .staleWhileRevalidate(Duration.ofMinutes(10)).loadTimeout(Duration.ofSeconds(5)).build());
    cache.get("k", Mono.just("v1")).block(WAIT);
    clock.advanceTimeBy(Duration.ofSeconds(15));
    AtomicInteger cancelled = new AtomicInteger();
    StepVerifier.create(cache.get("k", Mono.<String>never().doOnCancel(cancelled::incrementAndGet)))
        .expectNext("v1").expectComplete().verify(WAIT);
    clock.advanceTimeBy(Duration.ofSeconds(5));
    assertThat(cancelled).hasValue(1);
    StepVerifier.create(cache.get("k", Mono.just("v2"))).expectNext("v1").expectComplete().verify(WAIT);
    StepVerifier.create(cache.get("k")).expectNext("v2").expectComplete().verify(WAIT);
  }

  // ---- bulk loading ----

  @Test
  void getAllReadsCachedKeysAndLoadsTheRestInOneCall() {
    Cache<String> cache = cache(ttl(Duration.ofMinutes(1)));
    cache.put("a", "cached a").block(WAIT);
    List<Set<String>> calls = new CopyOnWriteArrayList<>();
    StepVerifier.create(cache.getAll(List.of("a", "b", "c", "d"), keys -> {
      calls.add(keys);
      return Mono.just(Map.of("b", "loaded b", "c", "loaded c"));
    }))
        .assertNext(values -> assertThat(new ArrayList<>(values.entrySet())).containsExactly(
            Map.entry("a", "cached a"), Map.entry("b", "loaded b"), Map.entry("c", "loaded c")))
        .expectComplete().verify(WAIT);
    assertThat(calls).containsExactly(Set.of("b", "c", "d"));
    StepVerifier.create(cache.get("b")).expectNext("loaded b").expectComplete().verify(WAIT);
  }

  @Test
  void bulkAndSingleCallersOfTheSameKeyShareOneLoad() {
    Cache<String> cache = cache(ttl(Duration.ofMinutes(1)));
    Sinks.One<Map<String, String>> bulk = Sinks.one();
    AtomicInteger bulkCalls = new AtomicInteger();
    AtomicInteger singleCalls = new AtomicInteger();
    Sinks.One<String> single = Sinks.one();
    Mono<String> singleLoader = Mono.defer(() -> {
      singleCalls.incrementAndGet();
      return single.asMono();
    });
    // A single load of "x" is in flight; a bulk call of x and y joins it and loads only y; a single call of y
    // joins the bulk load.
    StepVerifier.create(Mono.zip(cache.get("x", singleLoader),
            cache.getAll(List.of("x", "y"), keys -> {
              bulkCalls.incrementAndGet();
              assertThat(keys).containsExactly("y");
              return bulk.asMono();
            }),
            cache.get("y", singleLoader)))
        .then(() -> {
          single.tryEmitValue("x loaded alone");
          bulk.tryEmitValue(Map.of("y", "y loaded in bulk"));
        })
        .assertNext(all -> {
          assertThat(all.getT1()).isEqualTo("x loaded alone");
          assertThat(all.getT2()).containsExactly(Map.entry("x", "x loaded alone"), Map.entry("y", "y loaded in bulk"));
          assertThat(all.getT3()).isEqualTo("y loaded in bulk");
        })
        .expectComplete().verify(WAIT);
    assertThat(bulkCalls).hasValue(1);
    assertThat(singleCalls).hasValue(1);
  }

  @Test
  void cancellingABulkCallCancelsItsLoadOnlyWhenNobodyElseWaits() {
    Cache<String> cache = cache(ttl(Duration.ofMinutes(1)));
    AtomicInteger cancelled = new AtomicInteger();
    Sinks.One<Map<String, String>> bulk = Sinks.one();
    var bulkCaller = cache.getAll(List.of("p", "q"), keys -> bulk.asMono().doOnCancel(cancelled::incrementAndGet))
        .subscribe();
    StepVerifier.create(cache.get("p", Mono.error(new AssertionError("must join the bulk load"))))
        .then(bulkCaller::dispose)
        .then(() -> assertThat(cancelled).as("p still has a caller").hasValue(0))
        .then(() -> bulk.tryEmitValue(Map.of("p", "P", "q", "Q")))
        .expectNext("P").expectComplete().verify(WAIT);
  }

  // ---- per-call outcome ----

  @Test
  void getWithOutcomeTellsHowEachValueWasObtained() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofSeconds(10))
        .staleWhileRevalidate(Duration.ofSeconds(10)).build());
    Sinks.One<String> gate = Sinks.one();
    StepVerifier.create(Mono.zip(cache.getWithOutcome("k", gate.asMono()), cache.getWithOutcome("k", gate.asMono())))
        .then(() -> gate.tryEmitValue("v1"))
        .assertNext(both -> {
          assertThat(both.getT1().outcome()).isEqualTo(CacheResult.Outcome.LOADED);
          assertThat(both.getT2().outcome()).isEqualTo(CacheResult.Outcome.COALESCED);
          assertThat(both.getT2().value()).contains("v1");
        })
        .expectComplete().verify(WAIT);
    StepVerifier.create(cache.getWithOutcome("k", Mono.just("unused")))
        .assertNext(result -> assertThat(result.outcome()).isEqualTo(CacheResult.Outcome.HIT)).expectComplete()
        .verify(WAIT);
    clock.advanceTimeBy(Duration.ofSeconds(12));
    StepVerifier.create(cache.getWithOutcome("k", Mono.just("v2")))
        .assertNext(result -> {
          assertThat(result.outcome()).isEqualTo(CacheResult.Outcome.STALE);
          assertThat(result.value()).contains("v1");
        }).expectComplete().verify(WAIT);
    StepVerifier.create(cache.getWithOutcome("empty", Mono.empty()))
        .assertNext(result -> assertThat(result.value()).isEmpty()).expectComplete().verify(WAIT);
  }

  @Test
  void getWithOutcomeTellsStaleIfErrorAndFallback() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofSeconds(10)).staleIfError(Duration.ofMinutes(1))
        .build());
    cache.get("k", Mono.just("v1")).block(WAIT);
    clock.advanceTimeBy(Duration.ofSeconds(15));
    StepVerifier.create(cache.getWithOutcome("k", Mono.error(new IllegalStateException("down"))))
        .assertNext(result -> assertThat(result.outcome()).isEqualTo(CacheResult.Outcome.STALE_IF_ERROR))
        .expectComplete().verify(WAIT);
    backend.failWith(new CacheBackendException("map", "unreachable"));
    StepVerifier.create(cache.getWithOutcome("other", Mono.just("from the loader")))
        .assertNext(result -> {
          assertThat(result.outcome()).isEqualTo(CacheResult.Outcome.FALLBACK);
          assertThat(result.value()).contains("from the loader");
        })
        .expectComplete().verify(WAIT);
    backend.failWith(null);
  }

  // ---- events ----

  @Test
  void invalidationsAreEventsWithTheirCause() {
    Cache<String> cache = manager.cache("items", String.class, CachePolicy.builder().ttl(Duration.ofMinutes(1))
        .tags(Set.of("t")).build());
    List<CacheEvent> events = new CopyOnWriteArrayList<>();
    var listening = manager.defaultBackend().events().subscribe(events::add);
    cache.put("a", "1").block(WAIT);
    cache.put("b", "2").block(WAIT);
    cache.delete("a").block(WAIT);
    cache.delete("never-there").block(WAIT);
    manager.deletePattern("items:*").block(WAIT);
    manager.invalidateTag("t").block(WAIT);
    manager.clear().block(WAIT);
    backend.invalidateFromOutside(Invalidation.key("items:z"));
    listening.dispose();
    assertThat(events).containsExactly(
        new CacheEvent(CacheEvent.Type.INVALIDATED, CacheEvent.Cause.DELETE, "items:a"),
        new CacheEvent(CacheEvent.Type.INVALIDATED, CacheEvent.Cause.PATTERN, "items:*"),
        new CacheEvent(CacheEvent.Type.INVALIDATED, CacheEvent.Cause.TAG, "t"),
        new CacheEvent(CacheEvent.Type.INVALIDATED, CacheEvent.Cause.CLEAR, "clear"),
        new CacheEvent(CacheEvent.Type.INVALIDATED, CacheEvent.Cause.REMOTE, "items:z"));
  }
}
