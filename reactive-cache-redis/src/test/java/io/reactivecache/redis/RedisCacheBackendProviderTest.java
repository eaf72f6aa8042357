package io.reactivecache.redis;

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
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

class RedisCacheBackendProviderTest {

  private static BackendSettings settings(Map<String, String> options) {
    return new BackendSettings("sessions", 500, Optional.of(Duration.ofMinutes(2)), Strategy.LRU,
        Schedulers.parallel(), options);
  }

  @Test
  void isFoundByServiceLoader() {
    assertThat(ServiceLoader.load(CacheBackendProvider.class).stream().map(ServiceLoader.Provider::get))
        .anySatisfy(p -> assertThat(p.type()).isEqualTo("redis"));
  }

  @Test
  void mapsSettingsAndOptionsToTheBuilder() {
    CacheBackend backend = new RedisCacheBackendProvider().create(settings(Map.of(
        "url", "redis://127.0.0.1:1/2",
        "namespace", "svc",
        "commandTimeout", "250ms",
        "connectTimeout", "PT3S",
        "retryAttempts", "1",
        "circuitBreakerThreshold", "7",
        "circuitBreakerWaitDuration", "10s",
        "maxReconnectDelay", "250ms",
        "maxValueBytes", "4096")));
    RedisSettings s = ((RedisCacheBackend) backend).settings();
    assertThat(s.name()).isEqualTo("sessions");
    assertThat(s.maximumSize()).isEqualTo(500);
    assertThat(s.strategy()).isEqualTo(Strategy.LRU);
    assertThat(s.defaultTtl()).contains(Duration.ofMinutes(2));
    assertThat(s.namespace()).isEqualTo("svc");
    assertThat(s.commandTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(s.retryAttempts()).isEqualTo(1);
    assertThat(s.circuitBreakerThreshold()).isEqualTo(7);
    assertThat(s.circuitBreakerWaitDuration()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.maxReconnectDelay()).isEqualTo(Duration.ofMillis(250));
    assertThat(s.maxValueBytes()).isEqualTo(4096);
    backend.close().block(Duration.ofSeconds(5));
  }

  @Test
  void unknownOptionIsRefusedByName() {
    assertThatThrownBy(() -> new RedisCacheBackendProvider().create(settings(Map.of("comandTimeout", "1s"))))
        .isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'comandTimeout'")
        .hasMessageContaining("commandTimeout");
  }

  @Test
  void theRemovedMaxConnectionsIsRefusedSayingWhy() {
    for (String value : new String[] {"20", "50", "1"}) {
      assertThatThrownBy(() -> new RedisCacheBackendProvider().create(settings(Map.of("maxConnections", value))))
          .isInstanceOf(CacheConfigurationException.class)
          .hasMessageContaining("'maxConnections'")
          .hasMessageContaining("removed")
          .hasMessageContaining("one connection per Redis node");
    }
    assertThat(RedisCacheBackendProvider.optionNames()).doesNotContain("maxConnections");
  }

  @Test
  void badOptionValuesAreNamed() {
    assertThatThrownBy(() -> new RedisCacheBackendProvider().create(settings(Map.of("retryAttempts", "many"))))
        .isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'retryAttempts'").hasMessageContaining("'many'");
    assertThatThrownBy(() -> new RedisCacheBackendProvider().create(settings(Map.of("commandTimeout", "soon"))))
        .isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'commandTimeout'").hasMessageContaining("'soon'");
    assertThatThrownBy(() -> new RedisCacheBackendProvider().create(settings(Map.of("commandTimeout", "0ms"))))
        .isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'commandTimeout'");
  }
}
