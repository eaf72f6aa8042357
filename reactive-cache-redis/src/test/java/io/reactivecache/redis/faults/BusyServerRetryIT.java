package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.RedisServerProcess;
import io.reactivecache.redis.support.RespConnection;
import io.reactivecache.spi.CacheEntry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A read refused with a transient server error is retried, on the real GET path: while a slow script runs, Redis
 * answers every other command with {@code BUSY}; the read's first attempt gets that reply and a later one the
 * value.
 */
class BusyServerRetryIT extends RedisFaultTest {
  /** Busy-waits about 800 ms inside Redis; nothing else is served meanwhile. */
  private static final String SLOW_SCRIPT = "local t = redis.call('TIME') "
      + "local start = t[1] * 1000000 + t[2] "
      + "while true do local n = redis.call('TIME') "
      + "if n[1] * 1000000 + n[2] - start > 800000 then break end end "
      + "return 1";

  @Test
  void aGetRefusedAsBusyIsRetriedAndAnswersTheValue() throws Exception {
    RedisServerProcess server = startServer();
    // Enough retries to outlast the script: backoffs of 20 ms doubling, capped at 4 x the command timeout.
    RedisCacheBackend backend = backend(server.uri(), b -> b.retryAttempts(10).circuitBreakerThreshold(50));
    call(backend.put("k", entry(valueOf("k", 1))));
    assertThat(call(backend.get("k", STRING)).get().value()).isEqualTo(valueOf("k", 1));
    server.command("CONFIG", "SET", "busy-reply-threshold", "10");
    long refusedBefore = refusedGets(server);

    CompletableFuture<Object> script = CompletableFuture.supplyAsync(() -> {
      try (RespConnection slow = RespConnection.open(server.host(), server.port(), null, null, null)) {
        return slow.readTimeout(Duration.ofSeconds(10)).command("EVAL", SLOW_SCRIPT, "0");
      }
    });
    // Until the server answers BUSY (the script runs, past the threshold) rather than queueing commands.
    await("the script makes the server busy", Duration.ofSeconds(5), () -> {
      try {
        server.command("PING");
        return false;
      } catch (RuntimeException e) {
        return String.valueOf(e.getMessage()).contains("BUSY");
      }
    });
    Outcome<CacheEntry<String>> read = call(backend.get("k", STRING));

    assertThat(read.get().value()).as("the retried read's value").isEqualTo(valueOf("k", 1));
    assertThat(script.get()).isEqualTo(1L);
    assertThat(refusedGets(server) - refusedBefore).as("GETs refused (BUSY) before the one that answered")
        .isPositive();
  }

  /** GETs the server refused or failed, from {@code INFO commandstats}. */
  private static long refusedGets(RedisServerProcess server) {
    long[] get = commandStats(server).get("get");
    return get == null ? 0 : get[1];
  }
}
