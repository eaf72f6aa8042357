package io.reactivecache.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.Cache;
import io.reactivecache.CacheManager;
import io.reactivecache.CacheStats;
import io.reactivecache.Strategy;
import io.reactivecache.ValueType;
import io.reactivecache.spi.CacheEntry;
import java.time.Duration;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * A value read with a parameterised type it does not have (a list of other elements, a map of other values) is a
 * counted miss, never a {@link ClassCastException} in the caller's hands.
 */
class ValueTypeCheckTest extends MemoryTestSupport {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private MemoryCacheBackend backend;

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void aListOfOtherElementsIsACountedMiss(Strategy strategy) {
    backend = backend(strategy);
    backend.put("k", entry(List.of(1, 2, 3))).block();

    StepVerifier.create(backend.get("k", new ValueType<List<String>>() {})).expectComplete().verify(TIMEOUT);
    assertThat(backend.getNow("k", new ValueType<List<String>>() {})).isEmpty();
    assertThat(backend.getAll(List.of("k"), new ValueType<List<String>>() {}).block()).isEmpty();
    StepVerifier.create(backend.get("k", new ValueType<List<Integer>>() {}))
        .assertNext(e -> assertThat(e.value()).containsExactly(1, 2, 3))
        .expectComplete().verify(TIMEOUT);
    StepVerifier.create(backend.get("k", new ValueType<List<? extends Number>>() {}))
        .expectNextCount(1).expectComplete().verify(TIMEOUT);

    CacheStats stats = stats(backend);
    assertThat(stats.invalidPayloads()).isEqualTo(3);
    assertThat(stats.misses()).isEqualTo(3);
    assertThat(stats.hits()).isEqualTo(2);
  }

  @Test
  void nestedCollectionsMapsOptionalsAndArraysAreCheckedElementByElement() {
    backend = backend(Strategy.LRU);
    Map<String, List<Integer>> map = new HashMap<>();
    map.put("a", List.of(1));
    map.put("b", Arrays.asList(2, null)); // a null element casts to anything
    backend.put("map", entry(map)).block();
    backend.put("optional", entry(Optional.of(7L))).block();
    backend.put("empty", entry(Optional.empty())).block();
    backend.put("array", entry(new List<?>[] {List.of("x"), List.of(1)})).block();

    assertHit("map", new ValueType<Map<String, List<Integer>>>() {});
    assertMiss("map", new ValueType<Map<String, List<String>>>() {});
    assertMiss("map", new ValueType<Map<Integer, List<Integer>>>() {});
    assertHit("map", new ValueType<Map<String, ?>>() {});
    assertHit("optional", new ValueType<Optional<Long>>() {});
    assertMiss("optional", new ValueType<Optional<String>>() {});
    assertHit("empty", new ValueType<Optional<String>>() {});
    assertMiss("array", new ValueType<List<String>[]>() {});
    assertHit("array", new ValueType<List<?>[]>() {});
  }

  @Test
  void typeArgumentsAreFollowedThroughSubclasses() {
    backend = backend(Strategy.LFU);
    backend.put("names", entry(new Names(List.of("ada")))).block();
    backend.put("groups", entry(new Groups<Integer>(List.of(5)))).block();

    assertHit("names", new ValueType<Names>() {});
    assertHit("names", new ValueType<List<String>>() {});
    assertMiss("names", new ValueType<List<Integer>>() {});
    assertHit("groups", new ValueType<Groups<Integer>>() {});
    // Groups<E> is a List<List<E>>: its own argument is carried into List's.
    assertMiss("groups", new ValueType<Groups<String>>() {});
    assertMiss("groups", new ValueType<List<List<String>>>() {});
    assertHit("groups", new ValueType<List<List<Integer>>>() {});
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void cachedFluxOverTheSameKeyWithAnotherElementTypeReloadsInsteadOfFailing(Strategy strategy) {
    backend = backend(strategy);
    CacheManager manager = CacheManager.builder().clock(clock).backend(backend).build();
    Cache<Integer> numbers = manager.cache("shared", Integer.class);
    Cache<String> words = manager.cache("shared", String.class);
    AtomicInteger wordLoads = new AtomicInteger();

    StepVerifier.create(Flux.just(1, 2).transform(numbers.cachedFlux("k")))
        .expectNext(1, 2).expectComplete().verify(TIMEOUT);
    Flux<String> loadWords = Flux.defer(() -> {
      wordLoads.incrementAndGet();
      return Flux.just("a", "b");
    });
    StepVerifier.create(loadWords.transform(words.cachedFlux("k")))
        .expectNext("a", "b").expectComplete().verify(TIMEOUT);
    assertThat(wordLoads).hasValue(1);
    assertThat(manager.stats().block().invalidPayloads()).isPositive();
  }

  @Test
  void aVerifiedTypeIsNotCheckedAgainOnEveryHit() {
    backend = backend(Strategy.TTL);
    CountingList list = new CountingList(List.of("a", "b", "c"));
    backend.put("k", entry(list)).block();
    ValueType<List<String>> type = new ValueType<List<String>>() {};
    for (int i = 0; i < 100; i++) {
      assertThat(backend.getNow("k", type)).isPresent();
    }
    assertThat(list.reads).as("elements read once, for the first hit").hasValue(3);
    // Another type is checked (and fails) without undoing the first one's verification.
    assertThat(backend.getNow("k", new ValueType<List<Integer>>() {})).isEmpty();
    int afterOtherType = list.reads.get();
    assertThat(backend.getNow("k", type)).isPresent();
    assertThat(list.reads).hasValue(afterOtherType);
  }

  private void assertHit(String key, ValueType<?> type) {
    assertThat(backend.getNow(key, type)).as("%s as %s", key, type).isPresent();
  }

  private void assertMiss(String key, ValueType<?> type) {
    long before = stats(backend).invalidPayloads();
    assertThat(backend.getNow(key, type)).as("%s as %s", key, type).isEmpty();
    assertThat(stats(backend).invalidPayloads()).isEqualTo(before + 1);
  }

  private MemoryCacheBackend backend(Strategy strategy) {
    return build(MemoryCacheBackend.builder().strategy(strategy));
  }

  private static <T> CacheEntry<T> entry(T value) {
    return CacheEntry.of(value, 0, CacheEntry.NEVER, CacheEntry.NEVER, Set.of());
  }

  /** A class whose type argument for List is fixed by its declaration. */
  static final class Names extends ArrayList<String> {
    private static final long serialVersionUID = 1L;

    Names(List<String> names) {
      super(names);
    }
  }

  /** A generic class whose own argument appears nested inside List's argument. */
  static final class Groups<E> extends AbstractList<List<E>> {
    private final List<E> items;

    Groups(List<E> items) {
      this.items = items;
    }

    @Override
    public List<E> get(int index) {
      return List.of(items.get(index));
    }

    @Override
    public int size() {
      return items.size();
    }
  }

  /** Counts element reads, to see how often the elements are checked. */
  static final class CountingList extends AbstractList<String> {
    final AtomicInteger reads = new AtomicInteger();
    private final List<String> items;

    CountingList(List<String> items) {
      this.items = items;
    }

    @Override
    public String get(int index) {
      reads.incrementAndGet();
      return items.get(index);
    }

    @Override
    public int size() {
      return items.size();
    }
  }
}
