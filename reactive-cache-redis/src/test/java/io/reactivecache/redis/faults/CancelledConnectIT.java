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
      // Starts the connect on this thread, and gives up on it at once. (A first read would start it later, on
      // another thread, once the value type's reader is made: whether the cancel met the connect was a race, and
      // the leak showed in one CI run of five.)
      backend.delete("k").subscribe().dispose();
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
