package io.reactivecache.redis;

import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The wait before each attempt to re-establish a lost connection: 10 ms, then doubling, never more than the cap,
 * each drawn at random between half of that and all of it.
 *
 * <p>Why a cap: Lettuce's default grows to 30 s, so after a long outage the next attempt could come up to 30 s
 * after Redis answered again, and recovery grew with the outage (8, 9, 16 s between attempts were measured). With
 * a cap of a fraction of a second, the connection is back at most one cap after Redis is. Why the jitter: a fleet
 * of instances that lost Redis together would otherwise knock on it in step.
 */
final class ReconnectDelay extends Delay {
  private static final long FIRST_NANOS = Duration.ofMillis(10).toNanos();

  private final long capNanos;

  ReconnectDelay(Duration cap) {
    this.capNanos = cap.toNanos();
  }

  @Override
  public Duration createDelay(long attempt) {
    // 10 ms doubled 30 times is 124 days, past any cap (at most a day): no need to shift further.
    long doublings = Math.max(0, Math.min(attempt - 1, 30));
    long grown = FIRST_NANOS << doublings;
    long ceiling = Math.min(capNanos, grown);
    long floor = ceiling / 2;
    return Duration.ofNanos(floor + ThreadLocalRandom.current().nextLong(ceiling - floor + 1));
  }
}
