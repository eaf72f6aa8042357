package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The default clock's ticker: follows its source within a tick, idles without readers, wakes on the next read. */
class TickingClockTest {
  private static final long LIVENESS_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final VirtualTimeScheduler source = VirtualTimeScheduler.create();

  @AfterEach
  void tearDown() {
    source.dispose();
  }

  @Test
  void followsItsSourceAndIdlesWithoutReaders() {
    source.advanceTimeTo(Instant.parse("2026-01-01T00:00:00Z"));
    TickingClock clock = new TickingClock(source);
    long start = source.now(TimeUnit.MILLISECONDS);
    assertThat(clock.now()).as("the first read is exact").isEqualTo(start);
    assertThat(clock.isTicking()).isTrue();

    source.advanceTimeBy(Duration.ofSeconds(5));
    long deadline = System.nanoTime() + LIVENESS_NANOS;
    while (clock.now() != start + 5_000 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(clock.now()).as("the ticker caught up with its source").isEqualTo(start + 5_000);

    deadline = System.nanoTime() + LIVENESS_NANOS;
    while (clock.isTicking() && System.nanoTime() < deadline) {
      Thread.onSpinWait(); // no reads: after about a second the ticker parks
    }
    assertThat(clock.isTicking()).as("idle without readers").isFalse();

    source.advanceTimeBy(Duration.ofSeconds(7));
    assertThat(clock.now()).as("a read while idle is exact, and wakes the ticker").isEqualTo(start + 12_000);
    assertThat(clock.isTicking()).isTrue();
  }
}
