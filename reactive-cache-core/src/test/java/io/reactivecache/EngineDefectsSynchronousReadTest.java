package io.reactivecache;

import io.reactivecache.testing.MapCacheBackend;
import reactor.test.scheduler.VirtualTimeScheduler;

/** {@link EngineDefectsTest} on a backend that reads synchronously ({@code getNow}): the engine's fast path. */
class EngineDefectsSynchronousReadTest extends EngineDefectsTest {
  @Override
  MapCacheBackend newBackend(VirtualTimeScheduler clock) {
    return new MapCacheBackend("map", clock, null, true);
  }
}
