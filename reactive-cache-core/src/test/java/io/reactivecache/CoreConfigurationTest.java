package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivecache.spi.BackendSettings;
import io.reactivecache.testing.MapCacheBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * Bad configuration of core (issue 7, row 23): every absurd value fails where it is given or in {@code build()},
 * naming the option and the value, or is accepted and works — never a NullPointerException or an overflow.
 */
class CoreConfigurationTest {
  private static final Duration FOREVER = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);
  private static final Duration WAIT = Duration.ofSeconds(10);

  static Stream<Arguments> refused() {
    Map<String, String> nullValue = new HashMap<>();
    nullValue.put("url", null);
    return Stream.of(
        Arguments.of("CachePolicy.tags(null)", "tags", (Runnable) () -> CachePolicy.builder().tags(null).build()),
        Arguments.of("CachePolicy.ttl(function null)", "ttl",
            (Runnable) () -> CachePolicy.builder().ttl((java.util.function.Function<Object, Duration>) null)),
        Arguments.of("CachePolicy.staleIfError(null)", "staleIfError",
            (Runnable) () -> CachePolicy.builder().staleIfError(null).build()),
        Arguments.of("CachePolicy.earlyRefresh(-1)", "earlyRefresh",
            (Runnable) () -> CachePolicy.builder().earlyRefresh(-1).build()),
        Arguments.of("CachePolicy.earlyRefresh(NaN)", "earlyRefresh",
            (Runnable) () -> CachePolicy.builder().earlyRefresh(Double.NaN).build()),
        Arguments.of("CachePolicy.earlyRefresh(infinity)", "earlyRefresh",
            (Runnable) () -> CachePolicy.builder().earlyRefresh(Double.POSITIVE_INFINITY).build()),
        Arguments.of("softTimeout not shorter than loadTimeout", "softTimeout",
            (Runnable) () -> CachePolicy.builder().softTimeout(Duration.ofSeconds(5))
                .loadTimeout(Duration.ofSeconds(5)).build()),
        Arguments.of("CachePolicy.loadTimeout(-1s)", "loadTimeout",
            (Runnable) () -> CachePolicy.builder().loadTimeout(Duration.ofSeconds(-1)).build()),
        Arguments.of("CacheManager.Builder.clock(null)", "clock",
            (Runnable) () -> CacheManager.builder().clock(null)),
        Arguments.of("CacheManager.Builder.random(null)", "random",
            (Runnable) () -> CacheManager.builder().random(null)),
        Arguments.of("CacheManager.Builder.observationRegistry(null)", "observationRegistry",
            (Runnable) () -> CacheManager.builder().observationRegistry(null)),
        Arguments.of("CacheManager.Builder.defaultPolicy(null)", "defaultPolicy",
            (Runnable) () -> CacheManager.builder().defaultPolicy(null)),
        Arguments.of("CacheManager.Builder.backend(null)", "backend",
            (Runnable) () -> CacheManager.builder().backend((io.reactivecache.spi.CacheBackend) null)),
        Arguments.of("view with a null type", "type", (Runnable) () -> manager().cache("v", (Class<String>) null)),
        Arguments.of("view with a null policy", "policy",
            (Runnable) () -> manager().cache("v", ValueType.of(String.class), null)),
        Arguments.of("view with an empty name", "name", (Runnable) () -> manager().cache("", String.class)),
        Arguments.of("cached function keyBuilder(null)", "keyBuilder",
            (Runnable) () -> manager().cached(String.class).keyBuilder(null)),
        Arguments.of("cached function skipCache(null)", "skipCache",
            (Runnable) () -> manager().cached(String.class).skipCache(null)),
        Arguments.of("cached function tags(null)", "tags",
            (Runnable) () -> manager().cached(String.class).tags((String[]) null)),
        Arguments.of("cached function policy(null)", "policy",
            (Runnable) () -> manager().cached(String.class).policy(null)),
        Arguments.of("BackendSettings with null options", "options",
            (Runnable) () -> new BackendSettings("b", 10, Optional.empty(), Strategy.TTL, Schedulers.parallel(), null)),
        Arguments.of("BackendSettings with a null option value", "url",
            (Runnable) () -> new BackendSettings("b", 10, Optional.empty(), Strategy.TTL, Schedulers.parallel(),
                nullValue)),
        Arguments.of("BackendSettings with a null clock", "clock",
            (Runnable) () -> new BackendSettings("b", 10, Optional.empty(), Strategy.TTL, null, Map.of())),
        Arguments.of("BackendSettings with a null strategy", "strategy",
            (Runnable) () -> new BackendSettings("b", 10, Optional.empty(), null, Schedulers.parallel(), Map.of())),
        Arguments.of("BackendSettings with a null defaultTtl", "defaultTtl",
            (Runnable) () -> new BackendSettings("b", 10, null, Strategy.TTL, Schedulers.parallel(), Map.of())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void absurdValuesAreRefusedNamingTheOption(String what, String option, Runnable configure) {
    assertThatThrownBy(configure::run).as(what).isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'" + option + "'");
  }

  @Test
  void durationsTooLongForMillisecondsMeanForEver() {
    VirtualTimeScheduler clock = VirtualTimeScheduler.create();
    clock.advanceTimeTo(Instant.parse("2026-01-01T00:00:00Z"));
    MapCacheBackend backend = new MapCacheBackend("map", clock, FOREVER);
    CacheManager manager = CacheManager.builder().backend(backend).clock(clock).build();
    for (Consumer<CachePolicy.Builder> option : java.util.List.<Consumer<CachePolicy.Builder>>of(
        b -> b.ttl(FOREVER), b -> b.staleWhileRevalidate(FOREVER), b -> b.staleIfError(FOREVER),
        b -> b.emptyTtl(FOREVER), b -> b.errorTtl(FOREVER), b -> b.loadTimeout(FOREVER),
        b -> b.softTimeout(FOREVER).staleIfError(FOREVER), b -> b.ttl((String v) -> FOREVER),
        b -> b.ttl(FOREVER).ttlJitter(1.0).earlyRefresh(1e300))) {
      CachePolicy.Builder builder = CachePolicy.builder();
      option.accept(builder);
      Cache<String> cache = manager.cache("forever", String.class, builder.build());
      StepVerifier.create(cache.get("k", Mono.just("v")).then(cache.get("k"))).expectNext("v").expectComplete()
          .verify(WAIT);
      StepVerifier.create(cache.get("e", Mono.empty())).expectComplete().verify(WAIT);
      StepVerifier.create(cache.get("x", Mono.error(new IllegalStateException("down")))).expectError().verify(WAIT);
      StepVerifier.create(cache.put("p", "q", FOREVER).then(cache.get("p"))).expectNext("q").expectComplete()
          .verify(WAIT);
      clock.advanceTimeBy(Duration.ofDays(365 * 10)); // virtual time counts nanoseconds: 292 years at most
      StepVerifier.create(cache.get("k")).expectNext("v").expectComplete().verify(WAIT);
      manager.clear().block(WAIT);
    }
    StepVerifier.create(manager.put("m", "n").then(manager.get("m", String.class))).expectNext("n").expectComplete()
        .verify(WAIT);
    assertThat(backend.raw("m").expiresAt()).isEqualTo(io.reactivecache.spi.CacheEntry.NEVER);
    clock.dispose();
  }

  private static CacheManager manager() {
    return CacheManager.builder().backend(new MapCacheBackend("map", Schedulers.parallel(), null)).build();
  }
}
