package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.spi.CacheEntry;
import io.reactivecache.testing.MapCacheBackend;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

/** The eight rules of {@code cachedMono} (README, "cachedMono semantics"), one or more tests each. */
class CachedMonoRulesTest extends EngineFixture {

  /** A loader that counts its subscriptions and completes only when {@code gate} is released. */
  private static final class GatedLoader {
    final AtomicInteger subscriptions = new AtomicInteger();
    final AtomicInteger cancellations = new AtomicInteger();
    volatile Sinks.One<String> gate = Sinks.one();

    Mono<String> mono() {
      return Mono.defer(() -> {
        subscriptions.incrementAndGet();
        return gate.asMono();
      }).doOnCancel(cancellations::incrementAndGet);
    }

    void release(String value) {
      gate.tryEmitValue(value);
    }

    void reset() {
      gate = Sinks.one();
    }
  }

  // Rule 1: one load per key, however many callers miss at once.
  @Test
  void rule1_oneLoadPerKeyUnderOneThousandConcurrentCallersOverManyBursts() {
    Cache<String> cache = cache(ttl(Duration.ofMinutes(1)));
    int bursts = 100;
    int callers = 1_000;
    for (int burst = 0; burst < bursts; burst++) {
      GatedLoader loader = new GatedLoader();
      String key = "burst-" + burst;
      long expectedCoalesced = (long) (burst + 1) * (callers - 1);
      Mono<List<String>> all = Flux.range(0, callers)
          .flatMap(i -> cache.get(key, loader.mono()).subscribeOn(Schedulers.parallel()), callers)
          .collectList();
      StepVerifier.create(all)
          .then(() -> {
            // Wait until every caller is subscribed and waiting, then let the one load finish.
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (manager.stats().block(WAIT).coalescedLoads() < expectedCoalesced
                && System.nanoTime() < deadline) {
              Thread.onSpinWait();
            }
            loader.release("value-" + key);
          })
          .assertNext(values -> assertThat(values).hasSize(callers).containsOnly("value-" + key))
          .expectComplete()
          .verify(WAIT);
      assertThat(loader.subscriptions).as("loader subscriptions in burst %d", burst).hasValue(1);
    }
    CacheStats stats = manager.stats().block(WAIT);
    assertThat(stats.loadSuccesses()).isEqualTo(bursts);
    assertThat(stats.coalescedLoads()).isEqualTo((long) bursts * (callers - 1));
  }

  @Test
  void rule1_aCallerWhoseMissWasReadBeforeAnotherLoadStoredDoesNotLoadAgain() {
    // Caller A reads "miss", then stalls; meanwhile B loads, stores and the load retires; then A goes on. A must
    // find B's value (the new load re-reads the backend first) instead of running the loader a second time.
    Sinks.Empty<Void> releaseFirstRead = Sinks.empty();
    AtomicInteger reads = new AtomicInteger();
    MapCacheBackend slowFirstRead = new MapCacheBackend("slow-first-read", clock, null) {
      @Override
      public <T> Mono<CacheEntry<T>> get(String key, ValueType<T> type) {
        if (reads.incrementAndGet() == 1) {
          return super.get(key, type).materialize().delayUntil(signal -> releaseFirstRead.asMono())
              .dematerialize();
        }
        return super.get(key, type);
      }
    };
    Cache<String> cache = CacheManager.builder().backend(slowFirstRead).clock(clock).build()
        .cache("c", String.class, ttl(Duration.ofMinutes(1)));
    AtomicInteger loads = new AtomicInteger();
    Mono<String> loader = Mono.fromSupplier(() -> "v" + loads.incrementAndGet());

    StepVerifier.create(cache.get("k", loader))
        .then(() -> assertThat(cache.get("k", loader).block(WAIT)).isEqualTo("v1"))
        .then(() -> releaseFirstRead.tryEmitEmpty())
        .expectNext("v1").expectComplete().verify(WAIT);
    assertThat(loads).hasValue(1);
  }

