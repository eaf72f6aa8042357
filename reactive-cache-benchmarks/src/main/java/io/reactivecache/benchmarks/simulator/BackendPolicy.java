package io.reactivecache.benchmarks.simulator;

import io.reactivecache.ValueType;
import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheEntry;
import java.util.Set;

/**
 * One of our backends driven through the SPI, as the library drives it: {@code get}, then {@code put} on a miss.
 *
 * <p>Each call is subscribed synchronously ({@code block()}): this is a command-line simulator replaying a trace
 * in order, not library code, and blocking is what keeps the request order exact.
 */
final class BackendPolicy implements Policy {
  private static final ValueType<Boolean> TYPE = ValueType.of(Boolean.class);
  // Never stale, never expired: the simulator measures eviction only.
  private static final CacheEntry<Boolean> ENTRY =
      CacheEntry.of(Boolean.TRUE, 0L, CacheEntry.NEVER, CacheEntry.NEVER, Set.of());

  private final CacheBackend backend;

  BackendPolicy(CacheBackend backend) {
    this.backend = backend;
  }

  @Override
  public boolean request(long key) {
    String k = Long.toString(key);
    if (backend.get(k, TYPE).block() != null) {
      return true;
    }
    backend.put(k, ENTRY).block();
    return false;
  }

  @Override
  public void close() {
    backend.close().block();
  }
}
