package io.reactivecache;

import java.time.Duration;

/** Duration arithmetic that saturates instead of overflowing: a huge duration means "practically forever". */
final class Durations {
  private Durations() {}

  /**
   * Converts to milliseconds, saturating at {@code Long.MAX_VALUE} ({@link Duration#toMillis()} throws past about
   * 292 million years).
   *
   * @param duration a non-negative duration
   * @return its milliseconds, at most {@code Long.MAX_VALUE}
   */
  static long toMillis(Duration duration) {
    if (duration.getSeconds() >= Long.MAX_VALUE / 1000) {
      return Long.MAX_VALUE;
    }
    return duration.toMillis();
  }

  /**
   * Converts a timeout to milliseconds for a timer: timers count in nanoseconds, so a timeout longer than a century
   * can never fire in practice and is treated as none (0).
   *
   * @param timeout a non-negative timeout
   * @return its milliseconds, or 0 for none
   */
  static long timerMillis(Duration timeout) {
    long millis = toMillis(timeout);
    return millis > CENTURY_MILLIS ? 0 : millis;
  }

  private static final long CENTURY_MILLIS = Duration.ofDays(36_525).toMillis();

  /**
   * Adds two non-negative millisecond counts, saturating at {@code Long.MAX_VALUE}.
   *
   * @param a a time or duration
   * @param b a duration
   * @return {@code a + b}, or {@code Long.MAX_VALUE} when that overflows
   */
  static long add(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }
}