  @Test
  void rule1_callersArrivingAfterTheLoadReadTheStoredValue() {
    Cache<String> cache = cache(ttl(Duration.ofMinutes(1)));
    AtomicInteger loads = new AtomicInteger();
    Mono<String> loader = Mono.fromSupplier(() -> "v" + loads.incrementAndGet());
    for (int i = 0; i < 50; i++) {
      StepVerifier.create(cache.get("k", loader)).expectNext("v1").expectComplete().verify(WAIT);
    }
    assertThat(loads).hasValue(1);
  }

  @Test
  void rule1_differentTypesOnTheSameKeyNeverShareALoad() {
    Cache<String> strings = manager.cache("shared", String.class, ttl(Duration.ofMinutes(1)));
    Cache<Integer> numbers = manager.cache("shared", Integer.class, ttl(Duration.ofMinutes(1)));
    Sinks.One<String> gate = Sinks.one();
    StepVerifier.create(strings.get("k", gate.asMono()).zipWith(numbers.get("k", Mono.just(7))))
        .then(() -> gate.tryEmitValue("text"))
        .assertNext(both -> {
          assertThat(both.getT1()).isEqualTo("text");
          assertThat(both.getT2()).isEqualTo(7);
        })
        .expectComplete().verify(WAIT);
  }

  // Rule 2: the load is cancelled only when its last subscriber cancels.
  @Test
  void rule2_oneCallerTimingOutDoesNotFailTheOthers() {
    Cache<String> cache = cache(ttl(Duration.ofMinutes(1)));
    GatedLoader loader = new GatedLoader();
    Mono<String> impatient = cache.get("k", loader.mono()).timeout(Duration.ofMillis(50), Schedulers.parallel());
    Mono<String> patient = cache.get("k", loader.mono());

    StepVerifier.create(patient)
        .then(() -> StepVerifier.create(impatient).expectError(java.util.concurrent.TimeoutException.class)
            .verify(WAIT))
        .then(() -> loader.release("value"))
        .expectNext("value").expectComplete().verify(WAIT);
    assertThat(loader.subscriptions).hasValue(1);
    assertThat(loader.cancellations).hasValue(0);
  }

  @Test
  void rule2_theLoadIsCancelledWhenItsLastCallerCancelsAndTheNextCallLoadsAgain() {
    Cache<String> cache = cache(ttl(Duration.ofMinutes(1)));
    GatedLoader loader = new GatedLoader();
    var first = cache.get("k", loader.mono()).subscribe();
    var second = cache.get("k", loader.mono()).subscribe();
    first.dispose();
    assertThat(loader.cancellations).as("one caller left, load still running").hasValue(0);
    second.dispose();
    assertThat(loader.cancellations).as("last caller left, load cancelled").hasValue(1);

    loader.reset();
    StepVerifier.create(cache.get("k", loader.mono()))
        .then(() -> loader.release("fresh"))
        .expectNext("fresh").expectComplete().verify(WAIT);
    assertThat(loader.subscriptions).hasValue(2);
  }

  // Rule 3: errors are not cached unless an error TTL is configured.
  @Test
  void rule3_errorsReachWaitingCallersAndAreNotCached() {
    Cache<String> cache = cache(ttl(Duration.ofMinutes(1)));
    AtomicInteger calls = new AtomicInteger();
    Sinks.One<String> gate = Sinks.one();
    Mono<String> failingOnce = Mono.defer(() -> calls.incrementAndGet() == 1
        ? gate.asMono() : Mono.just("recovered"));

    StepVerifier.create(Flux.merge(cache.get("k", failingOnce).materialize(),
            cache.get("k", failingOnce).materialize()).collectList())
        .then(() -> gate.tryEmitError(new IllegalStateException("boom")))
        .assertNext(signals -> assertThat(signals).hasSize(2)
            .allSatisfy(signal -> assertThat(signal.getThrowable()).hasMessage("boom")))
        .expectComplete().verify(WAIT);
    StepVerifier.create(cache.get("k", failingOnce)).expectNext("recovered").expectComplete().verify(WAIT);
    assertThat(calls).hasValue(2);
    assertThat(manager.stats().block(WAIT).loadFailures()).isEqualTo(1);
  }

