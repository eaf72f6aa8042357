package io.reactivecache.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheBackendException;
import io.reactivecache.Strategy;
import io.reactivecache.ValueType;
import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.CacheEvent;
import io.reactivecache.spi.KeyPattern;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** {@link MemoryCacheBackend#events()}: what the backend does by itself, published hot, bounded, best effort. */
class EventsTest extends MemoryTestSupport {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private MemoryCacheBackend backend;

  @ParameterizedTest
  @EnumSource(value = Strategy.class, names = {"LRU", "LFU"})
  void aSizeEvictionIsPublishedWithItsKey(Strategy strategy) {
    backend = backend(strategy, 2);
    StepVerifier.create(backend.events())
        .then(() -> {
          put("a", CacheEntry.NEVER);
          put("b", CacheEntry.NEVER);
          put("c", CacheEntry.NEVER);
        })
        .expectNext(new CacheEvent(CacheEvent.Type.EVICTED, CacheEvent.Cause.SIZE, "a"))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void windowTinyLfuEvictionsArePublished() {
    backend = backend(Strategy.TTL, 2);
    List<CacheEvent> events = new ArrayList<>();
    Disposable subscription = backend.events().subscribe(events::add);
    for (int i = 0; i < 10; i++) {
      put("k" + i, CacheEntry.NEVER);
    }
    backend.cleanUpNow();
    subscription.dispose();
    assertThat(events).hasSize(8).allSatisfy(e -> {
      assertThat(e.type()).isEqualTo(CacheEvent.Type.EVICTED);
      assertThat(e.cause()).isEqualTo(CacheEvent.Cause.SIZE);
      assertThat(e.target()).startsWith("k");
    });
    assertThat(stats(backend).evictions()).isEqualTo(8);
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void anExpiryFoundByAReadIsPublished(Strategy strategy) {
    backend = build(MemoryCacheBackend.builder().strategy(strategy).expiryCleanupInterval(Duration.ofHours(1)));
    long now = now();
    put("k", now + 1_000);
    StepVerifier.create(backend.events())
        .then(() -> clock.advanceTimeBy(Duration.ofSeconds(1)))
        .then(() -> assertThat(backend.get("k", ValueType.of(String.class)).blockOptional()).isEmpty())
        .expectNext(new CacheEvent(CacheEvent.Type.EXPIRED, CacheEvent.Cause.TTL, "k"))
        .thenCancel()
        .verify(TIMEOUT);
    assertThat(backend.stats().block().evictions()).isEqualTo(1);
    assertThat(backend.stats().block().size()).as("removed when found").isZero();
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void anExpirySweptByTheCleanupIsPublished(Strategy strategy) {
    backend = backend(strategy, 100);
    put("k", now() + 1_500);
    put("stays", CacheEntry.NEVER);
    StepVerifier.create(backend.events())
        .then(() -> clock.advanceTimeBy(Duration.ofSeconds(2))) // cleanup every second: swept at 2 s
        .expectNext(new CacheEvent(CacheEvent.Type.EXPIRED, CacheEvent.Cause.TTL, "k"))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void whatCallersAskForIsNotPublishedHere(Strategy strategy) {
    backend = backend(strategy, 100);
    List<CacheEvent> events = new ArrayList<>();
    Disposable subscription = backend.events().subscribe(events::add);
    put("a", CacheEntry.NEVER);
    put("a", CacheEntry.NEVER);
    put("b", CacheEntry.NEVER);
    put("c", CacheEntry.NEVER);
    backend.delete("a").block();
    backend.deletePattern(KeyPattern.of("b")).block();
    backend.invalidateTag("t").block();
    put("d", CacheEntry.NEVER);
    backend.clear().block();
    subscription.dispose();
    assertThat(events).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void aSubscriberThatDoesNotRequestLosesTheNewestEventsAndNeverSlowsTheBackend(Strategy strategy) {
    backend = backend(strategy, 1);
    List<CacheEvent> all = new ArrayList<>();
    Disposable fast = backend.events().subscribe(all::add);
    StepVerifier.create(backend.events(), 0)
        .then(() -> {
          for (int i = 0; i <= 1_000; i++) {
            put("k" + i, CacheEntry.NEVER); // each write evicts the previous key
          }
          backend.cleanUpNow();
        })
        .thenRequest(Long.MAX_VALUE)
        .expectNextCount(EventPublisher.BUFFER)
        .then(() -> put("later", CacheEntry.NEVER))
        .expectNextMatches(e -> e.type() == CacheEvent.Type.EVICTED)
        .thenCancel()
        .verify(TIMEOUT);
    fast.dispose();
    assertThat(all).as("a subscriber that keeps up loses nothing").hasSize(1_001);
    assertThat(backend.stats().block().evictions()).isEqualTo(1_001);
  }

  @Test
  void eventsReachTheSubscriberOnTheClockNotInsideTheStore() {
    backend = track(MemoryCacheBackend.builder().strategy(Strategy.LRU).maximumSize(1).clock(Schedulers.single())
        .build());
    StepVerifier.create(backend.events().map(e -> Thread.currentThread().getName()))
        .then(() -> {
          put("a", CacheEntry.NEVER);
          put("b", CacheEntry.NEVER);
        })
        .assertNext(thread -> assertThat(thread).startsWith("single-"))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void closeCompletesSubscribersAndLaterOnesFail() {
    backend = backend(Strategy.LRU, 10);
    Flux<CacheEvent> events = backend.events();
    StepVerifier.create(events)
        .then(() -> backend.close().block())
        .expectComplete()
        .verify(TIMEOUT);
    StepVerifier.create(backend.events())
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(CacheBackendException.class)
            .hasMessageContaining("closed"))
        .verify(TIMEOUT);
  }

  /**
   * With nobody listening, publishing costs a volatile read and allocates nothing: measured in bytes allocated by
   * this thread over a million publications (exact per-thread accounting, not a timing).
   */
  @Test
  void publishingWithNoSubscriberAllocatesNothing() {
    EventPublisher publisher = new EventPublisher("memory", clock);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    for (int i = 0; i < 100_000; i++) {
      publisher.publish(RemovalCause.SIZE, "key"); // warm up, so the JIT is done with this loop
    }
    long before = threads.getThreadAllocatedBytes(thread);
    for (int i = 0; i < 1_000_000; i++) {
      publisher.publish(i % 2 == 0 ? RemovalCause.SIZE : RemovalCause.EXPIRED, "key");
    }
    long allocated = threads.getThreadAllocatedBytes(thread) - before;
    // A CacheEvent is 24 bytes: one per publication would be 24 MB. The margin covers the measurement itself.
    assertThat(allocated).isLessThan(1_024);

    Disposable listening = publisher.flux().subscribe();
    long withSubscriber = threads.getThreadAllocatedBytes(thread);
    for (int i = 0; i < 1_000; i++) {
      publisher.publish(RemovalCause.SIZE, "key");
    }
    assertThat(threads.getThreadAllocatedBytes(thread) - withSubscriber)
        .as("the same measure sees events once someone listens").isGreaterThan(1_000L * 16);
    listening.dispose();
  }

  private MemoryCacheBackend backend(Strategy strategy, long maximumSize) {
    return build(MemoryCacheBackend.builder().strategy(strategy).maximumSize(maximumSize));
  }

  private void put(String key, long expiresAt) {
    backend.put(key, CacheEntry.of("v", now(), expiresAt, expiresAt, Set.of("t"))).block();
  }
}
