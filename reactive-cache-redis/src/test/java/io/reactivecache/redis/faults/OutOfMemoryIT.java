package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.RedisServerProcess;
import io.reactivecache.redis.support.RespConnection;
import io.reactivecache.redis.support.RespConnection.RespException;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** docs/reliability.md row 9: Redis out of memory (small maxmemory, noeviction). */
class OutOfMemoryIT extends RedisFaultTest {
  private static final String ROW = "row 9 redis out of memory";

  @Test
  void writesAreRejectedNotRetriedReadsAreServedAndTheCacheKeepsWorking() {
    RedisServerProcess server = startServer(RedisServerProcess.builder().maxmemory("64mb", "noeviction"));
    RedisCacheBackend backend = backend(server.uri());
    for (int i = 0; i < 5; i++) {
      call(backend.put("kept-" + i, entry(valueOf("kept-" + i, 1))));
    }

    // Filling memory up to a limit leaves it hovering around the limit (a refused write frees its buffers), so
    // the limit is brought under what is used instead: from now on every write is refused, as on a full server.
    server.command("CONFIG", "SET", "maxmemory", "1");
    try (RespConnection admin = server.admin()) {
      assertThatThrownBy(() -> admin.command("SET", "junk", "x")).isInstanceOf(RespException.class)
          .hasMessageStartingWith("OOM");
    }

    long rejectedBefore = rejectedCalls(server);
    int puts = 2 * BREAKER_THRESHOLD;
    for (int i = 0; i < puts; i++) {
      Outcome<?> outcome = call(backend.put("new-" + i, entry(valueOf("new-" + i, 1))));
      outcome.backendError();
      assertThat(outcome.error().getMessage().toLowerCase(Locale.ROOT)).contains("memory");
    }
    long rejected = rejectedCalls(server) - rejectedBefore;
    figure(ROW, "error replies (refused attempts) for " + puts + " puts (no retry means " + puts + ")", rejected);
    assertThat(rejected).as("OOM writes are not retried").isEqualTo(puts);

    // More rejected writes than the breaker's threshold, yet reads still go to Redis and are served.
    for (int i = 0; i < 5; i++) {
      Outcome<io.reactivecache.spi.CacheEntry<String>> read = call(backend.get("kept-" + i, STRING));
      assertThat(read.failed()).as("a read while Redis is out of memory").isFalse();
      assertThat(read.get().value()).isEqualTo(valueOf("kept-" + i, 1));
    }
    long rejectedWrites = backend.stats().block(java.time.Duration.ofSeconds(10)).rejectedWrites();
    figure(ROW, "rejectedWrites counted by the backend", rejectedWrites);
    assertThat(rejectedWrites).isGreaterThanOrEqualTo(puts);

    server.command("CONFIG", "SET", "maxmemory", "0");
    assertThat(works(backend, "after")).as("writes work again once memory is freed").isTrue();
  }

  /** Error replies sent to clients: one per refused attempt (errors inside a script add none of their own). */
  private static long rejectedCalls(RedisServerProcess server) {
    String info = (String) server.command("INFO", "stats");
    return info.lines()
        .filter(line -> line.startsWith("total_error_replies:"))
        .mapToLong(line -> Long.parseLong(line.substring("total_error_replies:".length()).trim()))
        .sum();
  }
}
