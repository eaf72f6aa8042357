package io.reactivecache;

import java.util.concurrent.TimeUnit;
import reactor.core.scheduler.Scheduler;

/** The time every freshness decision is made with: the manager's injected {@link Scheduler}, in milliseconds. */
final class EngineClock {
  private final Scheduler scheduler;

  EngineClock(Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  long now() {
    return scheduler.now(TimeUnit.MILLISECONDS);
  }

  Scheduler scheduler() {
    return scheduler;
  }
}
