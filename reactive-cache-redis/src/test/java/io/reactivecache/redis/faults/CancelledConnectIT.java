package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.RedisServerProcess;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A caller that gives up while the backend is still connecting (a cancelled request, a {@code timeout()} upstream)
 * leaves no connection behind: the connection that connect opens is the one later calls use, not a second one
 * owned by nobody until the backend is closed.
 */
class CancelledConnectIT extends RedisFaultTest {
  private static final int ROUNDS = 5;

  @Test
  void aConnectEveryCallerCancelledLeavesNoConnectionBehind() {
    RedisServerProcess server = startServer();
    for (int round = 0; round < ROUNDS; round++) {
      RedisCacheBackend backend = backend(server.uri());
      backend.get("k", STRING).subscribe().dispose(); // starts the connect, and gives up on it at once
      sleep(Duration.ofMillis(300));
      call(backend.get("k", STRING));
      sleep(Duration.ofMillis(300));

      int clients = server.awaitClientCountAtMost(1, Duration.ofSeconds(2));
      assertThat(clients).as("connections to Redis in round %d (the backend needs one)", round).isEqualTo(1);
      backend.close().block(Duration.ofSeconds(10));
      server.awaitClientCountAtMost(0, Duration.ofSeconds(5));
    }
  }
}
