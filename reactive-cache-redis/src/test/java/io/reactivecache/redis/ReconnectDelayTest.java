package io.reactivecache.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The reconnect delay starts small, doubles, never passes its cap, and is spread between half the cap and it. */
class ReconnectDelayTest {

  @Test
  void growsFromTenMillisecondsAndNeverPassesTheCap() {
    Duration cap = Duration.ofMillis(500);
    ReconnectDelay delay = new ReconnectDelay(cap);
    assertThat(delay.createDelay(1)).isBetween(Duration.ofMillis(5), Duration.ofMillis(10));
    assertThat(delay.createDelay(2)).isBetween(Duration.ofMillis(10), Duration.ofMillis(20));
    for (long attempt = 1; attempt <= 10_000; attempt += attempt < 100 ? 1 : 997) {
      assertThat(delay.createDelay(attempt)).as("attempt %d", attempt).isLessThanOrEqualTo(cap).isPositive();
    }
    assertThat(delay.createDelay(Long.MAX_VALUE)).isBetween(cap.dividedBy(2), cap);
  }

  @Test
  void waitsAtTheCapAreJitteredSoInstancesDoNotReconnectInStep() {
    Duration cap = Duration.ofMillis(500);
    ReconnectDelay delay = new ReconnectDelay(cap);
    Set<Duration> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      Duration wait = delay.createDelay(50);
      assertThat(wait).isBetween(cap.dividedBy(2), cap);
      seen.add(wait);
    }
    assertThat(seen).as("distinct waits among 200 at the cap").hasSizeGreaterThan(100);
  }

  @Test
  void aCapOfADayDoesNotOverflow() {
    Duration day = Duration.ofDays(1);
    assertThat(new ReconnectDelay(day).createDelay(1_000)).isBetween(day.dividedBy(2), day);
  }
}
