package io.reactivecache.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.Strategy;
import io.reactivecache.ValueType;
import io.reactivecache.spi.CacheEntry;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

/** The hit path's lookup of a key from its two parts: the same entry as the joined key, never another. */
class KeyPartsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void partsHashAndEqualAsTheJoinedString() {
    for (String[] parts : new String[][] {{"users:", "42"}, {"a", "b:c"}, {"é", "ü".repeat(300)}, {"x:", ""}}) {
      String joined = parts[0] + parts[1];
      KeyParts key = new KeyParts(parts[0], parts[1]);
      assertThat(key.hashCode()).isEqualTo(joined.hashCode());
      assertThat(key.equals(joined)).isTrue();
      assertThat(key.equals(joined + "x")).isFalse();
      assertThat(key.equals(new KeyParts(parts[0], parts[1]))).isTrue();
    }
    assertThat(new KeyParts("ab", "c").equals("abd")).isFalse();
    assertThat(new KeyParts("ab", "c").equals("xbc")).isFalse();
    assertThat(new KeyParts("a", "bc").equals(new KeyParts("ab", "c"))).as("parts differ: a lookup key only").isFalse();
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void theHitPathFindsExactlyTheJoinedKey(Strategy strategy) {
    MemoryCacheBackend backend = MemoryCacheBackend.builder().strategy(strategy).maximumSize(100)
        .clock(Schedulers.parallel()).build();
    long now = Schedulers.parallel().now(java.util.concurrent.TimeUnit.MILLISECONDS);
    backend.put("users:42", CacheEntry.of("Ada", now, now + 60_000, now + 60_000, Set.of())).block(WAIT);
    backend.put("users:4", CacheEntry.of("Bob", now, now + 1_000, now + 1_000, Set.of())).block(WAIT);
    ValueType<String> string = ValueType.of(String.class);
    assertThat(backend.getNow("users:", "42", string, now)).hasValueSatisfying(e -> assertThat(e.value())
        .isEqualTo("Ada"));
    assertThat(backend.getNow("users:", "4", string, now)).hasValueSatisfying(e -> assertThat(e.value())
        .isEqualTo("Bob"));
    assertThat(backend.getNow("users", ":42", string, now)).as("parts split elsewhere, same key").isPresent();
    assertThat(backend.getNow("users:", "421", string, now)).isEmpty();
    assertThat(backend.getNow("users:", "42", ValueType.of(Integer.class), now)).as("another type").isEmpty();
    assertThat(backend.getNow("users:", "4", string, now + 1_000)).as("expired at the time given").isEmpty();
    assertThat(backend.getNow("", "users:42", string, now)).isPresent();
    backend.close().block(WAIT);
  }
}
