package io.reactivecache.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheBackendException;
import io.reactivecache.CacheHealth;
import io.reactivecache.Strategy;
import io.reactivecache.ValueType;
import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.KeyPattern;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class ClosedBackendTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private final VirtualTimeScheduler clock = VirtualTimeScheduler.create();

  @AfterEach
  void disposeClock() {
    clock.dispose();
  }

  @ParameterizedTest
  @EnumSource(Strategy.class)
  void everyOperationFailsAfterClose(Strategy strategy) {
    MemoryCacheBackend backend = MemoryCacheBackend.builder().name("sessions").strategy(strategy).clock(clock)
        .build();
    CacheEntry<String> entry = CacheEntry.of("v", 0, CacheEntry.NEVER, CacheEntry.NEVER, Set.of("t"));
    backend.put("k", entry).block();
    StepVerifier.create(backend.health()).expectNext(CacheHealth.up()).expectComplete().verify(TIMEOUT);

    StepVerifier.create(backend.close()).expectComplete().verify(TIMEOUT);
    StepVerifier.create(backend.close()).as("closing twice").expectComplete().verify(TIMEOUT);

    List<Mono<?>> operations = List.of(
        backend.get("k", ValueType.of(String.class)),
        backend.getAll(List.of("k"), ValueType.of(String.class)),
        backend.put("k", entry),
        backend.putAll(Map.of("k", entry)),
        backend.delete("k"),
        backend.exists("k"),
        backend.clear(),
        backend.deletePattern(KeyPattern.of("*")),
        backend.invalidateTag("t"),
        backend.stats());
    for (Mono<?> operation : operations) {
      StepVerifier.create(operation)
          .expectErrorSatisfies(e -> assertThat(e)
              .isInstanceOf(CacheBackendException.class)
              .hasMessageContaining("'sessions'")
              .hasMessageContaining("closed"))
          .verify(TIMEOUT);
    }
    StepVerifier.create(backend.health())
        .assertNext(h -> assertThat(h.status()).isEqualTo(CacheHealth.Status.DOWN))
        .expectComplete().verify(TIMEOUT);
  }
}
