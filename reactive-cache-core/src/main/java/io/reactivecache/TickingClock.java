package io.reactivecache;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import reactor.core.scheduler.Scheduler;

/**
 * A real-time millisecond clock read from a {@link Scheduler} by one daemon thread every millisecond, so that a
 * cache hit reads a volatile field instead of the system clock (about 25 ns on the virtual machines we measure on,
 * a third of a whole hit). The thread ticks only while the clock is read: after about a second without a read it
 * parks until the next read, which then reads the scheduler itself and wakes it.
 *
 * <p>A time read here lags the scheduler's by at most one tick plus however long the operating system keeps the
 * thread from running. Only the manager's default clock uses it; a clock given to the manager (a virtual-time
 * scheduler in tests) is read directly, so tests stay exact.
 */
final class TickingClock {
  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  /** Ticks between checks that the clock is still read; with no read in between, the thread parks. */
  private static final int TICKS_PER_CHECK = 1_000;

  private final Scheduler source;
  private final AtomicBoolean started = new AtomicBoolean();
  private volatile long millis;
  private volatile boolean running;
  // Written by a reader only when false: in steady state reads do not write, so cores do not fight over it.
  private volatile boolean readSinceCheck;
  private volatile Thread ticker;

  TickingClock(Scheduler source) {
    this.source = source;
  }

  long now() {
    if (!running) {
      return wake();
    }
    if (!readSinceCheck) {
      readSinceCheck = true;
    }
    return millis;
  }

  /** Tells whether the thread is ticking (for tests of idling). */
  boolean isTicking() {
    return running;
  }

  Scheduler source() {
    return source;
  }

  private long wake() {
    long now = source.now(TimeUnit.MILLISECONDS);
    if (started.compareAndSet(false, true)) {
      millis = now;
      readSinceCheck = true;
      running = true;
      Thread thread = ticker;
      if (thread == null) {
        thread = new Thread(this::tick, "reactive-cache-clock");
        thread.setDaemon(true);
        ticker = thread;
        thread.start();
      } else {
        LockSupport.unpark(thread);
      }
    }
    return now;
  }

  private void tick() {
    int ticks = 0;
    for (;;) {
      millis = source.now(TimeUnit.MILLISECONDS);
      // This thread is ours and does nothing else: parking it is its job, not a blocked event loop.
      LockSupport.parkNanos(TICK_NANOS);
      if (++ticks < TICKS_PER_CHECK) {
        continue;
      }
      ticks = 0;
      if (readSinceCheck) {
        readSinceCheck = false;
        continue;
      }
      running = false;
      started.set(false);
      while (!running) {
        LockSupport.park(this);
      }
    }
  }
}
