package io.reactivecache;

import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The time every freshness decision is made with, in milliseconds: the manager's injected {@link Scheduler}, read
 * directly; or, for the default real-time clock, a {@link TickingClock} over it that makes a read nearly free.
 */
final class EngineClock {
  private static final TickingClock DEFAULT_TICKING = new TickingClock(Schedulers.parallel());

  private final Scheduler scheduler;
  private final @Nullable TickingClock ticking;

  private EngineClock(Scheduler scheduler, @Nullable TickingClock ticking) {
    this.scheduler = scheduler;
    this.ticking = ticking;
  }

  /** The clock given to a manager: read exactly (virtual time in tests). */
  static EngineClock of(Scheduler scheduler) {
    return new EngineClock(scheduler, null);
  }

  /** The manager's default: real time from {@link Schedulers#parallel()}, read through the ticking clock. */
  static EngineClock realTime() {
    return new EngineClock(DEFAULT_TICKING.source(), DEFAULT_TICKING);
  }

  long now() {
    TickingClock clock = ticking;
    return clock != null ? clock.now() : scheduler.now(TimeUnit.MILLISECONDS);
  }

  Scheduler scheduler() {
    return scheduler;
  }
}
