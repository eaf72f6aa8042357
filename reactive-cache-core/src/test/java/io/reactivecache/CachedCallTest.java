package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivecache.spi.KeyPattern;
import io.reactivecache.testing.MapCacheBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * Cached functions of any number of arguments ({@link CachedCall}) and the default key prefix (the call site).
 */
class CachedCallTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private VirtualTimeScheduler clock;
  private MapCacheBackend backend;
  private CacheManager manager;
  private final AtomicInteger calls = new AtomicInteger();
  private final List<List<Object>> received = new ArrayList<>();

  @BeforeEach
  void setUp() {
    clock = VirtualTimeScheduler.create();
    clock.advanceTimeTo(Instant.parse("2026-01-01T00:00:00Z"));
    backend = new MapCacheBackend("main", clock, null);
    manager = CacheManager.builder().clock(clock).backend(backend).build();
  }

  @AfterEach
  void tearDown() {
    clock.dispose();
  }

  private Mono<String> search(List<Object> args) {
    return Mono.fromCallable(() -> {
      received.add(args);
      return "result of " + args + " #" + calls.incrementAndGet();
    });
  }

  private Mono<String> partner(Long id) {
    return Mono.fromCallable(() -> "partner " + id + " #" + calls.incrementAndGet());
  }

  private static void expect(Mono<String> call, String value) {
    StepVerifier.create(call).expectNext(value).expectComplete().verify(WAIT);
  }

  // --- any arity ------------------------------------------------------------------------------------------------

  @Test
  void aFunctionOfAnyArityIsKeyedByAllItsArgumentsInOrder() {
    CachedCall<String> search = manager.cached(String.class).keyPrefix("search").varargs(this::search);

    expect(search.call("res.partner", 10, true), "result of [res.partner, 10, true] #1");
    expect(search.call("res.partner", 10, true), "result of [res.partner, 10, true] #1");
    expect(search.call("res.users", 10, true), "result of [res.users, 10, true] #2");
    expect(search.call("res.partner", 11, true), "result of [res.partner, 11, true] #3");
    expect(search.call("res.partner", 10, false), "result of [res.partner, 10, false] #4");
    expect(search.call(10, "res.partner", true), "result of [10, res.partner, true] #5");
    expect(search.call("res.partner", 10), "result of [res.partner, 10] #6");
    expect(search.call("res.partner", 10, true, null), "result of [res.partner, 10, true, null] #7");
    expect(search.call(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), "result of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] #8");
    expect(search.call(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), "result of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] #8");
    assertThat(backend.rawSize()).isEqualTo(8);
  }

  @Test
  void aGenericResultTypeIsGivenAsAValueType() {
    CachedCall<List<String>> names = manager.cached(new ValueType<List<String>>() {}).keyPrefix("names")
        .varargs(args -> Mono.fromCallable(() -> List.of("n" + calls.incrementAndGet())));
    StepVerifier.create(names.call("a")).expectNext(List.of("n1")).expectComplete().verify(WAIT);
    StepVerifier.create(names.call("a")).expectNext(List.of("n1")).expectComplete().verify(WAIT);
  }

  @Test
  void noArgumentsIsOneKey() {
    CachedCall<String> all = manager.cached(String.class).keyPrefix("countries").varargs(this::search);
    expect(all.call(), "result of [] #1");
    expect(all.call(), "result of [] #1");
  }

  @Test
  void keywordArgumentsGivenAsAMapMatchWhateverTheirOrder() {
    CachedCall<String> search = manager.cached(String.class).keyPrefix("search").varargs(this::search);
    Map<String, Object> kwargs = new LinkedHashMap<>();
    kwargs.put("limit", 10);
    kwargs.put("order", "name");
    Map<String, Object> reordered = new LinkedHashMap<>();
    reordered.put("order", "name");
    reordered.put("limit", 10);

    String first = search.call(List.of("is_company", "=", true), kwargs).block(WAIT);
    expect(search.call(List.of("is_company", "=", true), reordered), first);
    expect(search.call(List.of("is_company", "=", true), Map.of("order", "name", "limit", 10L)), first);
    assertThat(search.call(List.of("is_company", "=", true), Map.of("order", "name", "limit", 11)).block(WAIT))
        .isNotEqualTo(first);
    assertThat(search.call(List.of("is_company", "=", true), Map.of("order", "id", "limit", 10)).block(WAIT))
        .isNotEqualTo(first);
    assertThat(calls).hasValue(3);
  }

  @Test
  void theArgumentsAreTakenWhenTheFunctionIsCalled() {
    CachedCall<String> search = manager.cached(String.class).keyPrefix("search").varargs(this::search);
    Object[] args = {1, 2};
    Mono<String> call = search.call(args);
    args[0] = 9;
    expect(call, "result of [1, 2] #1");
    expect(search.call(1, 2), "result of [1, 2] #1");
    assertThatThrownBy(() -> received.get(0).set(0, 3)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aNullArrayIsOneNullArgument() {
    CachedCall<String> search = manager.cached(String.class).keyPrefix("search").varargs(this::search);
    expect(search.call((Object[]) null), "result of [null] #1");
    expect(search.call((Object) null), "result of [null] #1");
    expect(search.call(), "result of [] #2");
  }

  @Test
  void anArgumentWithoutCanonicalFormFailsTheCallUnlessTheKeyIsBuiltByHand() {
    CachedCall<String> search = manager.cached(String.class).keyPrefix("search").varargs(this::search);
    StepVerifier.create(search.call(new Object(), 1)).expectErrorSatisfies(error -> assertThat(error)
        .isInstanceOf(InvalidCacheKeyException.class).hasMessageContaining("no canonical form")).verify(WAIT);
    assertThat(calls).hasValue(0);

    Object client = new Object();
    CachedCall<String> byHand = manager.cached(String.class).keyPrefix("by-hand")
        .keyBuilder(args -> String.valueOf(args.get(1))).varargs(this::search);
    assertThat(byHand.call(client, 1).block(WAIT)).endsWith("#1");
    assertThat(byHand.call(client, 1).block(WAIT)).endsWith("#1");
  }

  @Test
  void everyPolicyOptionStaysReachable() {
    AtomicInteger attempts = new AtomicInteger();
    CachedCall<String> failing = manager.cached(String.class).keyPrefix("failing")
        .policy(CachePolicy.builder().errorTtl(Duration.ofSeconds(30)).loadTimeout(Duration.ofSeconds(5)).build())
        .varargs(args -> Mono.error(new IllegalStateException("down #" + attempts.incrementAndGet())));
    StepVerifier.create(failing.call("a", "b", "c")).expectErrorMessage("down #1").verify(WAIT);
    StepVerifier.create(failing.call("a", "b", "c")).expectErrorMessage("down #1").verify(WAIT);
    clock.advanceTimeBy(Duration.ofSeconds(30));
    StepVerifier.create(failing.call("a", "b", "c")).expectErrorMessage("down #2").verify(WAIT);
  }

  @Test
  void skipCacheSeesEveryArgument() {
    CachedCall<String> search = manager.cached(String.class).keyPrefix("search")
        .skipCache(args -> Boolean.TRUE.equals(args.get(2))).varargs(this::search);
    expect(search.call("a", 1, true), "result of [a, 1, true] #1");
    expect(search.call("a", 1, true), "result of [a, 1, true] #2");
    expect(search.call("a", 1, false), "result of [a, 1, false] #3");
    expect(search.call("a", 1, false), "result of [a, 1, false] #3");
  }

  // --- the default key prefix -----------------------------------------------------------------------------------

  @Test
  void withoutAKeyPrefixTheKeysAreUnderTheCallSite() {
    // Both statements on one line: the expected call site is this line.
    StackTraceElement here = new Throwable().getStackTrace()[0]; Function<Long, Mono<String>> partner = manager.cached(String.class).function(this::partner);

    expect(partner.apply(42L), "partner 42 #1");
    expect(partner.apply(42L), "partner 42 #1");
    String callSite = getClass().getName() + ".withoutAKeyPrefixTheKeysAreUnderTheCallSite:" + here.getLineNumber();
    String stored = DefaultCache.prefixOf(callSite) + KeyRules.sha256(Canonical.render(Arrays.asList(42L)));
    assertThat(backend.raw(stored)).as("stored under %s", stored).isNotNull();
    assertThat(manager.deletePattern(KeyPattern.escape(DefaultCache.prefixOf(callSite)) + "*").block(WAIT))
        .isEqualTo(1);
  }

  @Test
  void functionsBuiltAtDifferentPlacesDoNotShareResults() {
    Function<Long, Mono<String>> first = manager.cached(String.class).function(id -> Mono.just("first " + id));
    Function<Long, Mono<String>> second = manager.cached(String.class).function(id -> Mono.just("second " + id));
    expect(first.apply(1L), "first 1");
    expect(second.apply(1L), "second 1");
    expect(first.apply(1L), "first 1");
  }

  /** Stands for a service built at each start of the application: the same code, so the same call site. */
  private Function<Long, Mono<String>> partnerFunction(CacheManager on) {
    return on.cached(String.class).ttl(Duration.ofHours(1)).function(this::partner);
  }

  @Test
  void theDefaultPrefixIsTheSameAfterARestartSoSharedEntriesAreFoundAgain() {
    expect(partnerFunction(manager).apply(7L), "partner 7 #1");

    CacheManager afterRestart = CacheManager.builder().clock(clock).backend(backend).build();
    expect(partnerFunction(afterRestart).apply(7L), "partner 7 #1");
    assertThat(calls).hasValue(1);
  }

  @Test
  void theSameFunctionBuiltAgainAtItsCallSiteSharesItsEntries() {
    List<Function<Long, Mono<String>>> built = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      built.add(manager.cached(String.class).function(this::partner));
    }
    expect(built.get(0).apply(1L), "partner 1 #1");
    expect(built.get(2).apply(1L), "partner 1 #1");
  }

  /** A helper that wraps whatever function it is given: one call site for many functions. */
  private Function<Long, Mono<String>> wrap(Function<Long, Mono<String>> function) {
    return manager.cached(String.class).function(function);
  }

  @Test
  void aSecondDifferentFunctionBuiltAtOneCallSiteIsRefusedForItWouldShareKeys() {
    Function<Long, Mono<String>> partners = wrap(id -> Mono.just("partner " + id));
    assertThatThrownBy(() -> wrap(id -> Mono.just("user " + id)))
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("'keyPrefix'")
        .hasMessageContaining(getClass().getName() + ".wrap:");
    expect(partners.apply(1L), "partner 1");
    Function<Long, Mono<String>> named = manager.cached(String.class).keyPrefix("users")
        .function(id -> Mono.just("user " + id));
    expect(named.apply(1L), "user 1");
  }
}
