package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivecache.spi.BackendSettings;
import io.reactivecache.testing.MapCacheBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** {@link CacheManager}: the seed's operations, named backends, builder validation and typed views. */
class CacheManagerTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  record User(String name, int age) {}

  private VirtualTimeScheduler clock;
  private MapCacheBackend main;
  private MapCacheBackend other;
  private CacheManager manager;

  @BeforeEach
  void setUp() {
    clock = VirtualTimeScheduler.create();
    clock.advanceTimeTo(Instant.parse("2026-01-01T00:00:00Z"));
    main = new MapCacheBackend("main", clock, null);
    other = new MapCacheBackend("other", clock, Duration.ofMinutes(1));
    manager = CacheManager.builder().clock(clock).backend(main).backend(other).build();
  }

  @AfterEach
  void tearDown() {
    clock.dispose();
  }

  private static <T> void complete(Mono<T> operation) {
    StepVerifier.create(operation).expectComplete().verify(TIMEOUT);
  }

  private static <T> void expect(Mono<T> operation, T value) {
    StepVerifier.create(operation).expectNext(value).expectComplete().verify(TIMEOUT);
  }

  // --- the seed's operations ---------------------------------------------------------------------------------

  @Test
  void setWithoutTtlKeepsTheValueOnABackendWithoutDefaultTtl() {
    complete(manager.put("k", "v"));
    clock.advanceTimeBy(Duration.ofDays(400));
    expect(manager.get("k", String.class), "v");
    assertThat(main.raw("k")).isNotNull();
    assertThat(other.raw("k")).as("the default backend is the first one").isNull();
  }

  @Test
  void setWithTtlExpiresOnTheVirtualClock() {
    complete(manager.put("k", "v", Duration.ofSeconds(10)));
    clock.advanceTimeBy(Duration.ofSeconds(9));
    expect(manager.get("k", String.class), "v");
    expect(manager.exists("k"), true);
    clock.advanceTimeBy(Duration.ofSeconds(1));
    complete(manager.get("k", String.class));
    expect(manager.exists("k"), false);
  }

  @Test
  void setWithoutTtlUsesTheBackendsDefaultTtl() {
    CacheOperations withDefault = manager.backend("other");
    complete(withDefault.put("k", "v"));
    clock.advanceTimeBy(Duration.ofSeconds(59));
    expect(withDefault.get("k", String.class), "v");
    clock.advanceTimeBy(Duration.ofSeconds(1));
    complete(withDefault.get("k", String.class));
  }

  @Test
  void invalidTtlAndNullValueAreRefusedOnSubscription() {
    Mono<Void> zero = manager.put("k", "v", Duration.ZERO);
    StepVerifier.create(zero).expectErrorSatisfies(e -> assertThat(e)
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("'ttl'").hasMessageContaining("PT0S"))
        .verify(TIMEOUT);
    StepVerifier.create(manager.put("k", "v", Duration.ofSeconds(-1))).expectError(CacheConfigurationException.class)
        .verify(TIMEOUT);
    StepVerifier.create(manager.put("k", null)).expectError(IllegalArgumentException.class).verify(TIMEOUT);
    assertThat(main.rawSize()).isZero();
  }

  @Test
  void getIsTypedByClassOrValueType() {
    complete(manager.put("user", new User("Ada", 36)));
    complete(manager.put("names", List.of("a", "b")));
    complete(manager.put("count", 3));
    expect(manager.get("user", User.class), new User("Ada", 36));
    expect(manager.get("names", new ValueType<List<String>>() {}), List.of("a", "b"));
    expect(manager.get("count", int.class), 3);
  }

  @Test
  void valueOfAnotherTypeIsAMissNotAnError() {
    complete(manager.put("k", "a string"));
    complete(manager.get("k", Integer.class));
    complete(manager.get("k", new ValueType<List<String>>() {}));
    CacheStats stats = manager.stats("main").block(TIMEOUT);
    assertThat(stats.invalidPayloads()).isEqualTo(2);
    assertThat(stats.misses()).isEqualTo(2);
    expect(manager.get("k", String.class), "a string");
  }

  @Test
  void getOfAMissingKeyIsEmpty() {
    complete(manager.get("missing", String.class));
  }

  @Test
  void deleteTellsWhetherAValueWasRemoved() {
    complete(manager.put("k", "v"));
    expect(manager.delete("k"), true);
    expect(manager.delete("k"), false);
    expect(manager.exists("k"), false);
  }

  @Test
  void clearOneBackendOrAll() {
    complete(manager.put("a", "1"));
    complete(manager.backend("other").put("b", "2"));
    complete(manager.clear("other"));
    assertThat(other.rawSize()).isZero();
    assertThat(main.rawSize()).isEqualTo(1);
    complete(manager.backend("other").put("b", "2"));
    complete(manager.clear());
    assertThat(main.rawSize()).isZero();
    assertThat(other.rawSize()).isZero();
  }

  @Test
  void clearOrStatsOfAnUnknownBackendFailsOnSubscriptionNamingIt() {
    StepVerifier.create(manager.clear("nope")).expectErrorSatisfies(e -> assertThat(e)
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("'nope'")
        .hasMessageContaining("main").hasMessageContaining("other")).verify(TIMEOUT);
    StepVerifier.create(manager.stats("nope")).expectError(CacheConfigurationException.class).verify(TIMEOUT);
    assertThatThrownBy(() -> manager.backend("nope")).isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'nope'");
  }

  @Test
  void statsOfOneBackendAndTotals() {
    complete(manager.put("a", "1"));
    expect(manager.get("a", String.class), "1");
    complete(manager.get("missing", String.class));
    CacheOperations second = manager.backend("other");
    complete(second.put("b", "2"));
    complete(second.put("c", "3"));
    expect(second.get("b", String.class), "2");

    CacheStats first = manager.stats("main").block(TIMEOUT);
    assertThat(first.hits()).isEqualTo(1);
    assertThat(first.misses()).isEqualTo(1);
    assertThat(first.puts()).isEqualTo(1);
    assertThat(first.size()).isEqualTo(1);
    CacheStats total = manager.stats().block(TIMEOUT);
    assertThat(total.hits()).isEqualTo(2);
    assertThat(total.misses()).isEqualTo(1);
    assertThat(total.puts()).isEqualTo(3);
    assertThat(total.size()).isEqualTo(3);
    assertThat(total).isEqualTo(first.plus(second.stats().block(TIMEOUT)));
  }

  @Test
  void deletePatternRemovesMatchingKeysOfTheDefaultBackendOnly() {
    complete(manager.put("user:1", "a"));
    complete(manager.put("user:2", "b"));
    complete(manager.put("order:1", "c"));
    complete(manager.backend("other").put("user:3", "d"));
    expect(manager.deletePattern("user:*"), 2L);
    expect(manager.exists("order:1"), true);
    expect(manager.backend("other").exists("user:3"), true);
    StepVerifier.create(manager.deletePattern("user:[")).expectError(InvalidCacheKeyException.class).verify(TIMEOUT);
  }

  @Test
  void invalidateTagRemovesTaggedEntriesInEveryBackend() {
    CacheKey partner = CacheKeys.make("res.partner", "read", Map.of("id", 1));
    CacheKey partnerSearch = CacheKeys.make("res.partner", "search", Map.of("q", "x"));
    CacheKey user = CacheKeys.make("res.users", "read", Map.of("id", 1));
    complete(manager.put(partner, "p", Duration.ofMinutes(5)));
    complete(manager.put(user, "u", Duration.ofMinutes(5)));
    complete(manager.backend("other").put(partnerSearch, List.of("p"), Duration.ofMinutes(5)));
    complete(manager.put("untagged", "v"));

    expect(manager.invalidateTag("res.partner"), 2L);
    expect(manager.exists(partner), false);
    expect(manager.backend("other").exists(partnerSearch), false);
    expect(manager.exists(user), true);
    expect(manager.exists("untagged"), true);
    expect(manager.invalidateTag("res.partner"), 0L);
    StepVerifier.create(manager.invalidateTag("")).expectError(InvalidCacheKeyException.class).verify(TIMEOUT);
  }

  @Test
  void getAllAndPutAll() {
    Map<String, Integer> values = new LinkedHashMap<>();
    values.put("a", 1);
    values.put("b", 2);
    complete(manager.putAll(values, Duration.ofSeconds(30)));
    StepVerifier.create(manager.getAll(List.of("a", "missing", "b"), Integer.class))
        .assertNext(found -> assertThat(found).containsExactly(Map.entry("a", 1), Map.entry("b", 2)))
        .expectComplete().verify(TIMEOUT);
    complete(manager.put("s", "string"));
    StepVerifier.create(manager.getAll(List.of("a", "s"), Integer.class))
        .assertNext(found -> assertThat(found).containsOnlyKeys("a")).expectComplete().verify(TIMEOUT);
    clock.advanceTimeBy(Duration.ofSeconds(30));
    StepVerifier.create(manager.getAll(List.of("a", "b"), Integer.class))
        .assertNext(found -> assertThat(found).isEmpty()).expectComplete().verify(TIMEOUT);
    StepVerifier.create(manager.putAll(Map.of("x", 1), Duration.ZERO)).expectError(CacheConfigurationException.class)
        .verify(TIMEOUT);
    StepVerifier.create(manager.getAll(List.of("ok", ""), String.class)).expectError(InvalidCacheKeyException.class)
        .verify(TIMEOUT);
  }

  @Test
  void namedBackendsAreSeparate() {
    complete(manager.backend("other").put("k", "in other"));
    complete(manager.get("k", String.class));
    expect(manager.backend("other").get("k", String.class), "in other");
    assertThat(manager.backendNames()).containsExactly("main", "other");
    assertThat(manager.defaultBackend().backendName()).isEqualTo("main");
    assertThat(manager.backend("other").backendName()).isEqualTo("other");
  }

  @Test
  void defaultBackendCanBeChosen() {
    CacheManager chosen = CacheManager.builder().clock(clock).backend(main).backend(other)
        .defaultBackend("other").build();
    complete(chosen.put("k", "v"));
    assertThat(other.raw("k")).isNotNull();
    assertThat(main.raw("k")).isNull();
  }

  @Test
  void healthOfEveryBackendByName() {
    MapCacheBackend primary = new MapCacheBackend("redis", clock, null);
    CacheManager withFallback = CacheManager.builder().clock(clock).backend(main)
        .backend(CacheBackends.withFallback(primary, new MapCacheBackend("memory", clock, null))).build();
    StepVerifier.create(withFallback.health())
        .assertNext(health -> assertThat(health).containsExactly(Map.entry("main", CacheHealth.up()),
            Map.entry("redis", CacheHealth.up())))
        .expectComplete().verify(TIMEOUT);
    primary.failWith(new CacheBackendException("redis", "connection refused"));
    complete(withFallback.backend("redis").get("k", String.class));
    StepVerifier.create(withFallback.health())
        .assertNext(health -> {
          assertThat(health.get("main")).isEqualTo(CacheHealth.up());
          assertThat(health.get("redis").status()).isEqualTo(CacheHealth.Status.DEGRADED);
          assertThat(health.get("redis").reason()).contains("redis");
        })
        .expectComplete().verify(TIMEOUT);
  }

  @Test
  void backendFailureOnADirectOperationIsSignalled() {
    main.failWith(new CacheBackendException("main", "down"));
    StepVerifier.create(manager.get("k", String.class)).expectError(CacheBackendException.class).verify(TIMEOUT);
    StepVerifier.create(manager.put("k", "v")).expectError(CacheBackendException.class).verify(TIMEOUT);
  }

  @Test
  void operationsAreLazy() {
    Mono<Void> set = manager.put("lazy", "v");
    Mono<Void> clear = manager.clear();
    assertThat(main.operations.get()).isZero();
    complete(set);
    assertThat(main.raw("lazy")).isNotNull();
    complete(clear);
    assertThat(main.rawSize()).isZero();
  }

  @Test
  void closeClosesOnlyTheBackendsTheManagerCreated() {
    complete(manager.close());
    complete(main.get("k", ValueType.of(String.class)).then());
    complete(other.get("k", ValueType.of(String.class)).then());
  }

  // --- builder validation -------------------------------------------------------------------------------------

  @Test
  void builderRefusesNoBackend() {
    assertThatThrownBy(() -> CacheManager.builder().build()).isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("No backend").hasMessageContaining("memory(").hasMessageContaining("backend(");
  }

  @Test
  void builderRefusesDuplicateNames() {
    assertThatThrownBy(() -> CacheManager.builder().backend(new MapCacheBackend("x", clock, null))
        .backend(new MapCacheBackend("x", clock, null)).build())
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("'name'").hasMessageContaining("'x'");
  }

  @Test
  void builderRefusesAnUnknownDefaultBackend() {
    assertThatThrownBy(() -> CacheManager.builder().backend(main).defaultBackend("nope").build())
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("'defaultBackend'")
        .hasMessageContaining("'nope'").hasMessageContaining("main");
  }

  @Test
  void builderRefusesNullBackendAndNullPolicy() {
    assertThatThrownBy(() -> CacheManager.builder().backend((io.reactivecache.spi.CacheBackend) null))
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("'backend'");
    assertThatThrownBy(() -> CacheManager.builder().defaultPolicy(null))
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("'defaultPolicy'");
  }

  @Test
  void memoryWithoutTheMemoryModuleNamesTheMissingArtifact() {
    assertThatThrownBy(() -> CacheManager.builder().memory().build())
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("'memory'")
        .hasMessageContaining("reactive-cache-memory");
    assertThatThrownBy(() -> CacheManager.builder().clock(clock)
        .memory("local", 100, Duration.ofMinutes(1), Strategy.LRU).build())
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("reactive-cache-memory");
  }

  @Test
  void backendOfAnUnknownTypeNamesTheMissingArtifact() {
    assertThatThrownBy(() -> CacheManager.builder().backend("redis", "r", Map.of()).build())
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("reactive-cache-redis");
  }

  @Test
  void backendOptionsWithBadNumbersDurationsOrStrategiesAreNamed() {
    assertThatThrownBy(() -> CacheManager.builder().backend("redis", "r", Map.of("maximumSize", "lots")).build())
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("'maximumSize'")
        .hasMessageContaining("'lots'");
    assertThatThrownBy(() -> CacheManager.builder().backend("redis", "r", Map.of("defaultTtl", "5 minutes"))
        .build())
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("'defaultTtl'")
        .hasMessageContaining("'5 minutes'").hasMessageContaining("5m");
    assertThatThrownBy(() -> CacheManager.builder().backend("redis", "r", Map.of("strategy", "fifo")).build())
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("'strategy'")
        .hasMessageContaining("'fifo'");
  }

  @Test
  void backendSettingsRefuseBadValuesNamingThem() {
    assertThatThrownBy(() -> new BackendSettings("m", 0, Optional.empty(), Strategy.TTL, clock, Map.of()))
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("'maximumSize'")
        .hasMessageContaining(": 0 ");
    assertThatThrownBy(() -> new BackendSettings(" ", 10, Optional.empty(), Strategy.TTL, clock, Map.of()))
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("'name'");
    assertThatThrownBy(() -> new BackendSettings("m", 10, Optional.of(Duration.ofSeconds(-5)), Strategy.TTL, clock,
        Map.of())).isInstanceOf(CacheConfigurationException.class).hasMessageContaining("'defaultTtl'")
        .hasMessageContaining("PT-5S");
    BackendSettings ok = new BackendSettings("m", 10, Optional.empty(), Strategy.LFU, clock,
        new LinkedHashMap<>(Map.of("url", "redis://x")));
    assertThatThrownBy(() -> ok.options().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
  }

  // --- typed views --------------------------------------------------------------------------------------------

  @Test
  void viewNamesAreEscapedSoViewsNeverShareKeys() {
    Cache<String> ab = manager.cache("a:b", String.class);
    Cache<String> a = manager.cache("a", String.class);
    complete(ab.put("c", "from a:b"));
    complete(a.get("b:c"));
    complete(a.put("b:c", "from a"));
    StepVerifier.create(ab.get("c")).expectNext("from a:b").expectComplete().verify(TIMEOUT);
    StepVerifier.create(a.get("b:c")).expectNext("from a").expectComplete().verify(TIMEOUT);
    assertThat(main.rawSize()).isEqualTo(2);
  }

  @Test
  void viewKeysDoNotMeetPlainKeys() {
    Cache<String> users = manager.cache("users", String.class);
    complete(users.put("1", "view"));
    complete(manager.get("1", String.class));
    complete(manager.put("1", "plain"));
    StepVerifier.create(users.get("1")).expectNext("view").expectComplete().verify(TIMEOUT);
  }

  @Test
  void clearRemovesOnlyThatViewsKeys() {
    Cache<String> star = manager.cache("a*", String.class);
    Cache<String> ab = manager.cache("ab", String.class);
    Cache<String> user = manager.cache("user", String.class);
    Cache<String> users = manager.cache("users", String.class);
    complete(star.put("1", "x"));
    complete(star.put("2", "x"));
    complete(ab.put("1", "x"));
    complete(user.put("1", "x"));
    complete(users.put("1", "x"));
    expect(star.clear(), 2L);
    expect(ab.exists("1"), true);
    expect(user.clear(), 1L);
    expect(users.exists("1"), true);
    expect(star.exists("1"), false);
  }

  @Test
  void viewPutWithTtlExpires() {
    Cache<User> users = manager.cache("users", User.class);
    complete(users.put("1", new User("Ada", 36), Duration.ofSeconds(5)));
    clock.advanceTimeBy(Duration.ofSeconds(4));
    StepVerifier.create(users.get("1")).expectNext(new User("Ada", 36)).expectComplete().verify(TIMEOUT);
    clock.advanceTimeBy(Duration.ofSeconds(1));
    complete(users.get("1"));
    StepVerifier.create(users.put("1", new User("Ada", 36), Duration.ZERO))
        .expectError(CacheConfigurationException.class).verify(TIMEOUT);
  }

  @Test
  void viewPutUsesThePolicyTtl() {
    Cache<String> view = manager.cache("v", String.class,
        CachePolicy.builder().ttl(Duration.ofSeconds(20)).build());
    complete(view.put("k", "v"));
    clock.advanceTimeBy(Duration.ofSeconds(20));
    complete(view.get("k"));
  }

  @Test
  void viewGetAllPutAllDeleteAndExists() {
    Cache<User> users = manager.cache("users", User.class);
    Map<String, User> values = new LinkedHashMap<>();
    values.put("1", new User("Ada", 36));
    values.put("2", new User("Alan", 41));
    complete(users.putAll(values));
    StepVerifier.create(users.getAll(List.of("2", "3", "1")))
        .assertNext(found -> assertThat(found).containsOnly(Map.entry("1", new User("Ada", 36)),
            Map.entry("2", new User("Alan", 41))))
        .expectComplete().verify(TIMEOUT);
    expect(users.exists("1"), true);
    expect(users.delete("1"), true);
    expect(users.delete("1"), false);
    expect(users.exists("1"), false);
  }

  @Test
  void viewOfAnotherTypeMissesInsteadOfFailing() {
    complete(manager.cache("shared", String.class).put("k", "text"));
    complete(manager.cache("shared", User.class).get("k"));
  }

  @Test
  void viewNameMustBeUsable() {
    assertThatThrownBy(() -> manager.cache("", String.class)).isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'name'");
    assertThatThrownBy(() -> manager.cache("bad\nname", String.class))
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("control");
    StepVerifier.create(manager.cache("users", String.class).get("")).expectError(InvalidCacheKeyException.class)
        .verify(TIMEOUT);
  }

  @Test
  void viewWithTaggedPolicyIsRemovedByModelInvalidation() {
    Cache<String> partners = manager.cache("partners", ValueType.of(String.class),
        CachePolicy.builder().tags(java.util.Set.of("res.partner")).build());
    complete(partners.put("1", "p"));
    expect(manager.invalidateTag("res.partner"), 1L);
    complete(partners.get("1"));
  }

  @Test
  void viewOnANamedBackend() {
    Cache<String> view = manager.backend("other").cache("v", String.class);
    complete(view.put("k", "v"));
    assertThat(other.rawSize()).isEqualTo(1);
    assertThat(main.rawSize()).isZero();
  }
}
