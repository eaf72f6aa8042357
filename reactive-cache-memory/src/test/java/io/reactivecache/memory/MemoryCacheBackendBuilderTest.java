package io.reactivecache.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivecache.CacheConfigurationException;
import io.reactivecache.Strategy;
import io.reactivecache.spi.BackendSettings;
import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheBackendProvider;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.scheduler.Schedulers;
import reactor.test.scheduler.VirtualTimeScheduler;

class MemoryCacheBackendBuilderTest {
  private final VirtualTimeScheduler clock = VirtualTimeScheduler.create();

  @AfterEach
  void disposeClock() {
    clock.dispose();
  }

  @Test
  void defaults() {
    MemoryCacheBackend backend = MemoryCacheBackend.builder().build();
    try {
      assertThat(backend.name()).isEqualTo("memory");
      assertThat(backend.maximumSize()).hasValue(1000);
      assertThat(backend.maximumWeight()).isEmpty();
      assertThat(backend.defaultTtl()).isEmpty();
      assertThat(backend.strategy()).isEqualTo(Strategy.TTL);
    } finally {
      backend.close().block();
    }
  }

  @Test
  void toBuilderKeepsEveryOption() {
    MemoryCacheBackend first = MemoryCacheBackend.builder().name("users").maximumSize(7)
        .defaultTtl(Duration.ofMinutes(3)).strategy(Strategy.LFU).clock(clock).build();
    MemoryCacheBackend second = first.toBuilder().build();
    assertThat(second.name()).isEqualTo("users");
    assertThat(second.maximumSize()).hasValue(7);
    assertThat(second.defaultTtl()).contains(Duration.ofMinutes(3));
    assertThat(second.strategy()).isEqualTo(Strategy.LFU);
    first.close().block();
    second.close().block();
  }

  @Test
  void rejectsBlankOrNullName() {
    assertInvalid(MemoryCacheBackend.builder().name(" "), "name", "' '");
    assertInvalid(MemoryCacheBackend.builder().name(null), "name", "null");
  }

  @ParameterizedTest
  @ValueSource(longs = {0, -1, Long.MIN_VALUE})
  void rejectsMaximumSizeBelowOne(long size) {
    assertInvalid(MemoryCacheBackend.builder().maximumSize(size), "maximumSize", Long.toString(size));
  }

  @Test
  void rejectsNonPositiveOrNullDefaultTtl() {
    assertInvalid(MemoryCacheBackend.builder().defaultTtl(Duration.ZERO), "defaultTtl", "PT0S");
    assertInvalid(MemoryCacheBackend.builder().defaultTtl(Duration.ofSeconds(-5)), "defaultTtl", "PT-5S");
    assertInvalid(MemoryCacheBackend.builder().defaultTtl(null), "defaultTtl", "null");
  }

  @Test
  void rejectsNullStrategyAndClock() {
    assertInvalid(MemoryCacheBackend.builder().strategy(null), "strategy", "null");
    assertInvalid(MemoryCacheBackend.builder().clock(null), "clock", "null");
  }

  @Test
  void rejectsCleanupIntervalBelowOneMillisecond() {
    assertInvalid(MemoryCacheBackend.builder().expiryCleanupInterval(Duration.ZERO), "expiryCleanupInterval",
        "PT0S");
    assertInvalid(MemoryCacheBackend.builder().expiryCleanupInterval(Duration.ofNanos(999_999)),
        "expiryCleanupInterval", "PT0.000999999S");
    assertInvalid(MemoryCacheBackend.builder().expiryCleanupInterval(null), "expiryCleanupInterval", "null");
  }

  @Test
  void serviceLoaderFindsTheMemoryProvider() {
    Map<String, CacheBackendProvider> providers = ServiceLoader.load(CacheBackendProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .collect(Collectors.toMap(CacheBackendProvider::type, p -> p));
    assertThat(providers).containsKey("memory");
    assertThat(providers.get("memory")).isInstanceOf(MemoryCacheBackendProvider.class);
  }

  @Test
  void providerMapsEverySetting() {
    BackendSettings settings = new BackendSettings("sessions", 42, Optional.of(Duration.ofSeconds(30)),
        Strategy.LRU, clock, Map.of("expiryCleanupInterval", "250ms"));
    CacheBackend created = new MemoryCacheBackendProvider().create(settings);
    assertThat(created).isInstanceOf(MemoryCacheBackend.class);
    MemoryCacheBackend backend = (MemoryCacheBackend) created;
    assertThat(backend.name()).isEqualTo("sessions");
    assertThat(backend.maximumSize()).hasValue(42);
    assertThat(backend.defaultTtl()).contains(Duration.ofSeconds(30));
    assertThat(backend.strategy()).isEqualTo(Strategy.LRU);
    backend.close().block();
  }

  @ParameterizedTest
  @ValueSource(strings = {"250ms", "2s", "1m", "1h", "PT0.5S", " 3 s "})
  void providerParsesCleanupIntervals(String text) {
    CacheBackend backend = new MemoryCacheBackendProvider().create(new BackendSettings("m", 10, Optional.empty(),
        Strategy.TTL, Schedulers.immediate(), Map.of("expiryCleanupInterval", text)));
    backend.close().block();
  }

  @ParameterizedTest
  @ValueSource(strings = {"soon", "999999999999999999d", "-1s", ""})
  void providerRejectsMalformedCleanupInterval(String text) {
    BackendSettings settings = new BackendSettings("m", 10, Optional.empty(), Strategy.TTL, clock,
        Map.of("expiryCleanupInterval", text));
    assertThatThrownBy(() -> new MemoryCacheBackendProvider().create(settings))
        .isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("expiryCleanupInterval").hasMessageContaining("'" + text + "'");
  }

  @Test
  void providerRejectsUnknownOptions() {
    BackendSettings settings = new BackendSettings("m", 10, Optional.empty(), Strategy.TTL, clock,
        Map.of("url", "redis://localhost", "maxSize", "3"));
    assertThatThrownBy(() -> new MemoryCacheBackendProvider().create(settings))
        .isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("options")
        .hasMessageContaining("[maxSize, url]")
        .hasMessageContaining("expiryCleanupInterval");
  }

  private static void assertInvalid(MemoryCacheBackend.Builder builder, String option, String value) {
    assertThatThrownBy(builder::build)
        .isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'" + option + "'")
        .hasMessageContaining(value);
  }
}
