package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.KeyPattern;
import io.reactivecache.testing.MapCacheBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** {@link CacheBackends#twoLevel}: a near level in front of a shared one. */
class TwoLevelCacheBackendTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Duration L1_TTL = Duration.ofSeconds(30);
  private static final ValueType<String> STRING = ValueType.of(String.class);

  private VirtualTimeScheduler clock;
  private MapCacheBackend l1;
  private MapCacheBackend l2;
  private CacheBackend backend;

  @BeforeEach
  void setUp() {
    clock = VirtualTimeScheduler.create();
    clock.advanceTimeTo(Instant.parse("2026-01-01T00:00:00Z"));
    l1 = new MapCacheBackend("near", clock, null);
    l2 = new MapCacheBackend("shared", clock, null);
    backend = CacheBackends.twoLevel(l1, l2, L1_TTL, clock);
  }

  @AfterEach
  void tearDown() {
    clock.dispose();
  }

  private long now() {
    return clock.now(TimeUnit.MILLISECONDS);
  }

  /** Fresh for 10 minutes, expiring after 20: far longer than the L1 cap. */
  private CacheEntry<String> entry(String value, String... tags) {
    return CacheEntry.of(value, now(), now() + 600_000, now() + 1_200_000, Set.of(tags));
  }

  private void put(CacheBackend target, String key, String value, String... tags) {
    StepVerifier.create(target.put(key, entry(value, tags))).expectComplete().verify(TIMEOUT);
  }

  private void expectValue(String key, String value) {
    StepVerifier.create(backend.get(key, STRING)).assertNext(e -> assertThat(e.value()).isEqualTo(value))
        .expectComplete().verify(TIMEOUT);
  }

  @Test
  void readThroughCopiesAnL2HitIntoL1() {
    put(l2, "k", "v");
    assertThat(l1.raw("k")).isNull();
    expectValue("k", "v");
    assertThat(l1.raw("k")).isNotNull();
    long l2Operations = l2.operations.get();
    expectValue("k", "v");
    assertThat(l2.operations.get()).as("the second read is served by L1").isEqualTo(l2Operations);
  }

  @Test
  void missInBothLevelsIsEmptyAndWritesNothingToL1() {
    StepVerifier.create(backend.get("nope", STRING)).expectComplete().verify(TIMEOUT);
    assertThat(l1.rawSize()).isZero();
  }

  @Test
  void l1CopyLivesAtMostL1TtlSoAChangeInL2IsSeenAfterIt() {
    put(l2, "k", "old");
    expectValue("k", "old");
    CacheEntry<?> copy = l1.raw("k");
    assertThat(copy.expiresAt()).isEqualTo(now() + L1_TTL.toMillis());
    put(l2, "k", "new");                 // another process writes the shared level
    clock.advanceTimeBy(L1_TTL.minusSeconds(1));
    expectValue("k", "old");             // still within the cap: this process may be that stale
    clock.advanceTimeBy(Duration.ofSeconds(1));
    expectValue("k", "new");
  }

  @Test
  void writeThroughTheCompositionCapsTheL1CopyToo() {
    put(backend, "k", "v");
    assertThat(l2.raw("k").expiresAt()).isEqualTo(now() + 1_200_000);
    assertThat(l1.raw("k").expiresAt()).isEqualTo(now() + L1_TTL.toMillis());
    assertThat(l1.raw("k").freshUntil()).isLessThanOrEqualTo(l1.raw("k").expiresAt());
  }

  @Test
  void entryExpiringBeforeTheCapIsCopiedUnchanged() {
    CacheEntry<String> shortLived = CacheEntry.of("v", now(), now() + 5_000, now() + 10_000, Set.of("m"));
    StepVerifier.create(l2.put("k", shortLived)).expectComplete().verify(TIMEOUT);
    expectValue("k", "v");
    assertThat(l1.raw("k").expiresAt()).isEqualTo(shortLived.expiresAt());
    assertThat(l1.raw("k").freshUntil()).isEqualTo(shortLived.freshUntil());
    assertThat(l1.raw("k").tags()).containsExactly("m");
  }

  @Test
  void writesAndInvalidationsReachBothLevels() {
    put(backend, "a", "1", "res.partner");
    put(backend, "b", "2");
    put(backend, "user:1", "3");
    put(backend, "user:2", "4");
    assertThat(l1.rawSize()).isEqualTo(4);
    assertThat(l2.rawSize()).isEqualTo(4);

    StepVerifier.create(backend.delete("b")).expectNext(true).expectComplete().verify(TIMEOUT);
    assertThat(l1.raw("b")).isNull();
    assertThat(l2.raw("b")).isNull();

    StepVerifier.create(backend.deletePattern(KeyPattern.of("user:*"))).expectNext(2L).expectComplete()
        .verify(TIMEOUT);
    assertThat(l1.raw("user:1")).isNull();
    assertThat(l2.raw("user:2")).isNull();

    StepVerifier.create(backend.invalidateTag("res.partner")).expectNext(1L).expectComplete().verify(TIMEOUT);
    assertThat(l1.raw("a")).isNull();
    assertThat(l2.raw("a")).isNull();

    put(backend, "c", "5");
    StepVerifier.create(backend.clear()).expectComplete().verify(TIMEOUT);
    assertThat(l1.rawSize()).isZero();
    assertThat(l2.rawSize()).isZero();
  }

  @Test
  void putAllWritesBothLevels() {
    StepVerifier.create(backend.putAll(Map.of("a", entry("1"), "b", entry("2")))).expectComplete().verify(TIMEOUT);
    assertThat(l1.raw("a")).isNotNull();
    assertThat(l2.raw("b")).isNotNull();
    assertThat(l1.raw("b").expiresAt()).isEqualTo(now() + L1_TTL.toMillis());
  }

  @Test
  void deleteOfAKeyOnlyInL1StillReportsARemoval() {
    put(l1, "k", "v");
    StepVerifier.create(backend.delete("k")).expectNext(true).expectComplete().verify(TIMEOUT);
    assertThat(l1.raw("k")).isNull();
  }

  @Test
  void l1FailureOnReadIsAMissNotAnError() {
    put(l2, "k", "v");
    l1.failWith(new CacheBackendException("near", "broken"));
    expectValue("k", "v");
    StepVerifier.create(backend.getAll(List.of("k", "nope"), STRING))
        .assertNext(found -> assertThat(found).containsOnlyKeys("k")).expectComplete().verify(TIMEOUT);
  }

  @Test
  void l1FailureOnExistsFallsBackToL2() {
    put(l2, "k", "v");
    l1.failWith(new CacheBackendException("near", "broken"));
    StepVerifier.create(backend.exists("k")).expectNext(true).expectComplete().verify(TIMEOUT);
    StepVerifier.create(backend.exists("nope")).expectNext(false).expectComplete().verify(TIMEOUT);
  }

  @Test
  void l2FailureOnReadIsSignalled() {
    l2.failWith(new CacheBackendException("shared", "down"));
    StepVerifier.create(backend.get("k", STRING)).expectError(CacheBackendException.class).verify(TIMEOUT);
  }

  @Test
  void statsCombineBothLevelsWithoutCountingAReadTwice() {
    put(backend, "in-both", "v");        // one put (L1's copy is not a put of the composition)
    put(l2, "only-l2", "v");             // a put in the shared level
    expectValue("in-both", "v");         // L1 hit
    expectValue("only-l2", "v");         // L1 miss, L2 hit: one hit
    StepVerifier.create(backend.get("nope", STRING)).expectComplete().verify(TIMEOUT);  // one miss
    CacheStats stats = backend.stats().block(TIMEOUT);
    assertThat(stats.hits()).isEqualTo(2);
    assertThat(stats.misses()).isEqualTo(1);
    assertThat(stats.puts()).isEqualTo(2);
    assertThat(stats.size()).isEqualTo(2);
  }

  @Test
  void healthIsL2sWhenL2IsNotUpAndDegradedWhenOnlyL1IsNot() {
    DelegatingBackend near = new DelegatingBackend(l1);
    DelegatingBackend shared = new DelegatingBackend(l2);
    backend = CacheBackends.twoLevel(near, shared, L1_TTL, clock);
    StepVerifier.create(backend.health()).expectNext(CacheHealth.up()).expectComplete().verify(TIMEOUT);

    near.reportHealth(CacheHealth.down("out of memory"));
    StepVerifier.create(backend.health()).assertNext(health -> {
      assertThat(health.status()).isEqualTo(CacheHealth.Status.DEGRADED);
      assertThat(health.reason()).contains("near").contains("out of memory");
    }).expectComplete().verify(TIMEOUT);

    shared.reportHealth(CacheHealth.down("connection refused"));
    StepVerifier.create(backend.health()).expectNext(CacheHealth.down("connection refused")).expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void compositionIsNamedAsL2AndTakesItsDefaultTtl() {
    MapCacheBackend withTtl = new MapCacheBackend("shared", clock, Duration.ofMinutes(3));
    CacheBackend composed = CacheBackends.twoLevel(l1, withTtl, L1_TTL, clock);
    assertThat(composed.name()).isEqualTo("shared");
    assertThat(composed.defaultTtl()).contains(Duration.ofMinutes(3));
  }

  @Test
  void l1TtlMustBePositive() {
    assertThatThrownBy(() -> CacheBackends.twoLevel(l1, l2, Duration.ZERO, clock))
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("'l1Ttl'").hasMessageContaining("PT0S");
    assertThatThrownBy(() -> CacheBackends.twoLevel(l1, l2, null, clock))
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("'l1Ttl'").hasMessageContaining("null");
  }

  @Test
  void closeClosesBothLevels() {
    StepVerifier.create(backend.close()).expectComplete().verify(TIMEOUT);
    StepVerifier.create(l1.get("k", STRING)).expectError(CacheBackendException.class).verify(TIMEOUT);
    StepVerifier.create(l2.get("k", STRING)).expectError(CacheBackendException.class).verify(TIMEOUT);
  }
}
