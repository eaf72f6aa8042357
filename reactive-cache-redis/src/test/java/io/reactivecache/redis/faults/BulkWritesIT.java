package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.reactivecache.Strategy;
import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.RedisServerProcess;
import io.reactivecache.spi.CacheEntry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Row 29 of docs/reliability.md: {@code putAll} of 20,000 entries on a healthy Redis with a 100 ms command timeout lands
 * whole, and the breaker stays closed without a single failed call. Sent all at once, each write with its own
 * timeout, the last replies came after their timeout and the breaker opened on a healthy server (and then closed
 * the shared connection).
 */
class BulkWritesIT extends RedisFaultTest {
  private static final String ROW = "row 29 bulk writes";
  private static final int ENTRIES = 20_000;

  @ParameterizedTest
  @EnumSource(value = Strategy.class, names = {"TTL", "LRU"})
  void twentyThousandEntriesLandAndTheBreakerStaysClosed(Strategy strategy) {
    RedisServerProcess server = startServer();
    RedisCacheBackend backend = backend(server.uri(), b -> b.commandTimeout(Duration.ofMillis(100))
        .strategy(strategy).maximumSize(ENTRIES));
    Map<String, CacheEntry<String>> entries = new LinkedHashMap<>();
    for (int i = 0; i < ENTRIES; i++) {
      entries.put("bulk:" + i, entry("value-" + i + "-" + "x".repeat(100)));
    }

    long start = System.nanoTime();
    backend.putAll(entries).block(Duration.ofMinutes(2));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    CircuitBreaker.Metrics metrics = backend.circuitBreaker().getMetrics();
    long stored = (Long) server.command("DBSIZE");
    figure(ROW, strategy.id() + ": entries / stored / failed calls / breaker / time (ms)", ENTRIES + " / "
        + stored + " / " + metrics.getNumberOfFailedCalls() + " / " + backend.circuitBreaker().getState() + " / "
        + took.toMillis());
    assertThat(backend.circuitBreaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(metrics.getNumberOfFailedCalls()).as("failed calls").isZero();
    // The entries, plus the access order and its sequence for LRU.
    assertThat(stored).isEqualTo(strategy == Strategy.TTL ? ENTRIES : ENTRIES + 2L);
    assertThat(backend.get("bulk:" + (ENTRIES - 1), STRING).block(Duration.ofSeconds(5)).value())
        .startsWith("value-" + (ENTRIES - 1));
  }
}
