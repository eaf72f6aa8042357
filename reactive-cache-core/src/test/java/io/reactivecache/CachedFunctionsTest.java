package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivecache.testing.MapCacheBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** {@link CachedFunctions}: the seed's {@code async_cached} and {@code cache_result}. */
class CachedFunctionsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private VirtualTimeScheduler clock;
  private MapCacheBackend main;
  private MapCacheBackend other;
  private CacheManager manager;
  private final AtomicInteger calls = new AtomicInteger();

  @BeforeEach
  void setUp() {
    clock = VirtualTimeScheduler.create();
    clock.advanceTimeTo(Instant.parse("2026-01-01T00:00:00Z"));
    main = new MapCacheBackend("main", clock, null);
    other = new MapCacheBackend("other", clock, null);
    manager = CacheManager.builder().clock(clock).backend(main).backend(other).build();
  }

  @AfterEach
  void tearDown() {
    clock.dispose();
  }

  private Mono<String> partner(Object id) {
    return Mono.fromCallable(() -> "partner " + id + " #" + calls.incrementAndGet());
  }

  private static void expect(Mono<String> call, String value) {
    StepVerifier.create(call).expectNext(value).expectComplete().verify(TIMEOUT);
  }

  @Test
  void oneArgumentFunctionIsCalledOncePerArgument() {
    Function<Long, Mono<String>> cached = manager.cached(String.class).keyPrefix("partner")
        .ttl(Duration.ofMinutes(5)).function(this::partner);
    expect(cached.apply(1L), "partner 1 #1");
    expect(cached.apply(1L), "partner 1 #1");
    expect(cached.apply(2L), "partner 2 #2");
    expect(cached.apply(2L), "partner 2 #2");
    assertThat(calls).hasValue(2);
    assertThat(main.rawSize()).isEqualTo(2);
  }

  @Test
  void resultExpiresWithTheTtl() {
    Function<Long, Mono<String>> cached = manager.cached(String.class).keyPrefix("partner")
        .ttl(Duration.ofMinutes(5)).function(this::partner);
    expect(cached.apply(1L), "partner 1 #1");
    clock.advanceTimeBy(Duration.ofMinutes(5));
    expect(cached.apply(1L), "partner 1 #2");
  }

  @Test
  void twoArgumentFunctionIsKeyedByBothArgumentsInOrder() {
    BiFunction<String, Integer, Mono<String>> cached = manager.cached(String.class).keyPrefix("search")
        .biFunction((domain, limit) -> Mono.fromCallable(() -> domain + "/" + limit + " #" + calls.incrementAndGet()));
    expect(cached.apply("active", 10), "active/10 #1");
    expect(cached.apply("active", 10), "active/10 #1");
    expect(cached.apply("active", 20), "active/20 #2");
    expect(cached.apply("inactive", 10), "inactive/10 #3");
    assertThat(calls).hasValue(3);
  }

  @Test
  void argumentsOfDifferentTypesGiveDifferentKeys() {
    Function<Object, Mono<String>> cached = manager.cached(String.class).keyPrefix("any").function(this::partner);
    expect(cached.apply(1), "partner 1 #1");
    expect(cached.apply("1"), "partner 1 #2");
    expect(cached.apply(1.0), "partner 1.0 #3");
    expect(cached.apply(List.of(1)), "partner [1] #4");
    assertThat(main.rawSize()).isEqualTo(4);
  }

  @Test
  void functionsWithDifferentPrefixesDoNotShareResults() {
    Function<Long, Mono<String>> first = manager.cached(String.class).keyPrefix("a").function(id -> Mono.just("a"));
    Function<Long, Mono<String>> second = manager.cached(String.class).keyPrefix("b").function(id -> Mono.just("b"));
    expect(first.apply(1L), "a");
    expect(second.apply(1L), "b");
  }

  @Test
  void keyBuilderMakesTheKey() {
    Function<Long, Mono<String>> cached = manager.cached(String.class).keyPrefix("partner")
        .keyBuilder(args -> "id-" + args.get(0)).function(this::partner);
    expect(cached.apply(7L), "partner 7 #1");
    assertThat(main.raw("partner:id-7")).isNotNull();
    expect(cached.apply(7L), "partner 7 #1");
  }

  @Test
  void keyBuilderReturningABadKeyFailsTheCall() {
    Function<Long, Mono<String>> cached = manager.cached(String.class).keyPrefix("partner")
        .keyBuilder(args -> "bad\nkey").function(this::partner);
    StepVerifier.create(cached.apply(7L)).expectError(InvalidCacheKeyException.class).verify(TIMEOUT);
    assertThat(calls).hasValue(0);
  }

  @Test
  void skipCacheCallsTheFunctionDirectly() {
    Function<Long, Mono<String>> cached = manager.cached(String.class).keyPrefix("partner")
        .skipCache(args -> (Long) args.get(0) == 0L).function(this::partner);
    expect(cached.apply(0L), "partner 0 #1");
    expect(cached.apply(0L), "partner 0 #2");
    assertThat(main.rawSize()).isZero();
    expect(cached.apply(1L), "partner 1 #3");
    expect(cached.apply(1L), "partner 1 #3");
  }

  @Test
  void anEmptyOrNullKeyPrefixIsRefused() {
    assertThatThrownBy(() -> manager.cached(String.class).keyPrefix(null))
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("'keyPrefix'")
        .hasMessageContaining("null");
    assertThatThrownBy(() -> manager.cached(String.class).keyPrefix(""))
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("'keyPrefix'");
  }

  @Test
  void callsAreLazy() {
    Function<Long, Mono<String>> cached = manager.cached(String.class).keyPrefix("partner").function(this::partner);
    Mono<String> call = cached.apply(1L);
    assertThat(calls).hasValue(0);
    assertThat(main.operations.get()).isZero();
    expect(call, "partner 1 #1");
  }

  @Test
  void backendIsChosenByName() {
    Function<Long, Mono<String>> cached = manager.cached(String.class).keyPrefix("partner").backend("other")
        .function(this::partner);
    expect(cached.apply(1L), "partner 1 #1");
    assertThat(other.rawSize()).isEqualTo(1);
    assertThat(main.rawSize()).isZero();
  }

  @Test
  void cacheResultEntriesAreRemovedByInvalidatingTheirModel() {
    BiFunction<String, Integer, Mono<String>> search = manager.cacheResult("res.partner", "search", String.class)
        .ttl(Duration.ofMinutes(5))
        .biFunction((domain, limit) -> Mono.fromCallable(() -> domain + " #" + calls.incrementAndGet()));
    expect(search.apply("active", 10), "active #1");
    expect(search.apply("active", 10), "active #1");
    StepVerifier.create(manager.invalidateTag("res.users")).expectNext(0L).expectComplete().verify(TIMEOUT);
    expect(search.apply("active", 10), "active #1");
    StepVerifier.create(manager.invalidateTag("res.partner")).expectNext(1L).expectComplete().verify(TIMEOUT);
    expect(search.apply("active", 10), "active #2");
  }

  @Test
  void cacheResultKeysAreModelKeys() {
    Function<Long, Mono<String>> read = manager.cacheResult("res.partner", "read", String.class)
        .function(this::partner);
    expect(read.apply(1L), "partner 1 #1");
    String rendered = CacheKeys.make("res.partner", "read", java.util.Map.of("args", List.of(1L))).render();
    assertThat(main.raw(rendered)).isNotNull();
    assertThat(main.raw(rendered).tags()).contains("res.partner");
  }

  @Test
  void modelsNamedInInvalidateOnRemoveTheResultsToo() {
    BiFunction<String, Integer, Mono<String>> search = manager.cacheResult("res.partner", "search", String.class)
        .tags("res.users", "res.company")
        .biFunction((domain, limit) -> Mono.fromCallable(() -> domain + " #" + calls.incrementAndGet()));
    expect(search.apply("active", 10), "active #1");
    StepVerifier.create(manager.invalidateTag("res.company")).expectNext(1L).expectComplete().verify(TIMEOUT);
    expect(search.apply("active", 10), "active #2");
    StepVerifier.create(manager.invalidateTag("res.users")).expectNext(1L).expectComplete().verify(TIMEOUT);
    expect(search.apply("active", 10), "active #3");
  }

  @Test
  void invalidateOnWorksForPrefixedFunctions() {
    Function<Long, Mono<String>> cached = manager.cached(String.class).keyPrefix("partner")
        .tags("res.partner").function(this::partner);
    expect(cached.apply(1L), "partner 1 #1");
    expect(cached.apply(2L), "partner 2 #2");
    StepVerifier.create(manager.invalidateTag("res.partner")).expectNext(2L).expectComplete().verify(TIMEOUT);
    expect(cached.apply(1L), "partner 1 #3");
  }

  @Test
  void concurrentCallsShareOneLoadByDefault() {
    Sinks.One<String> result = Sinks.one();
    Function<Long, Mono<String>> cached = manager.cached(String.class).keyPrefix("slow")
        .function(id -> Mono.defer(() -> {
          calls.incrementAndGet();
          return result.asMono();
        }));
    List<String> received = new CopyOnWriteArrayList<>();
    cached.apply(1L).subscribe(received::add);
    cached.apply(1L).subscribe(received::add);
    assertThat(calls).hasValue(1);
    result.tryEmitValue("v");
    assertThat(received).containsExactly("v", "v");
  }

  @Test
  void preventStampedeFalseLetsConcurrentCallsEachRun() {
    Sinks.One<String> result = Sinks.one();
    Function<Long, Mono<String>> cached = manager.cached(String.class).keyPrefix("slow").preventStampede(false)
        .function(id -> Mono.defer(() -> {
          calls.incrementAndGet();
          return result.asMono();
        }));
    List<String> received = new CopyOnWriteArrayList<>();
    cached.apply(1L).subscribe(received::add);
    cached.apply(1L).subscribe(received::add);
    assertThat(calls).hasValue(2);
    result.tryEmitValue("v");
    assertThat(received).containsExactly("v", "v");
    StepVerifier.create(cached.apply(1L)).expectNext("v").expectComplete().verify(TIMEOUT);
    assertThat(calls).as("the stored result serves later calls").hasValue(2);
  }

  @Test
  void staleWhileRevalidateServesStaleThenRefreshes() {
    AtomicReference<String> source = new AtomicReference<>("v1");
    Function<Long, Mono<String>> cached = manager.cached(String.class).keyPrefix("swr")
        .ttl(Duration.ofMinutes(1)).staleWhileRevalidate(Duration.ofMinutes(5))
        .function(id -> Mono.fromCallable(() -> {
          calls.incrementAndGet();
          return source.get();
        }));
    expect(cached.apply(1L), "v1");
    source.set("v2");
    clock.advanceTimeBy(Duration.ofMinutes(2));
    expect(cached.apply(1L), "v1");
    assertThat(calls).as("one background refresh").hasValue(2);
    expect(cached.apply(1L), "v2");
    assertThat(calls).hasValue(2);
    assertThat(manager.stats("main").block(TIMEOUT).staleServed()).isEqualTo(1);
    assertThat(manager.stats("main").block(TIMEOUT).refreshes()).isEqualTo(1);
  }

  @Test
  void pastTheStaleWindowTheCallWaitsForAFreshValue() {
    AtomicReference<String> source = new AtomicReference<>("v1");
    Function<Long, Mono<String>> cached = manager.cached(String.class).keyPrefix("swr")
        .ttl(Duration.ofMinutes(1)).staleWhileRevalidate(Duration.ofMinutes(5))
        .function(id -> Mono.fromCallable(source::get));
    expect(cached.apply(1L), "v1");
    source.set("v2");
    clock.advanceTimeBy(Duration.ofMinutes(6));
    expect(cached.apply(1L), "v2");
  }

  @Test
  void staleIfErrorServesTheStaleValueWhenTheFunctionFails() {
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    Function<Long, Mono<String>> cached = manager.cached(String.class).keyPrefix("sie")
        .ttl(Duration.ofMinutes(1)).staleIfError(Duration.ofMinutes(5))
        .function(id -> Mono.defer(() -> failure.get() == null ? Mono.just("v1") : Mono.error(failure.get())));
    expect(cached.apply(1L), "v1");
    failure.set(new IllegalStateException("db down"));
    clock.advanceTimeBy(Duration.ofMinutes(2));
    expect(cached.apply(1L), "v1");
    clock.advanceTimeBy(Duration.ofMinutes(5));
    StepVerifier.create(cached.apply(1L)).expectErrorMessage("db down").verify(TIMEOUT);
  }

  @Test
  void emptyResultIsCachedOnlyWithEmptyTtl() {
    Function<Long, Mono<String>> notCached = manager.cached(String.class).keyPrefix("e1")
        .function(id -> Mono.fromRunnable(calls::incrementAndGet));
    StepVerifier.create(notCached.apply(1L)).expectComplete().verify(TIMEOUT);
    StepVerifier.create(notCached.apply(1L)).expectComplete().verify(TIMEOUT);
    assertThat(calls).hasValue(2);

    Function<Long, Mono<String>> cached = manager.cached(String.class).keyPrefix("e2")
        .emptyTtl(Duration.ofSeconds(30)).function(id -> Mono.fromRunnable(calls::incrementAndGet));
    StepVerifier.create(cached.apply(1L)).expectComplete().verify(TIMEOUT);
    StepVerifier.create(cached.apply(1L)).expectComplete().verify(TIMEOUT);
    assertThat(calls).hasValue(3);
    clock.advanceTimeBy(Duration.ofSeconds(30));
    StepVerifier.create(cached.apply(1L)).expectComplete().verify(TIMEOUT);
    assertThat(calls).hasValue(4);
  }

  @Test
  void recordStatsFalseDoesNotCountLoads() {
    Function<Long, Mono<String>> counted = manager.cached(String.class).keyPrefix("c").function(this::partner);
    Function<Long, Mono<String>> silent = manager.cached(String.class).keyPrefix("s").recordStats(false)
        .function(this::partner);
    expect(counted.apply(1L), "partner 1 #1");
    expect(silent.apply(1L), "partner 1 #2");
    assertThat(manager.stats("main").block(TIMEOUT).loadSuccesses()).isEqualTo(1);
  }

  @Test
  void badPolicyOptionsAreRefusedWhenTheFunctionIsBuilt() {
    assertThatThrownBy(() -> manager.cached(String.class).keyPrefix("p").ttl(Duration.ZERO).function(this::partner))
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("'ttl'");
    assertThatThrownBy(() -> manager.cached(String.class).keyPrefix("p").backend("nope").function(this::partner))
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("'nope'");
  }

  @Test
  void backendFailureNeverReachesTheCaller() {
    Function<Long, Mono<String>> cached = manager.cached(String.class).keyPrefix("p").function(this::partner);
    main.failWith(new CacheBackendException("main", "down"));
    expect(cached.apply(1L), "partner 1 #1");
    expect(cached.apply(1L), "partner 1 #2");
    main.failWith(null);
    assertThat(manager.stats("main").block(TIMEOUT).backendFailures()).isEqualTo(4);
  }
}
