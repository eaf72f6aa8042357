package io.reactivecache.memory;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.context.Context;

/**
 * Removes expired entries every interval, without waiting for a caller to read them, on the backend's clock.
 *
 * <p>The periodic task runs only while some held entry can expire: an idle cache, or one whose entries never expire,
 * costs no wake-ups (and virtual-time tests that jump a year ahead do not run millions of empty ticks). Start and
 * stop happen under this object's monitor, and {@link #ensureRunning()} is called after the entry is counted, so a
 * task stopping because it saw no expiring entry cannot miss a write that needs it.
 */
final class ExpiryCleanup {
  private final Scheduler clock;
  private final long intervalMillis;
  private final Runnable cleanUp;
  private final LongSupplier expiringEntries;
  private @Nullable Disposable task;
  private boolean stopped;

  /**
   * Creates the cleanup, not yet running.
   *
   * @param clock the backend's clock (borrowed, never disposed here)
   * @param intervalMillis the period
   * @param cleanUp the work of one tick
   * @param expiringEntries how many held entries can expire
   */
  ExpiryCleanup(Scheduler clock, long intervalMillis, Runnable cleanUp, LongSupplier expiringEntries) {
    this.clock = clock;
    this.intervalMillis = intervalMillis;
    this.cleanUp = cleanUp;
    this.expiringEntries = expiringEntries;
  }

  /** Starts the periodic task if it is not running. */
  synchronized void ensureRunning() {
    if (stopped || task != null) {
      return;
    }
    try {
      task = clock.schedulePeriodically(this::tick, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // The borrowed clock was disposed by its owner. Reads still never return expired entries; only the
      // background removal is lost, and nobody is waiting on it, so the error goes to Reactor's dropped-error hook.
      Operators.onErrorDropped(e, Context.empty());
    }
  }

  /**
   * Tells whether the periodic task is scheduled.
   *
   * @return true while running
   */
  synchronized boolean isRunning() {
    return task != null;
  }

  /** Stops the task for good. */
  synchronized void stop() {
    stopped = true;
    if (task != null) {
      task.dispose();
      task = null;
    }
  }

  private void tick() {
    try {
      cleanUp.run();
    } catch (RuntimeException e) {
      // A periodic task that throws is cancelled by some schedulers; keep running and report the error.
      Operators.onErrorDropped(e, Context.empty());
    }
    synchronized (this) {
      if (task != null && expiringEntries.getAsLong() == 0) {
        task.dispose();
        task = null;
      }
    }
  }
}
