package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.RedisServerProcess;
import io.reactivecache.redis.support.TcpProxy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * docs/reliability.md row 4: a half-open connection (the proxy swallows everything on the open connection for good).
 */
class HalfOpenConnectionIT extends RedisFaultTest {
  private static final String ROW = "row 4 half-open connection";

  @Test
  void theDeadConnectionIsDetectedAndReplacedWithinSeconds() {
    RedisServerProcess server = startServer();
    TcpProxy proxy = closeLater(TcpProxy.start(server.host(), server.port()));
    RedisCacheBackend backend = backend("redis://127.0.0.1:" + proxy.port() + "/0");
    call(backend.put("k", entry(valueOf("k", 1))));
    int connectionsBefore = proxy.acceptedConnections();

    proxy.freeze();
    Outcome<?> outcome = call(backend.get("k", STRING));
    assertThat(outcome.failed()).as("a call on a half-open connection").isTrue();
    long frozenAt = System.nanoTime();
    // The network is fine again for new connections; the one the backend holds stays a black hole.
    proxy.passThrough();

    Duration replaced = await("the dead connection replaced by a working one", RECOVERY_BOUND,
        () -> works(backend, "k2"));
    figure(ROW, "dead connection replaced, backend works again after (ms)",
        Duration.ofNanos(System.nanoTime() - frozenAt).toMillis());
    assertThat(replaced).isLessThanOrEqualTo(RECOVERY_BOUND);
    assertThat(proxy.acceptedConnections()).as("a new connection was opened").isGreaterThan(connectionsBefore);
    assertThat(call(backend.get("k", STRING)).get().value()).isEqualTo(valueOf("k", 1));
  }
}
