package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivecache.testing.MapCacheBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;
import reactor.test.util.RaceTestUtils;

/**
 * Runtime control of a live {@link CacheManager}: backends added, removed and made the default while it runs, caching
 * switched off and on per backend and per view, and the backend object reached for its own operations (a resize).
 * The last tests do it under many concurrent callers.
 */
class RuntimeControlTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final CachePolicy MINUTE = CachePolicy.builder().ttl(Duration.ofMinutes(1)).build();

  private VirtualTimeScheduler clock;
  private MapCacheBackend main;
  private CacheManager manager;

  @BeforeEach
  void setUp() {
    clock = VirtualTimeScheduler.create();
    clock.advanceTimeTo(Instant.parse("2026-01-01T00:00:00Z"));
    main = new MapCacheBackend("main", clock, null);
    manager = CacheManager.builder().clock(clock).backend(main).build();
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

  private static void failsBecauseRemoved(Mono<?> operation) {
    StepVerifier.create(operation).expectErrorSatisfies(error -> assertThat(error)
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("was removed from its CacheManager"))
        .verify(WAIT);
  }

  private static boolean isClosed(MapCacheBackend backend) {
    return backend.exists("probe").map(exists -> false)
        .onErrorResume(CacheBackendException.class, e -> Mono.just(true)).block(WAIT);
  }

  private static FlightRegistry flights(CacheOperations operations) {
    return ((BackendOperations) operations).handle().flights();
  }

  // --- adding, removing, the default ----------------------------------------------------------------------------

  @Test
  void aBackendAddedToALiveManagerIsInServiceAtOnce() {
    WatchedBackend extra = new WatchedBackend("extra", clock, false);
    CacheOperations added = manager.addBackend(extra).block(WAIT);

    assertThat(manager.backendNames()).containsExactly("main", "extra");
    assertThat(manager.backend("extra")).isSameAs(added);
    complete(added.put("k", "v"));
    expect(manager.backend("extra").get("k", String.class), "v");
    Cache<String> view = added.cache("users", String.class, MINUTE);
    expect(view.get("1", Mono.just("Ada")), "Ada");
    assertThat(extra.raw("users:1")).isNotNull();
    assertThat(main.rawSize()).isZero();
    assertThat(manager.stats().block(WAIT).puts()).as("the totals include it").isEqualTo(2);
  }

  @Test
  void theSeedsSetupOnALiveManagerCreatesTheBackendAndTheManagerClosesItOnRemoval() {
    CacheOperations made = manager.addBackend("map", "made", Map.of("defaultTtl", "1m")).block(WAIT);
    MapCacheBackend backend = MapBackendProvider.created("made").get(0);
    assertThat(made.unwrap(MapCacheBackend.class)).isSameAs(backend);

    complete(made.put("k", "v"));
    clock.advanceTimeBy(Duration.ofSeconds(59));
    expect(made.get("k", String.class), "v");
    clock.advanceTimeBy(Duration.ofSeconds(1));
    complete(made.get("k", String.class));

    complete(manager.removeBackend("made"));
    assertThat(isClosed(backend)).as("created by the manager, so closed by it").isTrue();

    MapCacheBackend borrowed = new MapCacheBackend("borrowed", clock, null);
    complete(manager.addBackend(borrowed).then());
    complete(manager.removeBackend("borrowed"));
    assertThat(isClosed(borrowed)).as("given by the caller, so left open").isFalse();
  }

  @Test
  void addingAMemoryBackendWithoutTheMemoryModuleSaysWhichDependencyToAdd() {
    StepVerifier.create(manager.addMemory("memory", 5_000, Duration.ofMinutes(5), Strategy.LRU))
        .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(CacheConfigurationException.class)
            .hasMessageContaining("reactive-cache-memory"))
        .verify(WAIT);
    assertThat(manager.backendNames()).containsExactly("main");
  }

  @Test
  void aNameInUseIsRefusedAndTheBackendCreatedForItIsClosed() {
    StepVerifier.create(manager.addBackend("map", "main", Map.of()))
        .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(CacheConfigurationException.class)
            .hasMessageContaining("'name'").hasMessageContaining("'main'"))
        .verify(WAIT);
    assertThat(isClosed(MapBackendProvider.created("main").get(0))).isTrue();
    assertThat(manager.backend("main").unwrap(MapCacheBackend.class)).isSameAs(main);

    MapCacheBackend sameName = new MapCacheBackend("main", clock, null);
    StepVerifier.create(manager.addBackend(sameName)).expectError(CacheConfigurationException.class).verify(WAIT);
    assertThat(isClosed(sameName)).as("the caller's backend is the caller's").isFalse();
  }

  @Test
  void badOptionsOfALiveAddAreRefusedNamingTheOptionAndNothingIsAdded() {
    StepVerifier.create(manager.addBackend("map", "bad", Map.of("maximumSize", "-1")))
        .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(CacheConfigurationException.class)
            .hasMessageContaining("'maximumSize'"))
        .verify(WAIT);
    StepVerifier.create(manager.addBackend("map", "bad", null))
        .expectErrorSatisfies(error -> assertThat(error).hasMessageContaining("'options'")).verify(WAIT);
    StepVerifier.create(manager.addBackend(null))
        .expectErrorSatisfies(error -> assertThat(error).hasMessageContaining("'backend'")).verify(WAIT);
    assertThat(manager.backendNames()).containsExactly("main");
  }

  @Test
  void addingIsLazy() {
    Mono<CacheOperations> add = manager.addBackend(new MapCacheBackend("later", clock, null));
    assertThat(manager.backendNames()).containsExactly("main");
    complete(add.then());
    assertThat(manager.backendNames()).containsExactly("main", "later");
  }

  @Test
  void everyOperationOnARemovedBackendFailsSayingItWasRemoved() {
    MapCacheBackend extra = new MapCacheBackend("extra", clock, null);
    CacheOperations operations = manager.addBackend(extra).block(WAIT);
    Cache<String> view = operations.cache("v", String.class, MINUTE);
    QueryCache<String> queries = operations.queries(String.class, MINUTE);
    Function<Long, Mono<String>> function = manager.cached(String.class).backend("extra").keyPrefix("f")
        .function(id -> Mono.just("x"));
    AtomicInteger loads = new AtomicInteger();
    Mono<String> loader = Mono.fromCallable(() -> "x" + loads.incrementAndGet());
    Mono<String> assembledBefore = view.get("k", loader);

    complete(manager.removeBackend("extra"));

    assertThat(manager.backendNames()).containsExactly("main");
    failsBecauseRemoved(assembledBefore);
    failsBecauseRemoved(operations.put("k", "v"));
    failsBecauseRemoved(operations.get("k", String.class));
    failsBecauseRemoved(operations.delete("k"));
    failsBecauseRemoved(operations.exists("k"));
    failsBecauseRemoved(operations.clear());
    failsBecauseRemoved(operations.invalidateTag("m"));
    failsBecauseRemoved(operations.stats());
    failsBecauseRemoved(operations.health());
    failsBecauseRemoved(operations.events().then());
    failsBecauseRemoved(operations.disable());
    failsBecauseRemoved(view.get("k"));
    failsBecauseRemoved(view.get("k", loader));
    failsBecauseRemoved(view.getWithOutcome("k", loader));
    failsBecauseRemoved(view.getFlux("k", Flux.just("x")).then());
    failsBecauseRemoved(view.getAll(List.of("a"), keys -> Mono.just(Map.of())));
    failsBecauseRemoved(view.put("k", "v"));
    failsBecauseRemoved(view.warm(Flux.just("a"), key -> loader));
    failsBecauseRemoved(function.apply(1L));
    failsBecauseRemoved(queries.count(QueryKey.on("m"), Mono.just(1L)));
    assertThat(loads).as("no loader ran").hasValue(0);
    assertThat(extra.rawSize()).isZero();
    assertThatThrownBy(() -> operations.unwrap(MapCacheBackend.class))
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("removed");
    assertThatThrownBy(() -> operations.cache("w", String.class))
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("removed");
    assertThatThrownBy(() -> manager.backend("extra"))
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("'extra'");
    assertThat(operations.isEnabled()).isFalse();
    StepVerifier.create(manager.removeBackend("extra")).expectErrorSatisfies(error -> assertThat(error)
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("'extra'")).verify(WAIT);
  }

  @Test
  void theDefaultBackendIsRemovedOnlyAfterAnotherIsMadeTheDefault() {
    MapCacheBackend other = new MapCacheBackend("other", clock, null);
    complete(manager.addBackend(other).then());
    Cache<String> createdBefore = manager.cache("v", String.class);
    Mono<Void> assembledBefore = manager.put("assembled", "v");

    StepVerifier.create(manager.removeBackend("main")).expectErrorSatisfies(error -> assertThat(error)
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("default")
        .hasMessageContaining("setDefaultBackend")).verify(WAIT);
    assertThat(manager.backendNames()).containsExactly("main", "other");

    complete(manager.setDefaultBackend("other"));
    assertThat(manager.backendNames()).as("the default first").containsExactly("other", "main");
    complete(manager.put("k", "v"));
    complete(assembledBefore);
    assertThat(other.raw("k")).isNotNull();
    assertThat(other.raw("assembled")).as("resolved when subscribed").isNotNull();
    complete(createdBefore.put("1", "x"));
    assertThat(main.raw("v:1")).as("a view keeps the backend it was created on").isNotNull();

    complete(manager.removeBackend("main"));
    assertThat(manager.backendNames()).containsExactly("other");
    StepVerifier.create(manager.setDefaultBackend("nope")).expectErrorSatisfies(error -> assertThat(error)
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("'defaultBackend'")).verify(WAIT);
  }

  @Test
  void aClosedManagerTakesNoNewBackend() {
    complete(manager.close());
    StepVerifier.create(manager.addBackend(new MapCacheBackend("late", clock, null)))
        .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(CacheConfigurationException.class)
            .hasMessageContaining("closed"))
        .verify(WAIT);
    StepVerifier.create(manager.addBackend("map", "late-owned", Map.of())).expectError(CacheConfigurationException.class)
        .verify(WAIT);
    assertThat(MapBackendProvider.created("late-owned")).isEmpty();
    complete(manager.close());
  }

  @Test
  void aLoadInFlightWhenItsBackendIsRemovedReachesItsCallersAndIsNotStored() {
    WatchedBackend extra = new WatchedBackend("extra", clock, false);
    CacheOperations operations = manager.addBackend(extra).block(WAIT);
    Cache<String> view = operations.cache("v", String.class, MINUTE);
    Sinks.One<String> gate = Sinks.one();
    AtomicInteger loads = new AtomicInteger();
    Mono<String> loader = Mono.defer(() -> {
      loads.incrementAndGet();
      return gate.asMono();
    });
    Mono<String> first = view.get("k", loader).cache();
    Mono<String> second = view.get("k", loader).cache();
    first.subscribe();
    second.subscribe();

    complete(manager.removeBackend("extra"));
    gate.tryEmitValue("loaded");

    assertThat(first.block(WAIT)).isEqualTo("loaded");
    assertThat(second.block(WAIT)).isEqualTo("loaded");
    assertThat(loads).hasValue(1);
    assertThat(extra.raw("v:k")).isNull();
    assertThat(extra.heldWrites()).isZero();
    assertThat(((BackendOperations) operations).handle().engineStats().coalescedLoads()).isEqualTo(1);
  }

  @Test
  void removalWaitsForAStoreAlreadyUnderWay() {
    WatchedBackend extra = new WatchedBackend("extra", clock, false);
    CacheOperations operations = manager.addBackend(extra).block(WAIT);
    Cache<String> view = operations.cache("v", String.class, MINUTE);
    extra.holdWrites();
    expect(view.get("k", Mono.just("loaded")), "loaded");
    assertThat(extra.heldWrites()).as("the store is under way").isEqualTo(1);

    CompletableFuture<Void> removal = manager.removeBackend("extra").toFuture();
    assertThat(removal).isNotDone();
    extra.releaseWrites();
    assertThat(removal).succeedsWithin(WAIT);
    assertThat(extra.raw("v:k")).as("it landed before the removal completed").isNotNull();
  }

  // --- caching off and on -----------------------------------------------------------------------------------------

  @Test
  void withCachingOffForABackendEveryCallGoesToItsLoaderAndNothingIsReadOrStored() {
    CacheOperations backend = manager.defaultBackend();
    Cache<String> view = manager.cache("v", String.class, MINUTE);
    complete(view.put("cached", "before"));
    AtomicInteger loads = new AtomicInteger();
    Mono<String> loader = Mono.fromCallable(() -> "loaded #" + loads.incrementAndGet());

    complete(backend.disable());
    assertThat(backend.isEnabled()).isFalse();
    assertThat(view.isEnabled()).isFalse();
    long readsBefore = main.operations.get();

    expect(view.get("cached", loader), "loaded #1");
    expect(view.get("cached", loader), "loaded #2");
    expect(view.get("new", loader), "loaded #3");
    complete(view.get("cached"));
    complete(manager.get("v:cached", String.class));
    expect(view.getFlux("list", Flux.just("a", "b")).collectList(), List.of("a", "b"));
    expect(view.exists("cached"), false);
    expect(manager.getAll(List.of("v:cached"), String.class), Map.of());
    assertThat(main.operations.get()).as("nothing read from the backend").isEqualTo(readsBefore);
    assertThat(main.raw("v:new")).as("nothing stored").isNull();
    assertThat(main.raw("v:list")).isNull();

    CacheStats stats = manager.stats().block(WAIT);
    assertThat(stats.bypassed()).isEqualTo(7);
    assertThat(stats.loadSuccesses()).as("a bypassed call is not a load").isZero();

    complete(backend.enable());
    assertThat(view.isEnabled()).isTrue();
    expect(view.get("cached", loader), "before");
    expect(view.get("new", loader), "loaded #4");
    expect(view.get("new", loader), "loaded #4");
  }

  @Test
  void blockingOnAViewOfAnInProcessBackendObeysTheSwitchesToo() {
    WatchedBackend watched = new WatchedBackend("watched", clock, true);
    CacheOperations operations = manager.addBackend(watched).block(WAIT);
    Cache<String> view = operations.cache("v", String.class, MINUTE);
    assertThat(view.get("k", Mono.just("cached")).block(WAIT)).isEqualTo("cached");

    operations.disable().block(WAIT);
    assertThat(view.get("k", Mono.just("direct")).block(WAIT)).isEqualTo("direct");
    assertThat(view.get("k", Mono.just("direct")).block()).isEqualTo("direct");
    assertThat(view.get("k").block(WAIT)).isNull();
    assertThat(view.get("new", Mono.just("direct")).block(WAIT)).isEqualTo("direct");
    assertThat(watched.raw("v:new")).isNull();
    assertThat(operations.stats().block(WAIT).bypassed()).isEqualTo(4);

    operations.enable().block(WAIT);
    manager.removeBackend("watched").block(WAIT);
    assertThatThrownBy(() -> view.get("k", Mono.just("x")).block(WAIT))
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("removed");
    assertThatThrownBy(() -> view.get("k").block()).isInstanceOf(CacheConfigurationException.class);
  }

  @Test
  void aWriteWhileCachingIsOffRemovesTheOlderValueSoNothingOlderIsServedOnceItIsBackOn() {
    Cache<String> view = manager.cache("v", String.class, MINUTE);
    complete(view.put("a", "old"));
    complete(view.put("b", "old"));
    complete(manager.put("c", "old"));
    complete(view.putAll(Map.of("d", "old")));

    complete(manager.defaultBackend().disable());
    complete(view.put("a", "new"));
    complete(view.put("b", "new", Duration.ofMinutes(1)));
    complete(manager.put("c", "new"));
    complete(view.putAll(Map.of("d", "new")));
    assertThat(main.raw("v:a")).isNull();
    assertThat(main.raw("v:b")).isNull();
    assertThat(main.raw("c")).isNull();
    assertThat(main.raw("v:d")).isNull();

    complete(manager.defaultBackend().enable());
    complete(view.get("a"));
    complete(manager.get("c", String.class));
  }

  @Test
  void invalidationsStillApplyWhileCachingIsOff() {
    Cache<String> view = manager.cache("v", String.class, CachePolicy.builder().ttl(Duration.ofMinutes(1))
        .tags(Set.of("model")).build());
    complete(view.putAll(Map.of("a", "1", "b", "2", "c", "3", "d", "4")));
    complete(manager.put("plain", "x"));

    complete(manager.defaultBackend().disable());
    expect(view.delete("a"), true);
    expect(manager.deletePattern("v:b"), 1L);
    complete(view.clear().then());
    complete(manager.clear());
    assertThat(main.rawSize()).isZero();
    complete(manager.defaultBackend().enable());

    complete(view.putAll(Map.of("e", "5")));
    complete(manager.defaultBackend().disable());
    expect(manager.invalidateTag("model"), 1L);
    assertThat(main.rawSize()).isZero();
  }

  @Test
  void switchingOneViewOffLeavesTheOtherViewsCachingAndReachesEveryViewOfThatName() {
    Cache<String> users = manager.cache("users", String.class, MINUTE);
    Cache<String> sameName = manager.cache("users", String.class, MINUTE);
    Cache<String> orders = manager.cache("orders", String.class, MINUTE);
    Function<Long, Mono<String>> function = manager.cached(String.class).keyPrefix("users")
        .function(id -> Mono.just("f" + id));
    AtomicInteger loads = new AtomicInteger();
    Mono<String> loader = Mono.fromCallable(() -> "#" + loads.incrementAndGet());

    complete(users.disable());
    assertThat(users.isEnabled()).isFalse();
    assertThat(sameName.isEnabled()).isFalse();
    assertThat(orders.isEnabled()).isTrue();
    assertThat(manager.defaultBackend().isEnabled()).isTrue();

    expect(sameName.get("1", loader), "#1");
    expect(sameName.get("1", loader), "#2");
    expect(function.apply(1L), "f1");
    expect(orders.get("1", loader), "#3");
    expect(orders.get("1", loader), "#3");
    assertThat(main.raw("users:1")).isNull();
    assertThat(main.raw("orders:1")).isNotNull();

    complete(sameName.enable());
    assertThat(users.isEnabled()).isTrue();
    expect(users.get("1", loader), "#4");
    expect(users.get("1", loader), "#4");

    complete(manager.defaultBackend().disable());
    complete(users.disable());
    complete(manager.defaultBackend().enable());
    assertThat(orders.isEnabled()).isTrue();
    assertThat(users.isEnabled()).as("a view switched off by name stays off").isFalse();
  }

  @Test
  void aLoadInFlightWhenCachingIsSwitchedOffReachesItsCallersButIsNotStored() {
    Cache<String> view = manager.cache("v", String.class, MINUTE);
    Sinks.One<String> gate = Sinks.one();
    Mono<String> waiting = view.get("k", gate.asMono()).cache();
    waiting.subscribe();

    complete(view.disable());
    complete(view.enable());
    gate.tryEmitValue("loaded");

    assertThat(waiting.block(WAIT)).isEqualTo("loaded");
    assertThat(main.raw("v:k")).as("loaded before the switch, finished after: not stored").isNull();
    AtomicInteger loads = new AtomicInteger();
    expect(view.get("k", Mono.fromCallable(() -> "again #" + loads.incrementAndGet())), "again #1");
  }

  @Test
  void switchingOffWaitsForAStoreAlreadyUnderWay() {
    WatchedBackend watched = new WatchedBackend("watched", clock, true);
    CacheOperations operations = manager.addBackend(watched).block(WAIT);
    Cache<String> view = operations.cache("v", String.class, MINUTE);
    watched.holdWrites();
    expect(view.get("k", Mono.just("loaded")), "loaded");

    CompletableFuture<Void> off = operations.disable().toFuture();
    assertThat(off).isNotDone();
    watched.releaseWrites();
    assertThat(off).succeedsWithin(WAIT);
    watched.forbidWrites(true);
    expect(view.get("k2", Mono.just("direct")), "direct");
    assertThat(watched.forbiddenWrites()).isZero();
  }

  @Test
  void bypassedReadsAreCountedOncePerKeyAndSaySoInTheirOutcome() {
    Cache<String> view = manager.cache("v", String.class, MINUTE);
    complete(view.disable());

    StepVerifier.create(view.getWithOutcome("k", Mono.just("x")))
        .assertNext(result -> {
          assertThat(result.outcome()).isEqualTo(CacheResult.Outcome.BYPASSED);
          assertThat(result.value()).contains("x");
        })
        .expectComplete().verify(WAIT);
    StepVerifier.create(view.getWithOutcome("k", Mono.empty()))
        .assertNext(result -> assertThat(result.value()).isEmpty()).expectComplete().verify(WAIT);
    AtomicReference<Set<String>> asked = new AtomicReference<>();
    expect(view.getAll(List.of("a", "b", "c"), keys -> {
      asked.set(keys);
      return Mono.just(Map.of("a", "1", "c", "3"));
    }), Map.of("a", "1", "c", "3"));
    assertThat(asked.get()).containsExactlyInAnyOrder("a", "b", "c");
    expect(view.getAll(List.of("a", "b")), Map.of());

    assertThat(manager.stats().block(WAIT).bypassed()).isEqualTo(2 + 3 + 2);
    Cache<String> silent = manager.cache("v", String.class, CachePolicy.builder().recordStats(false).build());
    expect(silent.get("k", Mono.just("x")), "x");
    assertThat(manager.stats().block(WAIT).bypassed()).as("recordStats(false) counts nothing").isEqualTo(7);
    assertThat(main.rawSize()).isZero();
  }

  // --- the backend object ---------------------------------------------------------------------------------------

  @Test
  void unwrapReachesTheBackendObjectAndItsOwnOperationsWhileCallsAreInFlight() {
    WatchedBackend watched = new WatchedBackend("watched", Schedulers.parallel(), true);
    CacheManager live = CacheManager.builder().backend(watched).build();
    Cache<String> view = live.cache("v", String.class, MINUTE);
    for (int round = 0; round < 200; round++) {
      int base = round * 10;
      RaceTestUtils.race(
          () -> Flux.range(base, 10).concatMap(i -> view.get("k" + i, Mono.just("v" + i))).blockLast(WAIT),
          () -> live.defaultBackend().unwrap(WatchedBackend.class).resize(5).block(WAIT));
      assertThat(watched.rawSize()).as("round %d", round).isLessThanOrEqualTo(5);
    }
    assertThat(live.defaultBackend().unwrap(WatchedBackend.class).maximum()).isEqualTo(5);
    assertThat(live.defaultBackend().unwrap(MapCacheBackend.class)).isSameAs(watched);
  }

  @Test
  void unwrappingAsAnotherTypeSaysWhatTheBackendIs() {
    assertThatThrownBy(() -> manager.defaultBackend().unwrap(WatchedBackend.class))
        .isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining(MapCacheBackend.class.getName()).hasMessageContaining(WatchedBackend.class.getName());
    assertThatThrownBy(() -> manager.defaultBackend().unwrap(null)).isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'type'");
  }

  @Test
  void aManagersBackendIsNotClosedThroughItsOperations() {
    StepVerifier.create(manager.defaultBackend().close()).expectErrorSatisfies(error -> assertThat(error)
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("removeBackend")).verify(WAIT);
    assertThat(isClosed(main)).isFalse();
  }

  // --- under concurrent callers ---------------------------------------------------------------------------------

  /** Callers on plain threads, each looping over calls until told to stop; blocking is fine off Reactor's threads. */
  private static final class Callers implements AutoCloseable {
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger loaderCalls = new AtomicInteger();
    final ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
    final AtomicBoolean running = new AtomicBoolean(true);
    private final ExecutorService pool;
    private final List<Future<?>> futures = new ArrayList<>();

    Callers(int threads, Function<Callers, Boolean> call) {
      pool = Executors.newFixedThreadPool(threads);
      for (int i = 0; i < threads; i++) {
        futures.add(pool.submit(() -> {
          while (running.get()) {
            try {
              if (!call.apply(this)) {
                return;
              }
              calls.incrementAndGet();
            } catch (Throwable error) {
              unexpected.add(error);
              return;
            }
          }
        }));
      }
    }

    /** The loader of key {@code key}: counted, answering later on another thread. */
    Mono<String> loader(String key) {
      return Mono.fromCallable(() -> {
        loaderCalls.incrementAndGet();
        return "value of " + key;
      }).subscribeOn(Schedulers.parallel());
    }

    /** Waits, within a generous liveness bound, until the callers made {@code more} calls after now. */
    void awaitMoreCalls(int more) {
      awaitAtLeast(calls::get, calls.get() + more);
    }

    @Override
    public void close() throws Exception {
      running.set(false);
      for (Future<?> future : futures) {
        future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertThat(unexpected).as("what callers got besides their values").isEmpty();
    }
  }

  private static void awaitAtLeast(IntSupplier value, int target) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (value.getAsInt() < target) {
      assertThat(System.nanoTime()).as("still waiting for %d (at %d)", target, value.getAsInt()).isLessThan(deadline);
      Thread.onSpinWait();
    }
  }

  @Test
  void switchingCachingOffAndOnUnderManyCallersStoresNothingWhileOffAndTheCountersAddUp() throws Exception {
    WatchedBackend watched = new WatchedBackend("watched", Schedulers.parallel(), true);
    CacheManager live = CacheManager.builder().backend(watched).build();
    // A short TTL keeps loads going while caching is on.
    Cache<String> view = live.cache("v", String.class, CachePolicy.builder().ttl(Duration.ofMillis(2)).build());
    CacheOperations backend = live.defaultBackend();

    try (Callers callers = new Callers(8, self -> {
      String key = "k" + ThreadLocalRandom.current().nextInt(16);
      String value = view.get(key, self.loader(key)).block(WAIT);
      assertThat(value).isEqualTo("value of " + key);
      return true;
    })) {
      for (int round = 0; round < 40; round++) {
        boolean wholeBackend = round % 2 == 0;
        complete(wholeBackend ? backend.disable() : view.disable());
        watched.forbidWrites(true);
        callers.awaitMoreCalls(20);
        watched.forbidWrites(false);
        complete(wholeBackend ? backend.enable() : view.enable());
        callers.awaitMoreCalls(20);
      }
      callers.close();

      assertThat(watched.forbiddenWrites()).as("writes while caching was off").isZero();
      CacheStats stats = live.stats().block(WAIT);
      assertThat(stats.bypassed()).isPositive();
      assertThat(stats.loadSuccesses()).isPositive();
      assertThat(stats.loadFailures()).isZero();
      assertThat(callers.loaderCalls.get()).as("every loader call is a counted load or a counted bypass")
          .isEqualTo(stats.loadSuccesses() + stats.bypassed());
      assertThat(flights(backend).isEmpty()).isTrue();
    }
  }

  @Test
  void removingABackendUnderManyCallersFailsTheirCallsCleanlyAndNothingIsStoredAfterwards() throws Exception {
    CacheManager live = CacheManager.builder().backend(new MapCacheBackend("main", Schedulers.parallel(), null))
        .build();
    for (int round = 0; round < 20; round++) {
      WatchedBackend watched = new WatchedBackend("extra" + round, Schedulers.parallel(), round % 2 == 0);
      CacheOperations operations = live.addBackend(watched).block(WAIT);
      Cache<String> view = operations.cache("v", String.class, CachePolicy.builder().ttl(Duration.ofMillis(2))
          .build());
      AtomicInteger removedErrors = new AtomicInteger();
      Callers callers = new Callers(6, self -> {
        String key = "k" + ThreadLocalRandom.current().nextInt(8);
        try {
          assertThat(view.get(key, self.loader(key)).block(WAIT)).isEqualTo("value of " + key);
          return true;
        } catch (CacheConfigurationException removed) {
          assertThat(removed).hasMessageContaining("was removed from its CacheManager");
          removedErrors.incrementAndGet();
          return false;
        }
      });
      callers.awaitMoreCalls(30);
      complete(live.removeBackend(watched.name()));
      watched.forbidWrites(true);
      awaitAtLeast(removedErrors::get, 6);
      callers.close();

      assertThat(watched.forbiddenWrites()).as("round %d: writes after the removal", round).isZero();
      assertThat(flights(operations).isEmpty()).as("round %d: loads left behind", round).isTrue();
      CacheStats engine = ((BackendOperations) operations).handle().engineStats();
      assertThat(callers.loaderCalls.get()).as("round %d", round)
          .isEqualTo(engine.loadSuccesses() + engine.bypassed());
      assertThat(isClosedForCallers(operations)).isTrue();
    }
    assertThat(live.backendNames()).containsExactly("main");
  }

  private static boolean isClosedForCallers(CacheOperations operations) {
    return operations.get("k", String.class).map(value -> false)
        .onErrorResume(CacheConfigurationException.class, e -> Mono.just(true)).defaultIfEmpty(false).block(WAIT);
  }

  @Test
  void racingAddsOfOneNameLeaveExactlyOneBackendAndCloseTheOther() {
    for (int round = 0; round < 200; round++) {
      String name = "race" + round;
      AtomicReference<Object> first = new AtomicReference<>();
      AtomicReference<Object> second = new AtomicReference<>();
      RaceTestUtils.race(
          () -> first.set(manager.addBackend("map", name, Map.of()).<Object>map(added -> added)
              .onErrorResume(error -> Mono.just(error)).block(WAIT)),
          () -> second.set(manager.addBackend("map", name, Map.of()).<Object>map(added -> added)
              .onErrorResume(error -> Mono.just(error)).block(WAIT)));
      List<Object> outcomes = List.of(first.get(), second.get());
      assertThat(outcomes).filteredOn(CacheOperations.class::isInstance).as("round %d", round).hasSize(1);
      assertThat(outcomes).filteredOn(CacheConfigurationException.class::isInstance).hasSize(1);
      List<MapCacheBackend> created = MapBackendProvider.created(name);
      assertThat(created).hasSize(2);
      MapCacheBackend kept = manager.backend(name).unwrap(MapCacheBackend.class);
      assertThat(created).filteredOn(backend -> backend != kept).allSatisfy(backend ->
          assertThat(isClosed(backend)).isTrue());
      assertThat(isClosed(kept)).isFalse();
    }
  }
}
