package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheEntry;
import io.reactivecache.testing.MapCacheBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * docs/reliability.md row 23 for {@link CacheBackends}: every bad argument fails at once with a
 * {@link CacheConfigurationException} naming the option and the value, never a NullPointerException or an
 * overflow later; extreme but meaningful values are accepted and work.
 */
class CompositionConfigurationTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Duration TTL = Duration.ofSeconds(10);
  private static final MapCacheBackend A = new MapCacheBackend("a", Schedulers.parallel(), null);
  private static final MapCacheBackend B = new MapCacheBackend("b", Schedulers.parallel(), null);

  static Stream<Arguments> rejected() {
    return Stream.of(
        row("withFallback(null, b)", () -> CacheBackends.withFallback(null, B), "'primary'", "null"),
        row("withFallback(a, null)", () -> CacheBackends.withFallback(A, null), "'fallback'", "null"),
        row("withFallback(a, a)", () -> CacheBackends.withFallback(A, A), "'fallback'", "'a'"),
        row("twoLevel(null, b, ttl)", () -> CacheBackends.twoLevel(null, B, TTL), "'l1'", "null"),
        row("twoLevel(a, null, ttl)", () -> CacheBackends.twoLevel(A, null, TTL), "'l2'", "null"),
        row("twoLevel(a, a, ttl)", () -> CacheBackends.twoLevel(A, A, TTL), "'l2'", "'a'"),
        row("twoLevel(a, b, null)", () -> CacheBackends.twoLevel(A, B, null), "'l1Ttl'", "null"),
        row("twoLevel(a, b, 0)", () -> CacheBackends.twoLevel(A, B, Duration.ZERO), "'l1Ttl'", "PT0S"),
        row("twoLevel(a, b, -1 s)", () -> CacheBackends.twoLevel(A, B, Duration.ofSeconds(-1)), "'l1Ttl'", "PT-1S"),
        row("twoLevel(a, b, 1 ns)", () -> CacheBackends.twoLevel(A, B, Duration.ofNanos(1)), "'l1Ttl'",
            "PT0.000000001S"),
        row("twoLevel(a, b, ttl, null)", () -> CacheBackends.twoLevel(A, B, TTL, null), "'clock'", "null"));
  }

  private static Arguments row(String call, Supplier<CacheBackend> factory, String option, String value) {
    return Arguments.of(call, factory, option, value);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejected")
  void badArgumentFailsAtOnceNamingTheOptionAndTheValue(String call, Supplier<CacheBackend> factory, String option,
      String value) {
    assertThatThrownBy(factory::get).isExactlyInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining(option).hasMessageContaining(value);
  }

  static Stream<Duration> acceptedL1Ttls() {
    return Stream.of(Duration.ofMillis(1), Duration.ofDays(365_000), Duration.ofMillis(Long.MAX_VALUE),
        Duration.ofSeconds(Long.MAX_VALUE), Duration.ofSeconds(Long.MAX_VALUE, 999_999_999));
  }

  @ParameterizedTest
  @MethodSource("acceptedL1Ttls")
  void extremeL1TtlIsAcceptedAndWorks(Duration l1Ttl) {
    VirtualTimeScheduler clock = VirtualTimeScheduler.create();
    try {
      clock.advanceTimeTo(Instant.parse("2026-01-01T00:00:00Z"));
      MapCacheBackend l1 = new MapCacheBackend("l1", clock, null);
      MapCacheBackend l2 = new MapCacheBackend("l2", clock, null);
      CacheBackend composition = CacheBackends.twoLevel(l1, l2, l1Ttl, clock);
      long now = clock.now(TimeUnit.MILLISECONDS);
      StepVerifier.create(composition.put("k", CacheEntry.of("v", now, CacheEntry.NEVER, CacheEntry.NEVER,
          Set.of()))).expectComplete().verify(TIMEOUT);
      StepVerifier.create(l1.delete("k")).expectNext(true).expectComplete().verify(TIMEOUT);
      StepVerifier.create(composition.get("k", ValueType.of(String.class)))
          .assertNext(entry -> assertThat(entry.value()).isEqualTo("v")).expectComplete().verify(TIMEOUT);
      long expected = l1Ttl.compareTo(Duration.ofMillis(Long.MAX_VALUE - now)) >= 0 ? CacheEntry.NEVER
          : now + l1Ttl.toMillis();
      assertThat(l1.raw("k").expiresAt()).as("the L1 copy's bound").isEqualTo(expected);
    } finally {
      clock.dispose();
    }
  }
}
