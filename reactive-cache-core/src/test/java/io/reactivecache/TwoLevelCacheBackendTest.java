package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.Invalidation;
import io.reactivecache.spi.KeyPattern;
import io.reactivecache.testing.MapCacheBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.util.RaceTestUtils;
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

  private void expectMiss(String key) {
    StepVerifier.create(backend.get(key, STRING)).expectComplete().verify(TIMEOUT);
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

  /** A change of the key made through the composition while a read of it is on its way back from L2. */
  enum Change {
    PUT(composition -> composition.put("k", CacheEntry.of("v2", 0, CacheEntry.NEVER, CacheEntry.NEVER, Set.of())),
        "v2"),
    PUT_ALL(composition -> composition.putAll(
        Map.of("k", CacheEntry.of("v2", 0, CacheEntry.NEVER, CacheEntry.NEVER, Set.of()))), "v2"),
    DELETE(composition -> composition.delete("k"), null),
    DELETE_PATTERN(composition -> composition.deletePattern(KeyPattern.of("k*")), null),
    INVALIDATE_TAG(composition -> composition.invalidateTag("model"), null),
    CLEAR(CacheBackend::clear, null);

    final java.util.function.Function<CacheBackend, Mono<?>> apply;
    final String valueAfter;

    Change(java.util.function.Function<CacheBackend, Mono<?>> apply, String valueAfter) {
      this.apply = apply;
      this.valueAfter = valueAfter;
    }
  }

  /**
   * Issue item 1, on every kind of change: put(k, v); the L1 copy is gone; a get of k reads L2 and its reply is
   * late; the change completes; the reply arrives. The get answers what it read, but must not copy it into L1: the
   * next get answers what the change left.
   */
  @ParameterizedTest
  @EnumSource(Change.class)
  void l2ReplyThatAChangeOvertookIsNeverCopiedIntoL1(Change change) {
    DelegatingBackend slowL2 = new DelegatingBackend(l2);
    backend = CacheBackends.twoLevel(l1, slowL2, L1_TTL, clock);
    put(backend, "k", "v", "model");
    StepVerifier.create(l1.delete("k")).expectNext(true).expectComplete().verify(TIMEOUT);

    slowL2.holdReadReplies();
    AtomicReference<String> firstRead = new AtomicReference<>();
    backend.get("k", STRING).subscribe(entry -> firstRead.set(entry.value()));
    StepVerifier.create(change.apply.apply(backend)).expectNextCount(change == Change.DELETE
        || change == Change.DELETE_PATTERN || change == Change.INVALIDATE_TAG ? 1 : 0).expectComplete()
        .verify(TIMEOUT);
    slowL2.openReadReplies();

    assertThat(firstRead.get()).as("the overtaken read answers what it read").isEqualTo("v");
    if (change.valueAfter == null) {
      expectMiss("k");
    } else {
      expectValue("k", change.valueAfter);
    }
    assertThat(l1.raw("k") == null || !"v".equals(l1.raw("k").value())).as("no copy of v in L1").isTrue();
  }

  /** Item 1 through {@code cachedMono}: after the race, a get with a loader loads instead of serving the deleted value. */
  @Test
  void deletedValueIsNotServedByCachedMonoAfterAnOvertakenRead() {
    DelegatingBackend slowL2 = new DelegatingBackend(l2);
    backend = CacheBackends.twoLevel(l1, slowL2, L1_TTL, clock);
    CacheManager manager = CacheManager.builder().clock(clock).backend(backend).build();
    Cache<String> cache = manager.cache("users", String.class);
    StepVerifier.create(cache.put("1", "deleted")).expectComplete().verify(TIMEOUT);
    StepVerifier.create(l1.clear()).expectComplete().verify(TIMEOUT);

    slowL2.holdReadReplies();
    AtomicReference<String> firstRead = new AtomicReference<>();
    cache.get("1").subscribe(firstRead::set);
    StepVerifier.create(cache.delete("1")).expectNext(true).expectComplete().verify(TIMEOUT);
    slowL2.openReadReplies();

    assertThat(firstRead.get()).isEqualTo("deleted");
    StepVerifier.create(cache.get("1", Mono.just("loaded"))).expectNext("loaded").expectComplete().verify(TIMEOUT);
  }

  /** A copy that lands while a change of its key starts is taken out again by the check after the copy. */
  @Test
  void copyLandingAfterAChangeStartedIsTakenOutAgain() {
    DelegatingBackend slowL1 = new DelegatingBackend(l1);
    DelegatingBackend slowL2 = new DelegatingBackend(l2);
    backend = CacheBackends.twoLevel(slowL1, slowL2, L1_TTL, clock);
    put(l2, "k", "v");
    slowL1.holdPuts();
    AtomicReference<String> firstRead = new AtomicReference<>();
    backend.get("k", STRING).subscribe(entry -> firstRead.set(entry.value()));   // its copy waits at L1
    slowL2.holdDeletes();
    backend.delete("k").subscribe();                                                 // the delete waits at L2
    slowL1.openPuts();                                                               // the copy lands
    assertThat(firstRead.get()).isEqualTo("v");
    assertThat(l1.raw("k")).as("the copy made while the delete ran is taken out").isNull();
    slowL2.openDeletes();
    expectMiss("k");
  }

  /** Reads, writes and deletes of one key from several threads: once they settle, L1 holds nothing L2 does not. */
  @Test
  void racingReadsAndChangesNeverLeaveL1DifferentFromL2() {
    MapCacheBackend near = new MapCacheBackend("near", Schedulers.parallel(), null);
    MapCacheBackend shared = new MapCacheBackend("shared", Schedulers.parallel(), null);
    CacheBackend composition = CacheBackends.twoLevel(near, shared, L1_TTL, Schedulers.parallel());
    CacheEntry<String> a = CacheEntry.of("a", 0, CacheEntry.NEVER, CacheEntry.NEVER, Set.of());
    CacheEntry<String> b = CacheEntry.of("b", 0, CacheEntry.NEVER, CacheEntry.NEVER, Set.of());
    int disagreements = 0;
    for (int round = 0; round < 3_000; round++) {
      String key = "k" + round;
      shared.put(key, a).block(TIMEOUT);
      Runnable read = () -> composition.get(key, STRING).block(TIMEOUT);
      Runnable change = switch (round % 3) {
        case 0 -> () -> composition.delete(key).block(TIMEOUT);
        case 1 -> () -> composition.put(key, b).block(TIMEOUT);
        default -> () -> composition.clear().block(TIMEOUT);
      };
      RaceTestUtils.race(read, change);
      CacheEntry<?> inL1 = near.raw(key);
      CacheEntry<?> inL2 = shared.raw(key);
      if (inL1 != null && (inL2 == null || !inL1.value().equals(inL2.value()))) {
        disagreements++;
      }
    }
    assertThat(disagreements).isZero();
  }

  /**
   * Issue item 2: the L1 bound is measured on the reader's clock. A writer 10 s ahead writes; the reader copies the
   * value into L1 with l1Ttl 1 s; the writer then changes L2. One second later on the reader's clock, the reader
   * sees the change.
   */
  @Test
  void l1BoundHoldsWhenTheWritersClockRunsAhead() {
    VirtualTimeScheduler writerClock = VirtualTimeScheduler.create();
    try {
      writerClock.advanceTimeTo(Instant.parse("2026-01-01T00:00:10Z"));   // 10 s ahead of the reader's clock
      MapCacheBackend readerNear = new MapCacheBackend("reader-near", clock, null);
      MapCacheBackend writerNear = new MapCacheBackend("writer-near", writerClock, null);
      CacheBackend reader = CacheBackends.twoLevel(readerNear, l2, Duration.ofSeconds(1), clock);
      CacheBackend writer = CacheBackends.twoLevel(writerNear, l2, Duration.ofSeconds(1), writerClock);
      long writerNow = writerClock.now(TimeUnit.MILLISECONDS);
      StepVerifier.create(writer.put("k", CacheEntry.of("old", writerNow, writerNow + 600_000, writerNow + 1_200_000,
          Set.of()))).expectComplete().verify(TIMEOUT);
      StepVerifier.create(reader.get("k", STRING)).assertNext(e -> assertThat(e.value()).isEqualTo("old"))
          .expectComplete().verify(TIMEOUT);
      assertThat(readerNear.raw("k").expiresAt()).as("L1 copy bound on the reader's clock")
          .isEqualTo(now() + 1_000);
      assertThat(readerNear.raw("k").writtenAt()).isLessThanOrEqualTo(readerNear.raw("k").freshUntil());

      StepVerifier.create(writer.put("k", CacheEntry.of("new", writerNow, writerNow + 600_000, writerNow + 1_200_000,
          Set.of()))).expectComplete().verify(TIMEOUT);
      clock.advanceTimeBy(Duration.ofMillis(999));
      StepVerifier.create(reader.get("k", STRING)).assertNext(e -> assertThat(e.value()).isEqualTo("old"))
          .expectComplete().verify(TIMEOUT);
      clock.advanceTimeBy(Duration.ofMillis(1));
      StepVerifier.create(reader.get("k", STRING)).assertNext(e -> assertThat(e.value()).isEqualTo("new"))
          .expectComplete().verify(TIMEOUT);
    } finally {
      writerClock.dispose();
    }
  }

  @Test
  void l1CopyKeepsTheLoadTime() {
    StepVerifier.create(l2.put("k", entry("v").withLoadMillis(250))).expectComplete().verify(TIMEOUT);
    expectValue("k", "v");
    assertThat(l1.raw("k").loadMillis()).isEqualTo(250);
  }

  /** An invalidation L2 reports from outside (another process deleted the key) drops the L1 copy, and is passed on. */
  @Test
  void invalidationFromOutsideDropsTheL1CopyAndIsPassedOn() {
    put(backend, "k", "v");
    put(backend, "user:1", "u");
    put(backend, "tagged", "t", "model");
    put(backend, "other", "o");
    List<Invalidation> passedOn = new java.util.concurrent.CopyOnWriteArrayList<>();
    reactor.core.Disposable subscription = backend.invalidations().subscribe(passedOn::add);
    try {
      // Another process changes L2, and L2 reports it.
      l2.invalidateFromOutside(Invalidation.key("k"));
      l2.invalidateFromOutside(Invalidation.pattern(KeyPattern.of("user:*")));
      l2.invalidateFromOutside(Invalidation.tag("model"));
      expectMiss("k");
      expectMiss("user:1");
      expectMiss("tagged");
      expectValue("other", "o");
      l2.putFromOutside("other", entry("changed elsewhere"));
      expectValue("other", "changed elsewhere");
      expectValue("other", "changed elsewhere");          // copied into L1 again
      l2.invalidateFromOutside(Invalidation.all("reconnected"));
      assertThat(l1.rawSize()).as("everything dropped from L1").isZero();
      assertThat(passedOn).containsExactly(Invalidation.key("k"), Invalidation.pattern(KeyPattern.of("user:*")),
          Invalidation.tag("model"), Invalidation.key("other"), Invalidation.all("reconnected"));
    } finally {
      subscription.dispose();
    }
  }

  /** An invalidation from outside that arrives while an L2 read is on its way back: the read is not copied. */
  @Test
  void l2ReplyThatAnInvalidationFromOutsideOvertookIsNotCopied() {
    DelegatingBackend slowL2 = new DelegatingBackend(l2);
    backend = CacheBackends.twoLevel(l1, slowL2, L1_TTL, clock);
    put(backend, "warm-up", "w");          // the composition listens from its first copy on
    put(l2, "k", "old");
    slowL2.holdReadReplies();
    AtomicReference<String> firstRead = new AtomicReference<>();
    backend.get("k", STRING).subscribe(entry -> firstRead.set(entry.value()));
    l2.putFromOutside("k", entry("new"));  // another process writes, L2 reports it
    slowL2.openReadReplies();
    assertThat(firstRead.get()).isEqualTo("old");
    expectValue("k", "new");
  }

  @Test
  void hugeL1TtlIsNoCapAndNeverOverflows() {
    backend = CacheBackends.twoLevel(l1, l2, Duration.ofSeconds(Long.MAX_VALUE), clock);
    put(l2, "k", "v");
    expectValue("k", "v");
    assertThat(l1.raw("k").expiresAt()).as("the entry keeps its own times").isEqualTo(l2.raw("k").expiresAt());
    StepVerifier.create(l2.put("forever", CacheEntry.of("f", now(), CacheEntry.NEVER, CacheEntry.NEVER, Set.of())))
        .expectComplete().verify(TIMEOUT);
    expectValue("forever", "f");
    assertThat(l1.raw("forever").expiresAt()).isEqualTo(CacheEntry.NEVER);
    assertThat(backend.toString()).contains("l1Ttl=none");
  }

  @Test
  void closeClosesBothLevels() {
    StepVerifier.create(backend.close()).expectComplete().verify(TIMEOUT);
    StepVerifier.create(l1.get("k", STRING)).expectError(CacheBackendException.class).verify(TIMEOUT);
    StepVerifier.create(l2.get("k", STRING)).expectError(CacheBackendException.class).verify(TIMEOUT);
  }
}