  @Test
  void rule3_withAnErrorTtlTheErrorIsReplayedUntilItExpires() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofMinutes(1))
        .errorTtl(Duration.ofSeconds(5)).build());
    AtomicInteger calls = new AtomicInteger();
    Mono<String> loader = Mono.defer(() -> calls.incrementAndGet() == 1
        ? Mono.error(new IllegalStateException("down")) : Mono.just("up"));
    StepVerifier.create(cache.get("k", loader)).expectErrorMessage("down").verify(WAIT);
    StepVerifier.create(cache.get("k", loader)).expectErrorMessage("down").verify(WAIT);
    assertThat(calls).hasValue(1);
    clock.advanceTimeBy(Duration.ofSeconds(5));
    StepVerifier.create(cache.get("k", loader)).expectNext("up").expectComplete().verify(WAIT);
    assertThat(calls).hasValue(2);
  }

  // Rule 4: empty is a result of its own.
  @Test
  void rule4_emptyIsNotCachedByDefault() {
    Cache<String> cache = cache(ttl(Duration.ofMinutes(1)));
    AtomicInteger calls = new AtomicInteger();
    Mono<String> empty = Mono.fromRunnable(calls::incrementAndGet);
    StepVerifier.create(cache.get("k", empty)).expectComplete().verify(WAIT);
    StepVerifier.create(cache.get("k", empty)).expectComplete().verify(WAIT);
    assertThat(calls).hasValue(2);
    assertThat(backend.raw(manager.cache("items", String.class).name() + ":k")).isNull();
  }

  @Test
  void rule4_emptyIsCachedAsAbsentForTheEmptyTtl() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofMinutes(1))
        .emptyTtl(Duration.ofSeconds(10)).build());
    AtomicInteger calls = new AtomicInteger();
    Mono<String> empty = Mono.fromRunnable(calls::incrementAndGet);
    StepVerifier.create(cache.get("k", empty)).expectComplete().verify(WAIT);
    StepVerifier.create(cache.get("k", empty)).expectComplete().verify(WAIT);
    assertThat(calls).hasValue(1);
    assertThat(backend.raw("items:k").isAbsent()).isTrue();
    StepVerifier.create(cache.get("k")).expectComplete().verify(WAIT);
    clock.advanceTimeBy(Duration.ofSeconds(10));
    StepVerifier.create(cache.get("k", Mono.just("now present"))).expectNext("now present").expectComplete()
        .verify(WAIT);
  }

  // Rule 5: an invalidation that arrives while a load is in flight wins.
  @Test
  void rule5_deleteDuringALoadWinsTheLoadedValueIsDeliveredButNotStored() {
    Cache<String> cache = cache(ttl(Duration.ofMinutes(1)));
    GatedLoader loader = new GatedLoader();
    StepVerifier.create(cache.get("k", loader.mono()))
        .then(() -> cache.delete("k").block(WAIT))
        .then(() -> loader.release("stale"))
        .expectNext("stale").expectComplete().verify(WAIT);
    assertThat(backend.raw("items:k")).isNull();
    loader.reset();
    StepVerifier.create(cache.get("k", loader.mono()))
        .then(() -> loader.release("fresh"))
        .expectNext("fresh").expectComplete().verify(WAIT);
    assertThat(loader.subscriptions).hasValue(2);
  }

  @Test
  void rule5_aWriteDuringALoadIsNotOverwrittenByTheOlderLoadedValue() {
    Cache<String> cache = cache(ttl(Duration.ofMinutes(1)));
    GatedLoader loader = new GatedLoader();
    StepVerifier.create(cache.get("k", loader.mono()))
        .then(() -> cache.put("k", "newer").block(WAIT))
        .then(() -> loader.release("older"))
        .expectNext("older").expectComplete().verify(WAIT);
    StepVerifier.create(cache.get("k")).expectNext("newer").expectComplete().verify(WAIT);
  }

  @Test
  void rule5_aGetRightAfterADeleteNeverJoinsTheLoadTheDeleteInvalidated() {
    // The store of v1 is held open, so the delete has to wait for it; the get chained after the delete must start
    // a new load (v2), not join the finished, invalidated one (found by the Redis restart test).
    Sinks.Empty<Void> putGate = Sinks.empty();
    MapCacheBackend gated = new MapCacheBackend("gated", clock, null) {
      @Override
      public Mono<Void> put(String key, io.reactivecache.spi.CacheEntry<?> entry) {
        return super.put(key, entry).then(putGate.asMono());
      }
    };
    Cache<String> cache = CacheManager.builder().backend(gated).clock(clock).build()
        .cache("c", String.class, ttl(Duration.ofMinutes(1)));
    StepVerifier.create(cache.get("k", Mono.just("v1"))).expectNext("v1").expectComplete().verify(WAIT);
    StepVerifier.create(cache.delete("k").then(cache.get("k", Mono.just("v2"))))
        .then(() -> putGate.tryEmitEmpty())
        .expectNext("v2").expectComplete().verify(WAIT);
  }

  @Test
  void rule5_aCallerArrivingAfterAnInvalidationStartsANewLoad() {
    Cache<String> cache = cache(ttl(Duration.ofMinutes(1)));
    GatedLoader before = new GatedLoader();
    GatedLoader after = new GatedLoader();
    StepVerifier.create(cache.get("k", before.mono()))
        .then(() -> cache.delete("k").block(WAIT))
        .then(() -> StepVerifier.create(cache.get("k", after.mono()))
            .then(() -> after.release("loaded after the delete"))
            .expectNext("loaded after the delete").expectComplete().verify(WAIT))
        .then(() -> before.release("loaded before the delete"))
        .expectNext("loaded before the delete").expectComplete().verify(WAIT);
    StepVerifier.create(cache.get("k")).expectNext("loaded after the delete").expectComplete().verify(WAIT);
  }

  @Test
  void rule5_clearPatternAndModelInvalidationsAlsoWin() {
    Cache<String> cache = manager.cache("items", String.class, CachePolicy.builder().ttl(Duration.ofMinutes(1))
        .tags(Set.of("item-model")).build());
    List<Runnable> invalidations = List.of(
        () -> manager.clear().block(WAIT),
        () -> manager.deletePattern("items:*").block(WAIT),
        () -> manager.invalidateTag("item-model").block(WAIT),
        () -> cache.clear().block(WAIT));
    for (Runnable invalidation : invalidations) {
      GatedLoader loader = new GatedLoader();
      StepVerifier.create(cache.get("k", loader.mono()))
          .then(invalidation)
          .then(() -> loader.release("stale"))
          .expectNext("stale").expectComplete().verify(WAIT);
      assertThat(backend.raw("items:k")).isNull();
    }
  }

  @Test
  void rule5_withoutStampedePreventionInvalidationsStillWin() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofMinutes(1)).preventStampede(false).build());
    GatedLoader loader = new GatedLoader();
    StepVerifier.create(cache.get("k", loader.mono()))
        .then(() -> cache.delete("k").block(WAIT))
        .then(() -> loader.release("stale"))
        .expectNext("stale").expectComplete().verify(WAIT);
    assertThat(backend.raw("items:k")).isNull();
  }

  // Rule 6: fresh → return; stale → return at once + one background refresh; expired → load; stale-if-error.
  @Test
  void rule6_freshValueIsReturnedWithoutLoading() {
    Cache<String> cache = cache(ttl(Duration.ofSeconds(10)));
    AtomicInteger calls = new AtomicInteger();
    Mono<String> loader = Mono.fromSupplier(() -> "v" + calls.incrementAndGet());
    cache.get("k", loader).block(WAIT);
    clock.advanceTimeBy(Duration.ofSeconds(9));
    StepVerifier.create(cache.get("k", loader)).expectNext("v1").expectComplete().verify(WAIT);
    assertThat(calls).hasValue(1);
  }

  @Test
  void rule6_staleIsServedAtOnceWithExactlyOneBackgroundRefresh() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofSeconds(10))
        .staleWhileRevalidate(Duration.ofSeconds(60)).build());
    StepVerifier.create(cache.get("k", Mono.just("v1"))).expectNext("v1").expectComplete().verify(WAIT);
    clock.advanceTimeBy(Duration.ofSeconds(15));

    GatedLoader refresh = new GatedLoader();
    List<String> served = Flux.range(0, 200)
        .flatMap(i -> cache.get("k", refresh.mono()).subscribeOn(Schedulers.parallel()))
        .collectList().block(WAIT);
    assertThat(served).hasSize(200).containsOnly("v1");
    assertThat(refresh.subscriptions).as("exactly one refresh").hasValue(1);

    refresh.release("v2");
    StepVerifier.create(cache.get("k", refresh.mono())).expectNext("v2").expectComplete().verify(WAIT);
    CacheStats stats = manager.stats().block(WAIT);
    assertThat(stats.staleServed()).isEqualTo(200);
    assertThat(stats.refreshes()).isEqualTo(1);
  }

  @Test
  void rule6_aFailingRefreshKeepsServingStaleButNeverPastTheHardExpiry() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofSeconds(10))
        .staleWhileRevalidate(Duration.ofSeconds(60)).build());
    cache.get("k", Mono.just("v1")).block(WAIT);
    clock.advanceTimeBy(Duration.ofSeconds(30));
    Mono<String> failing = Mono.error(new IllegalStateException("source down"));
    StepVerifier.create(cache.get("k", failing)).expectNext("v1").expectComplete().verify(WAIT);
    StepVerifier.create(cache.get("k", failing)).expectNext("v1").expectComplete().verify(WAIT);
    clock.advanceTimeBy(Duration.ofSeconds(40)); // 70 s: past fresh 10 s + stale 60 s
    StepVerifier.create(cache.get("k", failing)).expectErrorMessage("source down").verify(WAIT);
  }

  @Test
  void rule6_expiredEntryIsLoadedAgain() {
    Cache<String> cache = cache(ttl(Duration.ofSeconds(10)));
    AtomicInteger calls = new AtomicInteger();
    Mono<String> loader = Mono.fromSupplier(() -> "v" + calls.incrementAndGet());
    cache.get("k", loader).block(WAIT);
    clock.advanceTimeBy(Duration.ofSeconds(10));
    StepVerifier.create(cache.get("k", loader)).expectNext("v2").expectComplete().verify(WAIT);
  }

  @Test
  void rule6_staleIfErrorServesTheStaleValueWhenTheLoaderFails() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofSeconds(10))
        .staleIfError(Duration.ofSeconds(60)).build());
    cache.get("k", Mono.just("v1")).block(WAIT);
    clock.advanceTimeBy(Duration.ofSeconds(20));
    AtomicInteger calls = new AtomicInteger();
    Mono<String> failing = Mono.defer(() -> {
      calls.incrementAndGet();
      return Mono.error(new IllegalStateException("source down"));
    });
    StepVerifier.create(cache.get("k", failing)).expectNext("v1").expectComplete().verify(WAIT);
    assertThat(calls).as("without stale-while-revalidate, a stale entry is loaded first").hasValue(1);
    StepVerifier.create(cache.get("k", Mono.just("v2"))).expectNext("v2").expectComplete().verify(WAIT);
    clock.advanceTimeBy(Duration.ofSeconds(80));
    StepVerifier.create(cache.get("k", failing)).expectErrorMessage("source down").verify(WAIT);
  }

  @Test
  void rule6_backendFailuresNeverReachCachedMonoCallers() {
    Cache<String> cache = cache(ttl(Duration.ofSeconds(10)));
    backend.failWith(new CacheBackendException("map", "connection refused"));
    StepVerifier.create(cache.get("k", Mono.just("from loader"))).expectNext("from loader").expectComplete()
        .verify(WAIT);
    // Direct operations do report the failure.
    StepVerifier.create(cache.get("k")).expectError(CacheBackendException.class).verify(WAIT);
    backend.failWith(null);
    assertThat(manager.stats().block(WAIT).backendFailures()).as("failed read and failed write").isEqualTo(2);
  }

  // Rule 7: the loader runs with the first subscriber's Context; context keys say so.
  @Test
  void rule7_theLoaderSeesTheFirstSubscribersContext() {
    Cache<String> cache = cache(ttl(Duration.ofMinutes(1)));
    Mono<String> loader = Mono.deferContextual(context -> Mono.just("loaded for " + context.get("tenant")));
    StepVerifier.create(cache.get("k", loader).contextWrite(Context.of("tenant", "acme")))
        .expectNext("loaded for acme").expectComplete().verify(WAIT);
  }

  @Test
  void rule7_contextKeysKeepTenantsApart() {
    Cache<String> cache = cache(ttl(Duration.ofMinutes(1)));
    Mono<String> loader = Mono.deferContextual(context -> Mono.just("data of " + context.get("tenant")));
    var perTenant = cache.cachedMono(context -> context.get("tenant") + ":report");
    for (int round = 0; round < 3; round++) {
      for (String tenant : List.of("acme", "globex")) {
        StepVerifier.create(loader.transform(perTenant).contextWrite(Context.of("tenant", tenant)))
            .expectNext("data of " + tenant).expectComplete().verify(WAIT);
      }
    }
  }

  // Rule 8: TTL jitter; Flux caching with a bound on elements.
  @Test
  void rule8_ttlJitterSpreadsExpiryWithinTheConfiguredFraction() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofSeconds(100)).ttlJitter(0.5).build());
    long now = clock.now(TimeUnit.MILLISECONDS);
    Set<Long> freshUntil = ConcurrentHashMap.newKeySet();
    for (int i = 0; i < 200; i++) {
      cache.put("k" + i, "v").block(WAIT);
      CacheEntry<?> entry = backend.raw("items:k" + i);
      assertThat(entry.freshUntil() - now).isBetween(50_000L, 100_000L);
      freshUntil.add(entry.freshUntil());
    }
    assertThat(freshUntil.size()).as("distinct expiry times").isGreaterThan(100);
  }

  @Test
  void rule8_cachedFluxStoresBoundedSequencesOnly() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofMinutes(1)).maxElements(3).build());
    AtomicInteger calls = new AtomicInteger();
    Flux<String> small = Flux.defer(() -> {
      calls.incrementAndGet();
      return Flux.just("a", "b", "c");
    });
    StepVerifier.create(small.transform(cache.cachedFlux("small"))).expectNext("a", "b", "c").expectComplete()
        .verify(WAIT);
    StepVerifier.create(small.transform(cache.cachedFlux("small"))).expectNext("a", "b", "c").expectComplete()
        .verify(WAIT);
    assertThat(calls).hasValue(1);

    Flux<String> large = Flux.defer(() -> {
      calls.incrementAndGet();
      return Flux.just("1", "2", "3", "4");
    });
    StepVerifier.create(cache.getFlux("large", large)).expectNext("1", "2", "3", "4").expectComplete()
        .verify(WAIT);
    StepVerifier.create(cache.getFlux("large", large)).expectNextCount(4).expectComplete().verify(WAIT);
    assertThat(calls).as("a sequence over the bound is not stored").hasValue(3);
  }

  @Test
  void transformOperatorIsEquivalentToGetWithLoader() {
    Cache<String> cache = cache(ttl(Duration.ofMinutes(1)));
    AtomicInteger calls = new AtomicInteger();
    Mono<String> repository = Mono.fromSupplier(() -> "row" + calls.incrementAndGet());
    StepVerifier.create(repository.transform(cache.cachedMono("42"))).expectNext("row1").expectComplete()
        .verify(WAIT);
    StepVerifier.create(repository.transform(cache.cachedMono("42"))).expectNext("row1").expectComplete()
        .verify(WAIT);
    StepVerifier.create(cache.get("42")).expectNext("row1").expectComplete().verify(WAIT);
  }
}
