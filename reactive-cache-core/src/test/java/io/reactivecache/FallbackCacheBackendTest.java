package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.Invalidation;
import io.reactivecache.spi.KeyPattern;
import io.reactivecache.testing.MapCacheBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** {@link CacheBackends#withFallback}: serving through an outage, and recovering without stale data. */
class FallbackCacheBackendTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final ValueType<String> STRING = ValueType.of(String.class);

  private VirtualTimeScheduler clock;
  private MapCacheBackend primary;
  private MapCacheBackend fallback;
  private CacheBackend backend;

  @BeforeEach
  void setUp() {
    clock = VirtualTimeScheduler.create();
    clock.advanceTimeTo(Instant.parse("2026-01-01T00:00:00Z"));
    primary = new MapCacheBackend("redis", clock, null);
    fallback = new MapCacheBackend("memory", clock, null);
    backend = CacheBackends.withFallback(primary, fallback);
  }

  @AfterEach
  void tearDown() {
    clock.dispose();
  }

  private CacheEntry<String> entry(String value, String... tags) {
    long now = clock.now(TimeUnit.MILLISECONDS);
    return CacheEntry.of(value, now, now + 60_000, now + 120_000, Set.of(tags));
  }

  private void put(CacheBackend target, String key, String value, String... tags) {
    StepVerifier.create(target.put(key, entry(value, tags))).expectComplete().verify(TIMEOUT);
  }

  private void expectValue(String key, String value) {
    StepVerifier.create(backend.get(key, STRING)).assertNext(e -> assertThat(e.value()).isEqualTo(value))
        .expectComplete().verify(TIMEOUT);
  }

  private void expectMiss(String key) {
    StepVerifier.create(backend.get(key, STRING)).expectComplete().verify(TIMEOUT);
  }

  private void failPrimary() {
    primary.failWith(new CacheBackendException("redis", "connection refused"));
  }

  private CacheHealth health() {
    return backend.health().block(TIMEOUT);
  }

  /** Heals the primary and runs operations until the composition reports the outage over (bounded). */
  private void healAndRecover() {
    primary.failWith(null);
    for (int i = 0; i < 50 && health().status() != CacheHealth.Status.UP; i++) {
      StepVerifier.create(backend.exists("recovery-trigger")).expectNextCount(1).expectComplete().verify(TIMEOUT);
    }
    assertThat(health().status()).isEqualTo(CacheHealth.Status.UP);
  }

  @Test
  void healthyPrimaryServesEverythingAndFallbackStaysUnused() {
    put(backend, "k", "v");
    expectValue("k", "v");
    assertThat(primary.raw("k")).isNotNull();
    assertThat(fallback.rawSize()).isZero();
    assertThat(backend.stats().block(TIMEOUT).fallbacks()).isZero();
    assertThat(health()).isEqualTo(CacheHealth.up());
    assertThat(backend.name()).isEqualTo("redis");
  }

  @Test
  void duringAnOutageReadsAndWritesGoToTheFallbackAndAreCounted() {
    put(backend, "before", "old");
    failPrimary();
    put(backend, "k", "v");                  // 1
    expectValue("k", "v");                   // 2
    expectMiss("before");                    // 3: the fallback never had it; a miss, not an error
    StepVerifier.create(backend.exists("k")).expectNext(true).expectComplete().verify(TIMEOUT);  // 4
    StepVerifier.create(backend.delete("k")).expectNext(true).expectComplete().verify(TIMEOUT);  // 5
    assertThat(fallback.raw("k")).isNull();
    assertThat(primary.raw("k")).isNull();
    assertThat(backend.stats().block(TIMEOUT).fallbacks()).isEqualTo(5);
  }

  @Test
  void healthIsDegradedDuringAnOutageWithAReasonNamingThePrimary() {
    failPrimary();
    expectMiss("k");
    CacheHealth health = health();
    assertThat(health.status()).isEqualTo(CacheHealth.Status.DEGRADED);
    assertThat(health.reason()).contains("'redis'").contains("connection refused").contains("'memory'");
  }

  @Test
  void healthIsDownOnceTheCompositionIsClosed() {
    backend.close().block(TIMEOUT);
    assertThat(health().status()).isEqualTo(CacheHealth.Status.DOWN);
    assertThat(health().reason()).contains("closed");
  }

  @Test
  void healthIsDownOnceTheCompositionIsClosedDuringAnOutage() {
    failPrimary();
    expectMiss("k");
    backend.close().block(TIMEOUT);
    assertThat(health().status()).isEqualTo(CacheHealth.Status.DOWN);
    assertThat(health().reason()).contains("closed");
  }

  @Test
  void keyDeletedDuringTheOutageIsDeletedInThePrimaryOnRecovery() {
    put(backend, "k", "v");
    failPrimary();
    StepVerifier.create(backend.delete("k")).expectNext(false).expectComplete().verify(TIMEOUT);
    assertThat(primary.raw("k")).as("the primary cannot be reached yet").isNotNull();
    healAndRecover();
    assertThat(primary.raw("k")).isNull();
    expectMiss("k");
  }

  @Test
  void valueWrittenDuringTheOutageIsNotCopiedBackAndThePrimarysOldValueIsDeleted() {
    put(backend, "k", "old");
    put(backend, "untouched", "u");
    failPrimary();
    put(backend, "k", "new");
    put(backend, "only-in-fallback", "f");
    expectValue("k", "new");
    healAndRecover();
    assertThat(primary.raw("k")).as("old value must not leak back").isNull();
    assertThat(primary.raw("only-in-fallback")).as("fallback values are not copied back").isNull();
    assertThat(fallback.rawSize()).as("fallback cleared after recovery").isZero();
    expectMiss("k");
    expectMiss("only-in-fallback");
    expectValue("untouched", "u");
  }

  @Test
  void invalidationsOfTheOutageAreReplayedInOrder() {
    put(backend, "user:1", "a", "res.users");
    put(backend, "user:2", "b");
    put(backend, "tagged", "c", "res.partner");
    put(backend, "other", "d");
    failPrimary();
    StepVerifier.create(backend.deletePattern(KeyPattern.of("user:*"))).expectNextCount(1).expectComplete()
        .verify(TIMEOUT);
    StepVerifier.create(backend.invalidateTag("res.partner")).expectNextCount(1).expectComplete().verify(TIMEOUT);
    healAndRecover();
    assertThat(primary.raw("user:1")).isNull();
    assertThat(primary.raw("user:2")).isNull();
    assertThat(primary.raw("tagged")).isNull();
    assertThat(primary.raw("other")).isNotNull();
  }

  @Test
  void putAllDuringTheOutageInvalidatesEveryKeyInThePrimary() {
    put(backend, "a", "old-a");
    put(backend, "b", "old-b");
    failPrimary();
    StepVerifier.create(backend.putAll(Map.of("a", entry("new-a"), "b", entry("new-b")))).expectComplete()
        .verify(TIMEOUT);
    healAndRecover();
    assertThat(primary.raw("a")).isNull();
    assertThat(primary.raw("b")).isNull();
  }

  @Test
  void clearDuringTheOutageClearsThePrimaryOnRecovery() {
    put(backend, "a", "1");
    put(backend, "b", "2");
    failPrimary();
    StepVerifier.create(backend.clear()).expectComplete().verify(TIMEOUT);
    healAndRecover();
    assertThat(primary.rawSize()).isZero();
  }

  @Test
  void journalOverItsLimitCollapsesIntoOneClear() {
    backend = new FallbackCacheBackend(primary, fallback, 3);
    put(backend, "bystander", "b");
    failPrimary();
    for (int i = 0; i < 4; i++) {
      put(backend, "w" + i, "v" + i);
    }
    healAndRecover();
    assertThat(primary.raw("bystander")).as("the collapsed journal clears the whole primary").isNull();
    assertThat(primary.rawSize()).isZero();
  }

  @Test
  void journalWithinItsLimitDoesNotClear() {
    backend = new FallbackCacheBackend(primary, fallback, 3);
    put(backend, "bystander", "b");
    failPrimary();
    for (int i = 0; i < 3; i++) {
      put(backend, "w" + i, "v" + i);
    }
    healAndRecover();
    assertThat(primary.raw("bystander")).isNotNull();
  }

  @Test
  void recoveryFailingAgainKeepsTheJournalForTheNextAttempt() {
    put(backend, "k", "old");
    failPrimary();
    put(backend, "k", "new");
    // Each of these operations tries to recover on a primary that still fails.
    expectValue("k", "new");
    expectValue("k", "new");
    assertThat(health().status()).isEqualTo(CacheHealth.Status.DEGRADED);
    healAndRecover();
    assertThat(primary.raw("k")).isNull();
  }

  @Test
  void writeArrivingWhileRecoveryRunsIsNotLost() {
    DelegatingBackend gated = new DelegatingBackend(primary);
    backend = CacheBackends.withFallback(gated, fallback);
    put(backend, "a", "old-a");
    put(backend, "b", "old-b");
    failPrimary();
    StepVerifier.create(backend.delete("a")).expectNext(false).expectComplete().verify(TIMEOUT);
    primary.failWith(null);
    gated.holdDeletes();
    // This read starts the recovery, whose replay of "delete a" now waits at the gate.
    expectMiss("a");
    assertThat(primary.raw("a")).isNotNull();
    // A write while the replay runs: it must be journaled for the primary, not dropped.
    put(backend, "b", "new-b");
    gated.openDeletes();
    assertThat(primary.raw("a")).isNull();
    assertThat(primary.raw("b")).as("the late write is replayed before the primary serves again").isNull();
    assertThat(health().status()).isEqualTo(CacheHealth.Status.UP);
    expectMiss("b");
  }

  /**
   * Issue item 15, deterministic: every replay on the primary is followed by a new write through the composition
   * (as under a sustained write load, each replay's round trip lets writes in). The outage must still end, with
   * every write of it invalidated in the primary.
   */
  @Test
  void recoveryEndsAlthoughEveryReplayLetsANewWriteIn() {
    AtomicInteger writesDuringReplays = new AtomicInteger();
    DelegatingBackend busy = new DelegatingBackend(primary);
    backend = CacheBackends.withFallback(busy, fallback);
    busy.afterEachDelete(() -> {
      int n = writesDuringReplays.incrementAndGet();
      if (n <= 100) {
        backend.put("w" + n, entry("written while replaying")).subscribe();
      }
    });
    put(backend, "w0", "old");
    failPrimary();
    put(backend, "w0", "during the outage");
    primary.failWith(null);
    for (int i = 0; i < 20 && health().status() != CacheHealth.Status.UP; i++) {
      StepVerifier.create(backend.exists("recovery-trigger")).expectNextCount(1).expectComplete().verify(TIMEOUT);
    }
    assertThat(health().status()).as("recovered while writes kept arriving").isEqualTo(CacheHealth.Status.UP);
    assertThat(writesDuringReplays.get()).as("writes arrived during the replays").isGreaterThan(1);
    expectMiss("w0");
    assertThat(primary.raw("w0")).as("the primary's old value was invalidated").isNull();
  }

  /**
   * A write of the outage still in flight on the fallback when the primary is back does not hold the outage open,
   * and its value, landing late, is never served: neither after recovery nor in a later outage.
   */
  @Test
  void fallbackWriteStillInFlightNeitherHoldsTheOutageNorLeaksIntoALaterOne() {
    DelegatingBackend slowFallback = new DelegatingBackend(fallback);
    backend = CacheBackends.withFallback(primary, slowFallback);
    put(backend, "k", "before");
    failPrimary();
    slowFallback.holdPuts();
    backend.put("k", entry("in flight")).subscribe();     // journaled; its fallback write hangs
    primary.failWith(null);
    healAndRecover();
    slowFallback.openPuts();                              // lands after the outage ended
    expectMiss("k");
    failPrimary();                                        // a later outage
    expectMiss("k");
    StepVerifier.create(backend.exists("k")).expectNext(false).expectComplete().verify(TIMEOUT);
  }

  /**
   * Brings the composition into a hand-over and holds it there: the outage wrote k, the first replay (of "delete k")
   * let a write of j in, and the hand-over's replay of "delete j" now waits at the primary.
   */
  private DelegatingBackend inAHeldHandOver() {
    DelegatingBackend gated = new DelegatingBackend(primary);
    backend = CacheBackends.withFallback(gated, fallback);
    put(backend, "j", "old j");
    failPrimary();
    put(backend, "k", "outage value");
    primary.failWith(null);
    gated.holdDeletesOf("k");
    expectValue("k", "outage value");                     // starts the recovery: replaying "delete k" waits
    put(backend, "j", "outage j");                        // journaled during that replay
    gated.holdDeletesOf("j");
    gated.openDeletesOf("k");                             // first replay done: the hand-over replays "delete j"
    return gated;
  }

  /**
   * During the hand-over the fallback still answers reads, and a write that completed (on the primary) is never
   * answered by an older value of the outage.
   */
  @Test
  void duringTheHandOverWritesGoToThePrimaryAndReadsNeverSeeAnOlderValue() {
    DelegatingBackend gated = inAHeldHandOver();
    assertThat(health().reason()).contains("handing back");
    put(backend, "k", "hand-over value");
    assertThat(primary.raw("k")).as("hand-over writes go to the primary").isNotNull();
    expectMiss("k");                                      // not the outage's older value
    expectValue("j", "outage j");                         // still the latest write of j
    gated.openDeletesOf("j");
    assertThat(health().status()).isEqualTo(CacheHealth.Status.UP);
    expectValue("k", "hand-over value");
    expectMiss("j");
    assertThat(fallback.rawSize()).as("the fallback is cleared once the outage is over").isZero();
  }

  /** A primary failing during the hand-over resumes the outage; nothing of it is lost. */
  @Test
  void primaryFailingDuringTheHandOverResumesTheOutage() {
    DelegatingBackend gated = inAHeldHandOver();
    failPrimary();                                         // fails again while "delete j" waits
    put(backend, "k", "second outage value");
    gated.openDeletesOf("j");                              // the held replay now fails: j goes back to the journal
    assertThat(health().status()).isEqualTo(CacheHealth.Status.DEGRADED);
    expectValue("k", "second outage value");
    healAndRecover();
    assertThat(primary.raw("j")).as("the replay that failed was kept and done later").isNull();
    assertThat(primary.raw("k")).isNull();
  }

  /**
   * Issue item 15 under real concurrency. Sixteen writers write their own keys (versioned values, and deletes)
   * without pause, each starting its next write the moment the last one completes; puts take 2 ms (on both
   * backends, as a network or a busy server would), so some are always in flight: thousands of writes a second, as
   * in the report. The primary fails, then heals. The
   * composition must be UP again while the writes go on; then no read may return a value older than the last
   * completed write of its key, and a later outage serves nothing of the earlier one.
   */
  @Test
  void recoveryFinishesUnderASustainedConcurrentWriteLoadWithNothingStaleAfterwards() throws Exception {
    DelegatingBackend slowPrimary = new DelegatingBackend(primary);
    DelegatingBackend slowFallback = new DelegatingBackend(fallback);
    slowPrimary.delayPuts(Duration.ofMillis(2));
    slowFallback.delayPuts(Duration.ofMillis(2));
    CacheBackend composition = CacheBackends.withFallback(slowPrimary, slowFallback);
    int writers = 16;
    int keysPerWriter = 20;
    AtomicLongArray completed = new AtomicLongArray(writers * keysPerWriter);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong writes = new AtomicLong();
    List<Mono<Void>> loops = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int first = w * keysPerWriter;
      AtomicLong version = new AtomicLong();
      loops.add(Mono.defer(() -> {
        long v = version.incrementAndGet();
        int slot = first + (int) (v % keysPerWriter);
        Mono<?> write = v % 7 == 0 ? composition.delete("key" + slot)
            : composition.put("key" + slot, CacheEntry.of(Long.toString(v), 0, CacheEntry.NEVER, CacheEntry.NEVER,
                Set.of()));
        return write.then(Mono.fromRunnable(() -> {
          completed.set(slot, v);
          writes.incrementAndGet();
        }));
      }).repeat(() -> !stop.get()).then());
    }
    CompletableFuture<Void> load = Flux.merge(loops).then().toFuture();
    try {
      awaitWrites(writes, 2_000);
      primary.failWith(new CacheBackendException("redis", "connection refused"));
      awaitWrites(writes, 2_000);
      primary.failWith(null);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (composition.health().block(TIMEOUT).status() != CacheHealth.Status.UP) {
        assertThat(System.nanoTime()).as("recovered under sustained writes (liveness bound 30 s)")
            .isLessThan(deadline);
        composition.exists("recovery-trigger").block(TIMEOUT);
      }
      long writesBefore = writes.get();
      awaitWrites(writes, 2_000);
      assertThat(writes.get()).as("writes went on through the recovery").isGreaterThan(writesBefore);
      for (int slot = 0; slot < completed.length(); slot++) {
        long atLeast = completed.get(slot);
        CacheEntry<String> found = composition.get("key" + slot, STRING).block(TIMEOUT);
        if (found != null) {
          assertThat(Long.parseLong(found.value())).as("key%d: never older than its last completed write", slot)
              .isGreaterThanOrEqualTo(atLeast);
        }
      }
      stop.set(true);
      load.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      primary.failWith(new CacheBackendException("redis", "connection refused again"));
      for (int slot = 0; slot < completed.length(); slot++) {
        assertThat(composition.get("key" + slot, STRING).block(TIMEOUT))
            .as("a later outage serves nothing of an earlier one (key%d)", slot).isNull();
      }
    } finally {
      stop.set(true);
    }
  }

  private static void awaitWrites(AtomicLong writes, long more) throws InterruptedException {
    long target = writes.get() + more;
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (writes.get() < target) {
      assertThat(System.nanoTime()).as("writers make progress").isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  @Test
  void invalidationsFromOutsideAreThePrimarys() {
    List<Invalidation> passedOn = new CopyOnWriteArrayList<>();
    reactor.core.Disposable subscription = backend.invalidations().subscribe(passedOn::add);
    try {
      primary.invalidateFromOutside(Invalidation.key("k"));
      fallback.invalidateFromOutside(Invalidation.key("private"));
      assertThat(passedOn).containsExactly(Invalidation.key("k"));
    } finally {
      subscription.dispose();
    }
  }

  @Test
  void writeThatTriggersRecoveryLeavesNothingInTheFallbackForALaterOutage() {
    put(backend, "k", "v0");
    failPrimary();
    put(backend, "k", "v1");
    primary.failWith(null);
    // The first write after the primary heals starts the recovery.
    put(backend, "k", "v2");
    healAndRecover();
    put(backend, "k", "v3");
    assertThat(primary.raw("k")).isNotNull();
    // A later outage must not serve what an earlier one left behind.
    failPrimary();
    expectMiss("k");
  }

  @Test
  void recoveredPrimaryServesAgain() {
    failPrimary();
    put(backend, "k", "during");
    healAndRecover();
    put(backend, "k", "after");
    assertThat(primary.raw("k")).isNotNull();
    assertThat(fallback.raw("k")).isNull();
    expectValue("k", "after");
  }

  @Test
  void statsAddThePrimaryTheFallbackAndTheFallbackCount() {
    put(backend, "k", "v");
    expectValue("k", "v");
    failPrimary();
    put(backend, "f", "v");
    expectValue("f", "v");
    primary.failWith(null);
    CacheStats stats = backend.stats().block(TIMEOUT);
    assertThat(stats.hits()).isEqualTo(2);
    assertThat(stats.puts()).isEqualTo(2);
    assertThat(stats.fallbacks()).isEqualTo(2);
  }

  @Test
  void countersNeverGoBackDuringAnOutage() {
    put(backend, "k", "v");
    expectValue("k", "v");
    expectValue("k", "v");
    CacheStats before = backend.stats().block(TIMEOUT);
    failPrimary();
    expectMiss("k");
    CacheStats during = backend.stats().block(TIMEOUT);
    assertThat(during.hits()).as("the primary's hits are still counted").isGreaterThanOrEqualTo(before.hits());
    assertThat(during.puts()).isGreaterThanOrEqualTo(before.puts());
    assertThat(during.misses()).isGreaterThan(before.misses());
  }

  @Test
  void getAllDuringAnOutageReadsTheFallback() {
    failPrimary();
    put(backend, "a", "1");
    StepVerifier.create(backend.getAll(List.of("a", "b"), STRING))
        .assertNext(found -> assertThat(found).containsOnlyKeys("a"))
        .expectComplete().verify(TIMEOUT);
  }

  @Test
  void closeClosesBothLevels() {
    StepVerifier.create(backend.close()).expectComplete().verify(TIMEOUT);
    StepVerifier.create(primary.get("k", STRING)).expectError(CacheBackendException.class).verify(TIMEOUT);
    StepVerifier.create(fallback.get("k", STRING)).expectError(CacheBackendException.class).verify(TIMEOUT);
  }
}
