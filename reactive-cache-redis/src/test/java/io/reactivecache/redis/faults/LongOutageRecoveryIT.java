package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.RedisServerProcess;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

/**
 * Row 24 of docs/reliability.md: Redis down for 5 s, 30 s and 120 s, then back on the same port, while the application keeps
 * calling (a write every 50 ms). Writes and reads must reach Redis again within the breaker wait plus 1 s of Redis
 * answering, whatever the outage's length: the reconnect delay is capped (default 500 ms) and jittered, where
 * Lettuce's own default grows to 30 s between attempts and made recovery grow with the outage.
 *
 * <p>The bound is measured from the moment the restarted server answers PING to the first write and read through
 * the backend that both succeed. The 120 s case is long by nature (about two and a half minutes).
 */
class LongOutageRecoveryIT extends RedisFaultTest {
  private static final String ROW = "row 24 long outage";
  private static final Duration BOUND = BREAKER_WAIT.plus(Duration.ofSeconds(1));

  @ParameterizedTest(name = "outage of {0} s")
  @ValueSource(ints = {5, 30, 120})
  void redisIsUsedAgainWithinTheBreakerWaitPlusOneSecondWhateverTheOutage(int outageSeconds) {
    RedisServerProcess server = startServer();
    RedisCacheBackend backend = backend(server.uri());
    assertThat(works(backend, "before")).isTrue();

    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong calls = new AtomicLong();
    Thread application = new Thread(() -> {
      while (running.get()) {
        backend.put("load", entry("v")).onErrorResume(e -> Mono.empty()).block(CALL_BOUND);
        calls.incrementAndGet();
        sleep(Duration.ofMillis(50));
      }
    }, "application-load");
    application.start();
    closeLater(() -> {
      running.set(false);
      application.join(CALL_BOUND.toMillis() * 2);
    });

    server.kill();
    sleep(Duration.ofSeconds(outageSeconds));
    server.restart();
    long answering = System.nanoTime();
    Duration recovered = await("a write and a read reach Redis again", BOUND.plus(Duration.ofSeconds(30)),
        () -> works(backend, "after"));
    Duration sinceAnswering = Duration.ofNanos(System.nanoTime() - answering);

    figure(ROW, outageSeconds + " s outage: write+read through the backend after Redis answers (bound "
        + BOUND.toMillis() + " ms)", sinceAnswering.toMillis() + " ms (calls during the test: " + calls.get() + ")");
    assertThat(recovered).isNotNull();
    assertThat(sinceAnswering).as("recovery after Redis answers again, %d s outage", outageSeconds)
        .isLessThanOrEqualTo(BOUND);
  }
}
