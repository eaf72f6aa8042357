package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * The engine defects of issue 7 (items 7, 8, 9, 10 and 16), each in the shape the adversarial run found it. Each
 * test failed on the engine before the flight redesign. Run on both read paths ({@link
 * EngineDefectsSynchronousReadTest}).
 */
class EngineDefectsTest extends EngineFixture {

  // Item 7: errorTtl defeats invalidation.
  @Test
  void aPutDuringAFailingLoadIsNotHiddenByTheRememberedError() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofMinutes(1)).errorTtl(Duration.ofMinutes(5))
        .build());
    Sinks.One<String> gate = Sinks.one();
    StepVerifier.create(cache.get("k", gate.asMono()))
        .then(() -> cache.put("k", "newer").block(WAIT))
        .then(() -> gate.tryEmitError(new IllegalStateException("source down")))
        .expectErrorMessage("source down").verify(WAIT);
    StepVerifier.create(cache.get("k", Mono.error(new AssertionError("must not load"))))
        .expectNext("newer").expectComplete().verify(WAIT);
  }

  @Test
  void aDeleteDuringAFailingLoadLetsTheNextCallLoad() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofMinutes(1)).errorTtl(Duration.ofMinutes(5))
        .build());
    Sinks.One<String> gate = Sinks.one();
    StepVerifier.create(cache.get("k", gate.asMono()))
        .then(() -> cache.delete("k").block(WAIT))
        .then(() -> gate.tryEmitError(new IllegalStateException("source down")))
        .expectErrorMessage("source down").verify(WAIT);
    AtomicInteger loads = new AtomicInteger();
    StepVerifier.create(cache.get("k", Mono.fromSupplier(() -> "loaded #" + loads.incrementAndGet())))
        .expectNext("loaded #1").expectComplete().verify(WAIT);
  }

  @Test
  void anErrorRememberedByOnePolicyIsNeverReplayedToAnother() {
    Cache<String> remembering = cache(CachePolicy.builder().ttl(Duration.ofMinutes(1))
        .errorTtl(Duration.ofMinutes(5)).build());
    Cache<String> plain = cache(CachePolicy.builder().ttl(Duration.ofMinutes(1)).build());
    StepVerifier.create(remembering.get("k", Mono.error(new IllegalStateException("down"))))
        .expectErrorMessage("down").verify(WAIT);
    StepVerifier.create(plain.get("k", Mono.just("up"))).expectNext("up").expectComplete().verify(WAIT);
  }

  // Item 8: errorTtl overrides stale serving.
  @Test
  void aRememberedErrorNeverHidesAStaleValueServedWhileRevalidating() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofSeconds(10))
        .staleWhileRevalidate(Duration.ofMinutes(1)).errorTtl(Duration.ofSeconds(30)).build());
    cache.get("k", Mono.just("v1")).block(WAIT);
    clock.advanceTimeBy(Duration.ofSeconds(15));
    AtomicInteger refreshes = new AtomicInteger();
    Mono<String> failing = Mono.defer(() -> {
      refreshes.incrementAndGet();
      return Mono.error(new IllegalStateException("source down"));
    });
    for (int i = 0; i < 3; i++) {
      StepVerifier.create(cache.get("k", failing)).expectNext("v1").expectComplete().verify(WAIT);
    }
    assertThat(refreshes).as("the remembered error also spares the source more refreshes").hasValue(1);
  }

  @Test
  void aRememberedErrorNeverHidesAStaleValueServedIfError() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofSeconds(10))
        .staleIfError(Duration.ofMinutes(1)).errorTtl(Duration.ofSeconds(30)).build());
    cache.get("k", Mono.just("v1")).block(WAIT);
    clock.advanceTimeBy(Duration.ofSeconds(15));
    Mono<String> failing = Mono.error(new IllegalStateException("source down"));
    StepVerifier.create(cache.get("k", failing)).expectNext("v1").expectComplete().verify(WAIT);
    StepVerifier.create(cache.get("k", failing)).expectNext("v1").expectComplete().verify(WAIT);
  }

  // Item 9: a hung background refresh locks the key forever.
  @Test
  void aHungBackgroundRefreshNoLongerHoldsTheKeyOnceTheStaleValueExpires() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofSeconds(10))
        .staleWhileRevalidate(Duration.ofSeconds(30)).build());
    cache.get("k", Mono.just("v1")).block(WAIT);
    clock.advanceTimeBy(Duration.ofSeconds(15));
    AtomicInteger hungCancelled = new AtomicInteger();
    Mono<String> hung = Mono.<String>never().doOnCancel(hungCancelled::incrementAndGet);
    StepVerifier.create(cache.get("k", hung)).expectNext("v1").expectComplete().verify(WAIT);
    clock.advanceTimeBy(Duration.ofSeconds(30)); // past fresh 10 s + stale 30 s
    assertThat(hungCancelled).as("the refresh nobody waits for is cancelled").hasValue(1);
    StepVerifier.create(cache.get("k", Mono.just("v2"))).expectNext("v2").expectComplete().verify(WAIT);
  }

  @Test
  void callersJoiningAHungRefreshAfterExpiryAreReleasedByTheirTimeoutsAndTheKeyLoadsAgain() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofSeconds(10))
        .staleWhileRevalidate(Duration.ofSeconds(30)).build());
    cache.get("k", Mono.just("v1")).block(WAIT);
    clock.advanceTimeBy(Duration.ofSeconds(39));
    Sinks.One<String> slowRefresh = Sinks.one();
    StepVerifier.create(cache.get("k", slowRefresh.asMono())).expectNext("v1").expectComplete().verify(WAIT);
    clock.advanceTimeBy(Duration.ofSeconds(2)); // expired; the refresh's hold ran out
    StepVerifier.create(cache.get("k", Mono.just("v2"))).expectNext("v2").expectComplete().verify(WAIT);
  }

  // Item 10: error memory fills with expired entries.
  @Test
  void errorMemoryKeepsWorkingAfterTenThousandKeysFailedOnce() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofMinutes(1)).errorTtl(Duration.ofSeconds(1))
        .build());
    for (int i = 0; i < ErrorMemory.MAX_ERRORS + 10; i++) {
      StepVerifier.create(cache.get("failing-" + i, Mono.error(new IllegalStateException("down"))))
          .expectError().verify(WAIT);
    }
    clock.advanceTimeBy(Duration.ofSeconds(2));
    AtomicInteger calls = new AtomicInteger();
    Mono<String> failing = Mono.defer(() -> {
      calls.incrementAndGet();
      return Mono.error(new IllegalStateException("down again"));
    });
    StepVerifier.create(cache.get("new-key", failing)).expectErrorMessage("down again").verify(WAIT);
    StepVerifier.create(cache.get("new-key", failing)).expectErrorMessage("down again").verify(WAIT);
    assertThat(calls).as("the second call replays the remembered error").hasValue(1);
  }

  // Item 16: cachedFlux buffers the whole source.
  @Test
  void cachedFluxStreamsAnEndlessSourceToItsCaller() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofMinutes(1)).maxElements(3).build());
    Flux<String> endless = Flux.interval(Duration.ofMillis(1), Schedulers.parallel()).map(i -> "e" + i);
    StepVerifier.create(cache.getFlux("endless", endless).take(5))
        .expectNext("e0", "e1", "e2", "e3", "e4").expectComplete().verify(WAIT);
    assertThat(backend.raw("items:endless")).as("over maxElements: not stored").isNull();
  }

  @Test
  void cachedFluxDeliversEachElementAsTheSourceEmitsIt() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofMinutes(1)).build());
    Sinks.Many<String> source = Sinks.many().unicast().onBackpressureBuffer();
    StepVerifier.create(cache.getFlux("k", source.asFlux()))
        .then(() -> source.tryEmitNext("a"))
        .expectNext("a")
        .then(() -> source.tryEmitNext("b"))
        .expectNext("b")
        .then(source::tryEmitComplete)
        .expectComplete().verify(WAIT);
    StepVerifier.create(cache.getFlux("k", Flux.error(new AssertionError("must not load"))))
        .expectNext("a", "b").expectComplete().verify(WAIT);
  }

  @Test
  void cachedFluxCallersThatMissTogetherShareOneLoad() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofMinutes(1)).build());
    AtomicInteger subscriptions = new AtomicInteger();
    Sinks.Many<String> source = Sinks.many().replay().all();
    Flux<String> loader = Flux.defer(() -> {
      subscriptions.incrementAndGet();
      return source.asFlux();
    });
    Mono<List<List<String>>> both = Flux.merge(cache.getFlux("k", loader).collectList(),
        cache.getFlux("k", loader).collectList()).collectList();
    StepVerifier.create(both)
        .then(() -> {
          source.tryEmitNext("x");
          source.tryEmitNext("y");
          source.tryEmitComplete();
        })
        .assertNext(lists -> assertThat(lists).containsOnly(List.of("x", "y")))
        .expectComplete().verify(WAIT);
    assertThat(subscriptions).hasValue(1);
  }

  @Test
  void callersThatJoinedAStreamThatOutgrowsTheBoundLoadOnTheirOwn() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofMinutes(1)).maxElements(2).build());
    AtomicInteger subscriptions = new AtomicInteger();
    Flux<String> loader = Flux.defer(() -> {
      subscriptions.incrementAndGet();
      return Flux.just("1", "2", "3").delayElements(Duration.ofMillis(1), Schedulers.parallel());
    });
    Mono<List<List<String>>> both = Flux.merge(cache.getFlux("k", loader).collectList(),
        cache.getFlux("k", loader).collectList()).collectList();
    StepVerifier.create(both)
        .assertNext(lists -> assertThat(lists).containsOnly(List.of("1", "2", "3")))
        .expectComplete().verify(WAIT);
    assertThat(subscriptions).as("the joiner loads on its own once the stream outgrows the bound").hasValue(2);
    assertThat(backend.raw("items:k")).isNull();
  }

  @Test
  void theFirstCallerLeavingAStreamLetsTheJoinedCallersLoad() {
    Cache<String> cache = cache(CachePolicy.builder().ttl(Duration.ofMinutes(1)).build());
    Sinks.Many<String> first = Sinks.many().unicast().onBackpressureBuffer();
    AtomicInteger subscriptions = new AtomicInteger();
    Flux<String> loader = Flux.defer(() -> subscriptions.incrementAndGet() == 1 ? first.asFlux()
        : Flux.just("second load"));
    var leaving = cache.getFlux("k", loader).subscribe();
    StepVerifier.create(cache.getFlux("k", loader))
        .then(leaving::dispose)
        .expectNext("second load").expectComplete().verify(WAIT);
  }
}
