package io.reactivecache.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheBackendException;
import io.reactivecache.CacheStats;
import io.reactivecache.ValueType;
import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.KeyPattern;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The behaviour every {@link CacheBackend} must have. A backend module extends this class, implements
 * {@link #createBackend}, and runs it unchanged.
 *
 * <p>Time is virtual: the backend must read the time from the scheduler it is given, so the suite moves it with
 * {@link #advance(Duration)}.
 */
public abstract class CacheBackendContract {
  /** A value type with a generic argument, for round trips of collections. */
  protected static final ValueType<List<String>> LIST_OF_STRINGS = new ValueType<List<String>>() {};
  /** A record value, as user data usually is. */
  public record Person(String name, int age) {}

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** The clock given to the backend. */
  protected VirtualTimeScheduler clock;
  /** The backend under test. */
  protected CacheBackend backend;

  /**
   * Creates an empty backend that reads time from {@code clock}.
   *
   * @param clock the virtual clock
   * @return a new backend, with an empty namespace of its own
   */
  protected abstract CacheBackend createBackend(VirtualTimeScheduler clock);

  @BeforeEach
  void createBackendUnderTest() {
    clock = VirtualTimeScheduler.create();
    clock.advanceTimeTo(java.time.Instant.parse("2026-01-01T00:00:00Z"));
    backend = createBackend(clock);
    StepVerifier.create(backend.clear()).expectComplete().verify(TIMEOUT);
  }

  @AfterEach
  void closeBackendUnderTest() {
    if (backend != null) {
      backend.clear().onErrorResume(e -> Mono.empty()).then(backend.close()).onErrorResume(e -> Mono.empty())
          .block(TIMEOUT);
    }
    clock.dispose();
  }

  /**
   * Moves the virtual clock forward.
   *
   * @param amount how far
   */
  protected void advance(Duration amount) {
    clock.advanceTimeBy(amount);
  }

  /** Returns the virtual time now, in epoch ms. */
  protected long now() {
    return clock.now(TimeUnit.MILLISECONDS);
  }

  /** Returns a fresh entry for a value, fresh for 1 minute and expiring after 2. */
  protected <T> CacheEntry<T> entry(T value, String... tags) {
    long now = now();
    return CacheEntry.of(value, now, now + 60_000, now + 120_000, Set.of(tags));
  }

  private void put(String key, CacheEntry<?> entry) {
    StepVerifier.create(backend.put(key, entry)).expectComplete().verify(TIMEOUT);
  }

  private CacheStats stats() {
    return backend.stats().block(TIMEOUT);
  }

  @Test
  void getOfMissingKeyIsEmpty() {
    StepVerifier.create(backend.get("missing", ValueType.of(String.class))).expectComplete().verify(TIMEOUT);
  }

  @Test
  void putThenGetReturnsValueTimesAndTags() {
    CacheEntry<String> written = entry("hello", "model-a");
    put("k1", written);
    StepVerifier.create(backend.get("k1", ValueType.of(String.class)))
        .assertNext(read -> {
          assertThat(read.value()).isEqualTo("hello");
          assertThat(read.writtenAt()).isEqualTo(written.writtenAt());
          assertThat(read.freshUntil()).isEqualTo(written.freshUntil());
          assertThat(read.expiresAt()).isEqualTo(written.expiresAt());
          assertThat(read.tags()).containsExactly("model-a");
        })
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void recordsAndGenericCollectionsRoundTrip() {
    put("person", entry(new Person("Ada", 36)));
    put("list", entry(List.of("a", "b", "c")));
    StepVerifier.create(backend.get("person", ValueType.of(Person.class)))
        .assertNext(e -> assertThat(e.value()).isEqualTo(new Person("Ada", 36)))
        .expectComplete().verify(TIMEOUT);
    StepVerifier.create(backend.get("list", LIST_OF_STRINGS))
        .assertNext(e -> assertThat(e.value()).containsExactly("a", "b", "c"))
        .expectComplete().verify(TIMEOUT);
  }

  @Test
  void readWithAnotherTypeIsACountedMissNotAnError() {
    put("typed", entry("a string"));
    long before = stats().invalidPayloads();
    StepVerifier.create(backend.get("typed", ValueType.of(Person.class))).expectComplete().verify(TIMEOUT);
    assertThat(stats().invalidPayloads()).isGreaterThan(before);
    // The entry stays usable with the right type.
    StepVerifier.create(backend.get("typed", ValueType.of(String.class)))
        .assertNext(e -> assertThat(e.value()).isEqualTo("a string")).expectComplete().verify(TIMEOUT);
  }

  @Test
  void absentMarkerRoundTrips() {
    long now = now();
    put("nothing", CacheEntry.absent(now, now + 1_000, now + 2_000, Set.of()));
    StepVerifier.create(backend.get("nothing", ValueType.of(String.class)))
        .assertNext(e -> assertThat(e.isAbsent()).isTrue())
        .expectComplete().verify(TIMEOUT);
    StepVerifier.create(backend.exists("nothing")).expectNext(true).expectComplete().verify(TIMEOUT);
  }

  @Test
  void staleEntryIsStillReturnedUntilItExpires() {
    put("k", entry("v"));
    advance(Duration.ofSeconds(90));
    StepVerifier.create(backend.get("k", ValueType.of(String.class)))
        .assertNext(e -> assertThat(e.freshness(now())).isEqualTo(CacheEntry.Freshness.STALE))
        .expectComplete().verify(TIMEOUT);
  }

  @Test
  void expiredEntryIsNeverReturned() {
    put("k", entry("v"));
    advance(Duration.ofSeconds(120));
    StepVerifier.create(backend.get("k", ValueType.of(String.class))).expectComplete().verify(TIMEOUT);
    StepVerifier.create(backend.exists("k")).expectNext(false).expectComplete().verify(TIMEOUT);
  }

  @Test
  void entryWithoutExpiryIsKept() {
    long now = now();
    put("forever", CacheEntry.of("v", now, CacheEntry.NEVER, CacheEntry.NEVER, Set.of()));
    advance(Duration.ofDays(400));
    StepVerifier.create(backend.get("forever", ValueType.of(String.class)))
        .assertNext(e -> assertThat(e.value()).isEqualTo("v")).expectComplete().verify(TIMEOUT);
  }

  @Test
  void alreadyExpiredEntryIsNotWritten() {
    long now = now();
    put("old", CacheEntry.of("v", now - 2_000, now - 1_000, now, Set.of()));
    StepVerifier.create(backend.exists("old")).expectNext(false).expectComplete().verify(TIMEOUT);
  }

  @Test
  void alreadyExpiredEntryRemovesTheOlderValue() {
    // A write that is not kept must not leave the value it replaces served (issue 7, item 11).
    long now = now();
    put("k", entry("older"));
    put("k", CacheEntry.of("newer", now - 2_000, now - 1_000, now, Set.of()));
    StepVerifier.create(backend.get("k", ValueType.of(String.class))).expectComplete().verify(TIMEOUT);
  }

  @Test
  void patternsMatchWholeKeysExactlyAsKeyPatternDoes() {
    // Issue 7, items 4 to 6: one character is one character (not one byte), sets hold non-ASCII and '-', and keys
    // of any length are matched whole.
    String longKey = "long:" + "x".repeat(300) + "-end";
    String shapedLikeAShortenedKey = longKey.substring(0, 120) + "#sha256:" + "0".repeat(64);
    List<String> keys = List.of("user:é", "user:e", "user:ab", "tag:é1", "tag:a1", "tag:b1", "-x", "ax", "bx",
        longKey, shapedLikeAShortenedKey);
    keys.forEach(key -> put(key, entry(key)));
    for (String glob : List.of("user:?", "tag:[éa]1", "[a-]x", "long:*-end", "long:*", "*#sha256:*")) {
      KeyPattern pattern = KeyPattern.of(glob);
      List<String> expected = keys.stream().filter(pattern::matches).toList();
      StepVerifier.create(backend.deletePattern(pattern)).expectNext((long) expected.size()).expectComplete()
          .verify(TIMEOUT);
      for (String key : keys) {
        boolean shouldExist = !expected.contains(key);
        StepVerifier.create(backend.exists(key)).as(key + " after deleting " + glob).expectNext(shouldExist)
            .expectComplete().verify(TIMEOUT);
      }
      expected.forEach(key -> put(key, entry(key)));
    }
  }

  @Test
  void aKeyShapedLikeALongKeysStoredFormNeverReadsItsEntry() {
    String longKey = "k".repeat(120) + "y".repeat(400);
    put(longKey, entry("the long key's value"));
    for (String crafted : List.of(longKey.substring(0, 256), longKey.substring(0, 120) + "#sha256:"
        + Keys.sha256(longKey))) {
      StepVerifier.create(backend.get(crafted, ValueType.of(String.class))).as(crafted).expectComplete()
          .verify(TIMEOUT);
    }
    StepVerifier.create(backend.get(longKey, ValueType.of(String.class)))
        .assertNext(e -> assertThat(e.value()).isEqualTo("the long key's value")).expectComplete().verify(TIMEOUT);
  }

  @Test
  void putReplacesValueAndTags() {
    put("k", entry("first", "old-tag"));
    put("k", entry("second", "new-tag"));
    StepVerifier.create(backend.invalidateTag("old-tag")).expectNext(0L).expectComplete().verify(TIMEOUT);
    StepVerifier.create(backend.get("k", ValueType.of(String.class)))
        .assertNext(e -> assertThat(e.value()).isEqualTo("second")).expectComplete().verify(TIMEOUT);
  }

  @Test
  void deleteTellsWhetherSomethingWasRemoved() {
    put("k", entry("v"));
    StepVerifier.create(backend.delete("k")).expectNext(true).expectComplete().verify(TIMEOUT);
    StepVerifier.create(backend.delete("k")).expectNext(false).expectComplete().verify(TIMEOUT);
    StepVerifier.create(backend.get("k", ValueType.of(String.class))).expectComplete().verify(TIMEOUT);
  }

  @Test
  void existsFollowsPutAndDelete() {
    StepVerifier.create(backend.exists("k")).expectNext(false).expectComplete().verify(TIMEOUT);
    put("k", entry("v"));
    StepVerifier.create(backend.exists("k")).expectNext(true).expectComplete().verify(TIMEOUT);
  }

  @Test
  void clearRemovesEverything() {
    put("a", entry("1"));
    put("b", entry("2"));
    StepVerifier.create(backend.clear()).expectComplete().verify(TIMEOUT);
    StepVerifier.create(backend.exists("a")).expectNext(false).expectComplete().verify(TIMEOUT);
    StepVerifier.create(backend.exists("b")).expectNext(false).expectComplete().verify(TIMEOUT);
  }

  @Test
  void deletePatternRemovesOnlyMatchingKeys() {
    put("user:1", entry("a"));
    put("user:2", entry("b"));
    put("order:1", entry("c"));
    StepVerifier.create(backend.deletePattern(KeyPattern.of("user:*"))).expectNext(2L).expectComplete()
        .verify(TIMEOUT);
    StepVerifier.create(backend.exists("user:1")).expectNext(false).expectComplete().verify(TIMEOUT);
    StepVerifier.create(backend.exists("order:1")).expectNext(true).expectComplete().verify(TIMEOUT);
  }

  @Test
  void deletePatternTakesEscapedGlobCharactersLiterally() {
    put("a*b", entry("star"));
    put("axb", entry("x"));
    put("a[1]", entry("bracket"));
    put("a1", entry("one"));
    StepVerifier.create(backend.deletePattern(KeyPattern.of(KeyPattern.escape("a*b")))).expectNext(1L)
        .expectComplete().verify(TIMEOUT);
    StepVerifier.create(backend.deletePattern(KeyPattern.prefix("a["))).expectNext(1L)
        .expectComplete().verify(TIMEOUT);
    StepVerifier.create(backend.exists("axb")).expectNext(true).expectComplete().verify(TIMEOUT);
    StepVerifier.create(backend.exists("a1")).expectNext(true).expectComplete().verify(TIMEOUT);
  }

  @Test
  void invalidateTagRemovesTaggedEntriesOnly() {
    put("p1", entry("a", "res.partner"));
    put("p2", entry("b", "res.partner", "res.users"));
    put("u1", entry("c", "res.users"));
    put("plain", entry("d"));
    StepVerifier.create(backend.invalidateTag("res.partner")).expectNext(2L).expectComplete().verify(TIMEOUT);
    StepVerifier.create(backend.exists("p2")).expectNext(false).expectComplete().verify(TIMEOUT);
    StepVerifier.create(backend.exists("u1")).expectNext(true).expectComplete().verify(TIMEOUT);
    StepVerifier.create(backend.exists("plain")).expectNext(true).expectComplete().verify(TIMEOUT);
    StepVerifier.create(backend.invalidateTag("res.users")).expectNext(1L).expectComplete().verify(TIMEOUT);
  }

  @Test
  void getAllAndPutAllWorkInBulk() {
    Map<String, CacheEntry<?>> entries = new LinkedHashMap<>();
    for (int i = 0; i < 20; i++) {
      entries.put("bulk:" + i, entry("v" + i));
    }
    StepVerifier.create(backend.putAll(entries)).expectComplete().verify(TIMEOUT);
    List<String> keys = List.of("bulk:3", "missing", "bulk:7", "bulk:3");
    StepVerifier.create(backend.getAll(keys, ValueType.of(String.class)))
        .assertNext(found -> {
          assertThat(found.keySet()).containsExactly("bulk:3", "bulk:7");
          assertThat(found.get("bulk:7").value()).isEqualTo("v7");
        })
        .expectComplete().verify(TIMEOUT);
  }

  @Test
  void keysWithSeparatorsUnicodeAndGlobCharactersAreDistinct() {
    List<String> keys = List.of("a:b", "a\\:b", "ключ", "键:值", "with space", "x*", "x?", "x[1]", "x\\");
    for (String key : keys) {
      put(key, entry("value of " + key));
    }
    for (String key : keys) {
      StepVerifier.create(backend.get(key, ValueType.of(String.class)))
          .assertNext(e -> assertThat(e.value()).isEqualTo("value of " + key)).expectComplete().verify(TIMEOUT);
    }
  }

  @Test
  void operationsAreLazy() {
    Mono<Void> notSubscribed = backend.put("lazy", entry("v"));
    assertThat(notSubscribed).isNotNull();
    StepVerifier.create(backend.exists("lazy")).expectNext(false).expectComplete().verify(TIMEOUT);
    StepVerifier.create(notSubscribed).expectComplete().verify(TIMEOUT);
    StepVerifier.create(backend.exists("lazy")).expectNext(true).expectComplete().verify(TIMEOUT);
  }

  @Test
  void statsCountHitsMissesPutsAndDeletes() {
    CacheStats before = stats();
    put("s", entry("v"));
    backend.get("s", ValueType.of(String.class)).block(TIMEOUT);
    backend.get("nope", ValueType.of(String.class)).block(TIMEOUT);
    backend.delete("s").block(TIMEOUT);
    CacheStats after = stats();
    assertThat(after.puts() - before.puts()).isEqualTo(1);
    assertThat(after.hits() - before.hits()).isEqualTo(1);
    assertThat(after.misses() - before.misses()).isEqualTo(1);
    assertThat(after.deletes() - before.deletes()).isEqualTo(1);
  }

  @Test
  void concurrentWritersAndReadersNeverSeeAnotherKeysValue() {
    int keys = 200;
    AtomicInteger wrong = new AtomicInteger();
    Flux.range(0, keys)
        .flatMap(i -> backend.put("c" + i, entry("v" + i)), 32)
        .then()
        .block(TIMEOUT);
    Flux.range(0, keys * 5)
        .flatMap(i -> backend.get("c" + (i % keys), ValueType.of(String.class))
            .doOnNext(e -> {
              if (!e.value().equals("v" + (i % keys))) {
                wrong.incrementAndGet();
              }
            }), 64)
        .then()
        .block(TIMEOUT);
    assertThat(wrong).hasValue(0);
  }

  @Test
  void closedBackendFailsWithBackendException() {
    StepVerifier.create(backend.close()).expectComplete().verify(TIMEOUT);
    StepVerifier.create(backend.get("k", ValueType.of(String.class)))
        .expectError(CacheBackendException.class).verify(TIMEOUT);
    StepVerifier.create(backend.put("k", entry("v")))
        .expectError(CacheBackendException.class).verify(TIMEOUT);
    backend = null;
  }
}
