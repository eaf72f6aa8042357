package io.reactivecache;

import io.reactivecache.testing.MapCacheBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * What the engine's rule tests share: a manager over the test-jar's map backend on a virtual clock (so TTLs and
 * timeouts pass without sleeping) with seeded randomness, and a {@code String} cache named {@code items}.
 * Subclasses named {@code *SynchronousReadTest} override {@link #newBackend} to run every test again on the
 * engine's synchronous read path ({@code getNow}).
 */
abstract class EngineFixture {
  static final Duration WAIT = Duration.ofSeconds(10);

  VirtualTimeScheduler clock;
  MapCacheBackend backend;
  CacheManager manager;

  @BeforeEach
  void setUpEngine() {
    clock = VirtualTimeScheduler.create();
    clock.advanceTimeTo(Instant.parse("2026-01-01T00:00:00Z"));
    backend = newBackend(clock);
    manager = CacheManager.builder().backend(backend).clock(clock).random(new Random(42)).build();
  }

  @AfterEach
  void disposeClock() {
    clock.dispose();
  }

  /** The backend under the engine: reads asynchronously unless a subclass says otherwise. */
  MapCacheBackend newBackend(VirtualTimeScheduler clock) {
    return new MapCacheBackend("map", clock, null);
  }

  Cache<String> cache(CachePolicy policy) {
    return manager.cache("items", String.class, policy);
  }

  static CachePolicy ttl(Duration ttl) {
    return CachePolicy.builder().ttl(ttl).build();
  }
}
