package io.reactivecache.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.Strategy;
import io.reactivecache.ValueType;
import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.CacheEvent;
import io.reactivecache.spi.KeyPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.Disposable;

/** Keys reach the backend whole, however long: stored, matched, evicted and published exactly as given. */
class LongKeysTest extends MemoryTestSupport {

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void keysLongerThanAnyLimitStayWholeAndApart(Strategy strategy) {
    MemoryCacheBackend backend = build(MemoryCacheBackend.builder().strategy(strategy).maximumSize(2));
    String prefix = "user:" + "x".repeat(70_000);
    String first = prefix + "1";
    String second = prefix + "2";
    List<CacheEvent> events = new ArrayList<>();
    Disposable subscription = backend.events().subscribe(events::add);

    backend.put(first, entry("one")).block();
    backend.put(second, entry("two")).block();
    ValueType<String> string = ValueType.of(String.class);
    assertThat(backend.get(first, string).block().value()).isEqualTo("one");
    assertThat(backend.get(second, string).block().value()).isEqualTo("two");
    assertThat(backend.exists(prefix).block()).isFalse();
    assertThat(backend.deletePattern(KeyPattern.of("user:x*1")).block()).isEqualTo(1);
    assertThat(backend.exists(second).block()).isTrue();

    backend.put("a", entry("a")).block();
    backend.put("b", entry("b")).block(); // bound 2: one of the others goes
    backend.cleanUpNow();
    subscription.dispose();
    assertThat(events).isNotEmpty().allSatisfy(e -> assertThat(e.target()).isIn(second, "a", "b"));
    if (strategy == Strategy.LRU) {
      assertThat(events).extracting(CacheEvent::target).containsExactly(second); // the least recent, whole
    }
  }

  private static CacheEntry<String> entry(String value) {
    return CacheEntry.of(value, 0, CacheEntry.NEVER, CacheEntry.NEVER, Set.of());
  }
}
