package io.reactivecache.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivecache.CacheConfigurationException;
import io.reactivecache.Strategy;
import io.reactivecache.ValueType;
import io.reactivecache.spi.BackendSettings;
import io.reactivecache.spi.CacheEntry;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * Every builder option with absurd values: either {@code build()} fails at once with a
 * {@link CacheConfigurationException} naming the option and the value, or the backend is built and works — never an
 * {@link ArithmeticException}, a {@link NullPointerException} or an overflow, on build or on a later call.
 */
class AbsurdConfigurationTest {
  private static final Duration LONGEST = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);
  private static final MemoryCacheBackend.Weigher ONE = (key, value) -> 1;
  private static final MemoryCacheBackend.Weigher HEAVIEST = (key, value) -> Integer.MAX_VALUE;
  private final VirtualTimeScheduler clock = VirtualTimeScheduler.create();

  @AfterEach
  void disposeClock() {
    clock.dispose();
  }

  static Stream<Arguments> rejected() {
    return Stream.of(
        row("name null", b -> b.name(null), "name", "null"),
        row("name empty", b -> b.name(""), "name", "''"),
        row("name blank", b -> b.name(" \t"), "name", "' \t'"),
        row("maximumSize 0", b -> b.maximumSize(0), "maximumSize", "0"),
        row("maximumSize -1", b -> b.maximumSize(-1), "maximumSize", "-1"),
        row("maximumSize Long.MIN_VALUE", b -> b.maximumSize(Long.MIN_VALUE), "maximumSize",
            Long.toString(Long.MIN_VALUE)),
        row("maximumWeight 0", b -> b.maximumWeight(0).weigher(ONE), "maximumWeight", "0"),
        row("maximumWeight -1", b -> b.maximumWeight(-1).weigher(ONE), "maximumWeight", "-1"),
        row("maximumWeight Long.MIN_VALUE", b -> b.maximumWeight(Long.MIN_VALUE).weigher(ONE), "maximumWeight",
            Long.toString(Long.MIN_VALUE)),
        row("maximumWeight and maximumSize", b -> b.maximumSize(10).maximumWeight(20).weigher(ONE), "maximumWeight",
            "maximumSize is 10"),
        row("maximumWeight without weigher", b -> b.maximumWeight(20), "weigher", "null"),
        row("maximumWeight with a null weigher", b -> b.maximumWeight(20).weigher(null), "weigher", "null"),
        row("weigher without maximumWeight", b -> b.weigher(ONE), "weigher", "only with maximumWeight"),
        row("defaultTtl null", b -> b.defaultTtl(null), "defaultTtl", "null"),
        row("defaultTtl zero", b -> b.defaultTtl(Duration.ZERO), "defaultTtl", "PT0S"),
        row("defaultTtl negative", b -> b.defaultTtl(Duration.ofNanos(-1)), "defaultTtl", "PT-0.000000001S"),
        row("defaultTtl most negative", b -> b.defaultTtl(Duration.ofSeconds(Long.MIN_VALUE)), "defaultTtl",
            Duration.ofSeconds(Long.MIN_VALUE).toString()),
        row("strategy null", b -> b.strategy(null), "strategy", "null"),
        row("clock null", b -> b.clock(null), "clock", "null"),
        row("expiryCleanupInterval null", b -> b.expiryCleanupInterval(null), "expiryCleanupInterval", "null"),
        row("expiryCleanupInterval zero", b -> b.expiryCleanupInterval(Duration.ZERO), "expiryCleanupInterval",
            "PT0S"),
        row("expiryCleanupInterval under 1 ms", b -> b.expiryCleanupInterval(Duration.ofNanos(999_999)),
            "expiryCleanupInterval", "PT0.000999999S"),
        row("expiryCleanupInterval most negative", b -> b.expiryCleanupInterval(Duration.ofSeconds(Long.MIN_VALUE)),
            "expiryCleanupInterval", Duration.ofSeconds(Long.MIN_VALUE).toString()));
  }

  static Stream<Arguments> accepted() {
    return Stream.of(
        row("maximumSize Long.MAX_VALUE, ttl", b -> b.maximumSize(Long.MAX_VALUE).strategy(Strategy.TTL)),
        row("maximumSize Long.MAX_VALUE, lru", b -> b.maximumSize(Long.MAX_VALUE).strategy(Strategy.LRU)),
        row("maximumSize Long.MAX_VALUE, lfu", b -> b.maximumSize(Long.MAX_VALUE).strategy(Strategy.LFU)),
        row("maximumWeight Long.MAX_VALUE, heaviest entries, ttl",
            b -> b.maximumWeight(Long.MAX_VALUE).weigher(HEAVIEST).strategy(Strategy.TTL)),
        row("maximumWeight Long.MAX_VALUE, heaviest entries, lru",
            b -> b.maximumWeight(Long.MAX_VALUE).weigher(HEAVIEST).strategy(Strategy.LRU)),
        row("maximumWeight Long.MAX_VALUE, heaviest entries, lfu",
            b -> b.maximumWeight(Long.MAX_VALUE).weigher(HEAVIEST).strategy(Strategy.LFU)),
        row("defaultTtl the longest Duration", b -> b.defaultTtl(LONGEST)),
        row("defaultTtl Long.MAX_VALUE seconds", b -> b.defaultTtl(Duration.ofSeconds(Long.MAX_VALUE))),
        row("defaultTtl 1 ns", b -> b.defaultTtl(Duration.ofNanos(1))),
        row("expiryCleanupInterval Long.MAX_VALUE seconds",
            b -> b.expiryCleanupInterval(Duration.ofSeconds(Long.MAX_VALUE))),
        row("expiryCleanupInterval the longest Duration, lru",
            b -> b.expiryCleanupInterval(LONGEST).strategy(Strategy.LRU)),
        row("expiryCleanupInterval Long.MAX_VALUE ms", b -> b.expiryCleanupInterval(Duration.ofMillis(Long.MAX_VALUE))),
        row("expiryCleanupInterval 1 ms", b -> b.expiryCleanupInterval(Duration.ofMillis(1))),
        row("name of 10,000 chars", b -> b.name("n".repeat(10_000))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejected")
  void rejectedInBuildNamingTheOptionAndTheValue(String label, UnaryOperator<MemoryCacheBackend.Builder> options,
      String option, String value) {
    MemoryCacheBackend.Builder builder = options.apply(MemoryCacheBackend.builder().clock(clock));
    assertThatThrownBy(builder::build)
        .isExactlyInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'" + option + "'")
        .hasMessageContaining(value);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("accepted")
  void acceptedAndWorking(String label, UnaryOperator<MemoryCacheBackend.Builder> options) {
    MemoryCacheBackend backend = options.apply(MemoryCacheBackend.builder().clock(clock)).build();
    try {
      exercise(backend);
    } finally {
      backend.close().block();
    }
  }

  /** Entries with expiries from one millisecond to the end of time, read before and after the clock moves. */
  private void exercise(MemoryCacheBackend backend) {
    long now = clock.now(TimeUnit.MILLISECONDS);
    backend.put("short", CacheEntry.of("s", now, now + 1_000, now + 1_000, Set.of("t"))).block();
    backend.put("huge", CacheEntry.of("h", now, Long.MAX_VALUE - 1, Long.MAX_VALUE - 1, Set.of("t"))).block();
    backend.put("never", CacheEntry.of("n", now, CacheEntry.NEVER, CacheEntry.NEVER, Set.of())).block();
    ValueType<String> string = ValueType.of(String.class);
    assertThat(backend.get("short", string).block()).isNotNull();
    clock.advanceTimeBy(Duration.ofSeconds(2));
    assertThat(backend.get("short", string).blockOptional()).isEmpty();
    assertThat(backend.get("huge", string).block().value()).isEqualTo("h");
    assertThat(backend.getNow("never", string)).isPresent();
    assertThat(backend.invalidateTag("t").block()).isEqualTo(1);
    assertThat(backend.stats().block().size()).isEqualTo(1);
  }

  @Test
  void providerRejectsNullSettings() {
    assertThatThrownBy(() -> new MemoryCacheBackendProvider().create(null))
        .isExactlyInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'settings'")
        .hasMessageContaining("null");
  }

  @Test
  void providerAcceptsTheLongestIntervalAndRejectsOverflowingOnes() {
    MemoryCacheBackend longest = (MemoryCacheBackend) new MemoryCacheBackendProvider().create(settings(
        Map.of("expiryCleanupInterval", "PT" + Long.MAX_VALUE + "S")));
    try {
      exercise(longest);
    } finally {
      longest.close().block();
    }
    assertThatThrownBy(() -> new MemoryCacheBackendProvider().create(settings(
        Map.of("expiryCleanupInterval", Long.MAX_VALUE + "d"))))
        .isExactlyInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'expiryCleanupInterval'")
        .hasMessageContaining(Long.MAX_VALUE + "d");
  }

  private BackendSettings settings(Map<String, String> options) {
    return new BackendSettings("m", 10, Optional.of(LONGEST), Strategy.TTL, clock, options);
  }

  private static Arguments row(String label, UnaryOperator<MemoryCacheBackend.Builder> options, String option,
      String value) {
    return Arguments.of(label, options, option, value);
  }

  private static Arguments row(String label, UnaryOperator<MemoryCacheBackend.Builder> options) {
    return Arguments.of(label, options);
  }
}
