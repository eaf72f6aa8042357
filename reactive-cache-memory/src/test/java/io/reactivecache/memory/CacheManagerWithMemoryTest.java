package io.reactivecache.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivecache.CacheConfigurationException;
import io.reactivecache.CacheManager;
import io.reactivecache.Strategy;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;

/** Core's manager finds this module through ServiceLoader and drives it with the manager's clock. */
class CacheManagerWithMemoryTest {
  private final VirtualTimeScheduler clock = VirtualTimeScheduler.create();

  @AfterEach
  void disposeClock() {
    clock.dispose();
  }

  @Test
  void managerSetsUpTheMemoryBackendInOneCall() {
    CacheManager manager = CacheManager.builder().clock(clock)
        .memory("local", 100, Duration.ofSeconds(10), Strategy.LRU).build();
    try {
      manager.put("greeting", "hello").block();
      assertThat(manager.get("greeting", String.class).block()).isEqualTo("hello");
      clock.advanceTimeBy(Duration.ofSeconds(10));
      assertThat(manager.get("greeting", String.class).blockOptional()).as("default TTL applied").isEmpty();
      assertThat(manager.stats().block().evictions()).as("removed by the cleanup, on the manager's clock")
          .isEqualTo(1);
    } finally {
      manager.close().block();
    }
  }

  @Test
  void managerPassesMemoryOptionsThroughAndUnknownOnesFail() {
    CacheManager manager = CacheManager.builder().clock(clock).backend("memory", "small",
        Map.of("maximumSize", "2", "strategy", "lfu", "expiryCleanupInterval", "100ms")).build();
    try {
      manager.put("a", 1).block();
      manager.put("b", 2).block();
      manager.get("a", Integer.class).block();
      manager.put("c", 3).block(); // LFU: b (never read) goes
      assertThat(manager.exists("a").block()).isTrue();
      assertThat(manager.exists("b").block()).isFalse();
      assertThat(manager.exists("c").block()).isTrue();
    } finally {
      manager.close().block();
    }
    assertThatThrownBy(() -> CacheManager.builder().clock(clock)
        .backend("memory", "typo", Map.of("expiryCleanupIntervall", "1s")).build())
        .isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("expiryCleanupIntervall");
  }
}
