package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheHealth;
import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.RedisServerProcess;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** docs/reliability.md row 2: Redis restarts empty (killed, restarted on the same port). */
class RedisRestartsEmptyIT extends RedisFaultTest {
  private static final String ROW = "row 2 redis restarts empty";

  @Test
  void reconnectsWithinSecondsTheBreakerClosesAndNothingOldIsServed() {
    RedisServerProcess server = startServer();
    RedisCacheBackend backend = backend(server.uri());
    call(backend.put("k", entry(valueOf("k", 1))));

    server.kill();
    await("breaker open", Duration.ofSeconds(10), () -> shortCircuited(call(backend.get("k", STRING)).error()));
    assertThat(health(backend).status()).isEqualTo(CacheHealth.Status.DOWN);

    long restartedAt = System.nanoTime();
    server.restart();
    Duration recovery = await("the backend works again after the restart", RECOVERY_BOUND,
        () -> works(backend, "probe"));
    figure(ROW, "first successful write+read after restart (ms)", recovery.toMillis());

    Duration toUp = await("health UP after recovery", RECOVERY_BOUND,
        () -> health(backend).status() == CacheHealth.Status.UP);
    figure(ROW, "health UP after restart (ms)", Duration.ofNanos(System.nanoTime() - restartedAt).toMillis());
    assertThat(toUp).isLessThanOrEqualTo(RECOVERY_BOUND);

    // The breaker is closed: ten calls in a row go through, none is short-circuited.
    for (int i = 0; i < 10; i++) {
      Outcome<?> outcome = call(backend.get("k", STRING));
      assertThat(outcome.failed()).as("call %d after recovery", i).isFalse();
      assertThat(outcome.value()).as("Redis came back empty: nothing of before may be served").isEmpty();
    }
  }

  @Test
  void anOpenBreakerKeepsCallsAwayFromTheServerThenHalfOpensAndCloses() {
    RedisServerProcess server = startServer();
    Duration longWait = Duration.ofSeconds(4);
    RedisCacheBackend backend = backend(server.uri(), b -> b.circuitBreakerWaitDuration(longWait));
    call(backend.put("k", entry(valueOf("k", 1))));

    server.kill();
    long openedAt = System.nanoTime();
    await("breaker open", Duration.ofSeconds(10), () -> shortCircuited(call(backend.get("k", STRING)).error()));
    server.restart();
    long before = dataCommands(server);

    // Still inside the wait: calls are refused without reaching the (now healthy) server.
    int shortCircuited = 0;
    for (int i = 0; i < 20 && Duration.ofNanos(System.nanoTime() - openedAt).compareTo(longWait) < 0; i++) {
      Outcome<?> outcome = call(backend.get("k", STRING));
      outcome.backendError();
      if (shortCircuited(outcome.error())) {
        shortCircuited++;
      }
    }
    long reached = dataCommands(server) - before;
    figure(ROW, "calls short-circuited while the breaker was open", shortCircuited);
    figure(ROW, "data commands that reached the server while the breaker was open", reached);
    assertThat(shortCircuited).as("calls refused by the open breaker").isPositive();
    assertThat(reached).as("data commands that reached Redis while the breaker was open").isZero();

    // After the wait, one trial call goes through (half-open) and the breaker closes.
    Duration recovery = await("recovery after the breaker's wait", longWait.plus(RECOVERY_BOUND),
        () -> works(backend, "probe"));
    figure(ROW, "recovery after restart with a " + longWait.toSeconds() + " s breaker wait (ms)",
        recovery.toMillis());
    assertThat(call(backend.get("probe", STRING)).failed()).isFalse();
  }
}
