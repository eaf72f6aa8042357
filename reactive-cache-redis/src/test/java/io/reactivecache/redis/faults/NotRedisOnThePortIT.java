package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.GarbageServer;
import io.reactivecache.redis.support.RedisServerProcess;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** docs/reliability.md row 7: something else on the Redis port. */
class NotRedisOnThePortIT extends RedisFaultTest {
  private static final String ROW = "row 7 not redis on the port";

  @Test
  void garbageGivesAClearErrorAndRecoversWhenRedisReturns() {
    int port = RedisServerProcess.freePort();
    GarbageServer garbage = GarbageServer.garbage(port);
    try {
      RedisCacheBackend backend = backend("redis://127.0.0.1:" + port + "/0");
      for (int i = 0; i < 3; i++) {
        Outcome<?> outcome = call(backend.get("k", STRING));
        outcome.backendError();
        assertThat(outcome.error().getMessage()).as("says which Redis and what to check")
            .contains("127.0.0.1:" + port);
        figure(ROW, "garbage: error seen by the caller (" + i + ")", outcome.error().getMessage());
      }
      assertThat(garbage.acceptedConnections()).as("the backend did connect to the garbage").isPositive();
      garbage.close();

      RedisServerProcess server = startServer(RedisServerProcess.builder().port(port));
      long startedAt = System.nanoTime();
      await("works once Redis is back on the port", RECOVERY_BOUND, () -> works(backend, "k"));
      figure(ROW, "garbage then Redis: works after Redis started (ms)",
          Duration.ofNanos(System.nanoTime() - startedAt).toMillis());
      assertThat(server.isAlive()).isTrue();
    } finally {
      garbage.close();
    }
  }

  @Test
  void aListenerThatNeverAnswersTimesOutAndRecoversWhenRedisReturns() {
    int port = RedisServerProcess.freePort();
    GarbageServer silent = GarbageServer.silent(port);
    try {
      RedisCacheBackend backend = backend("redis://127.0.0.1:" + port + "/0");
      for (int i = 0; i < 3; i++) {
        Outcome<?> outcome = call(backend.get("k", STRING));
        outcome.backendError();
        figure(ROW, "silent listener: error seen by the caller (" + i + ")", outcome.error().getMessage());
      }
      silent.close();

      startServer(RedisServerProcess.builder().port(port));
      long startedAt = System.nanoTime();
      await("works once Redis is back on the port", RECOVERY_BOUND, () -> works(backend, "k"));
      figure(ROW, "silent listener then Redis: works after Redis started (ms)",
          Duration.ofNanos(System.nanoTime() - startedAt).toMillis());
    } finally {
      silent.close();
    }
  }
}
