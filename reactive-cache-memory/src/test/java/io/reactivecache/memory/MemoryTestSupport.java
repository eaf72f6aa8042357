package io.reactivecache.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheStats;
import io.reactivecache.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import reactor.test.scheduler.VirtualTimeScheduler;

/** What the memory backend's tests share: a virtual clock, backends closed after each test, and probes. */
abstract class MemoryTestSupport {
  protected final VirtualTimeScheduler clock = VirtualTimeScheduler.create();
  private final List<MemoryCacheBackend> backends = new ArrayList<>();

  @AfterEach
  void closeBackendsAndClock() {
    backends.forEach(b -> b.close().block()); // closing twice is harmless
    clock.dispose();
  }

  /** Returns a backend built on the test's clock, closed after the test. */
  protected MemoryCacheBackend build(MemoryCacheBackend.Builder builder) {
    return track(builder.clock(clock).build());
  }

  /** Closes a backend after the test. */
  protected MemoryCacheBackend track(MemoryCacheBackend backend) {
    backends.add(backend);
    return backend;
  }

  protected long now() {
    return clock.now(TimeUnit.MILLISECONDS);
  }

  /** Reads a key, which must be a hit (a read counts as a use for the eviction policy). */
  protected static void hit(MemoryCacheBackend backend, String key, Class<?> type) {
    assertThat(backend.get(key, ValueType.of(type)).block()).as("hit on %s", key).isNotNull();
  }

  /** Returns the keys that exist, in the order given; {@code exists} does not count as a use. */
  protected static List<String> present(MemoryCacheBackend backend, String... keys) {
    List<String> present = new ArrayList<>();
    for (String key : keys) {
      if (Boolean.TRUE.equals(backend.exists(key).block())) {
        present.add(key);
      }
    }
    return present;
  }

  protected static CacheStats stats(MemoryCacheBackend backend) {
    return backend.stats().block();
  }
}
