package io.reactivecache;

import io.reactivecache.testing.MapCacheBackend;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * Every {@code cachedMono} rule again, on a backend that reads synchronously ({@code getNow}), which takes the
 * engine's fast path for hits.
 */
class CachedMonoRulesSynchronousReadTest extends CachedMonoRulesTest {
  @Override
  MapCacheBackend newBackend(VirtualTimeScheduler clock) {
    return new MapCacheBackend("map", clock, null, true);
  }
}
