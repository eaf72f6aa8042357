package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheHealth;
import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.RedisServerProcess;
import io.reactivecache.redis.support.TcpProxy;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** docs/reliability.md row 6: latency and flapping. */
class LatencyAndFlappingIT extends RedisFaultTest {
  private static final String ROW = "row 6 latency and flapping";

  @Test
  void latencyBeyondTheTimeoutGivesBoundedRetries() {
    RedisServerProcess server = startServer();
    TcpProxy proxy = closeLater(TcpProxy.start(server.host(), server.port()));
    RedisCacheBackend backend = backend("redis://127.0.0.1:" + proxy.port() + "/0");
    call(backend.put("k", entry(valueOf("k", 1))));
    long oneRead = dataCommands(server);
    call(backend.get("k", STRING));
    long commandsPerRead = dataCommands(server) - oneRead;

    proxy.latency(COMMAND_TIMEOUT.plus(Duration.ofMillis(200)));
    long before = dataCommands(server);
    Outcome<?> outcome = call(backend.get("k", STRING));
    outcome.backendError();
    // The delayed attempts still reach the server, one after another: wait for all of them, then count.
    sleep(COMMAND_TIMEOUT.plus(Duration.ofMillis(200)).multipliedBy(RETRY_ATTEMPTS + 2L));
    long attempts = (dataCommands(server) - before) / Math.max(1, commandsPerRead);
    figure(ROW, "attempts one read made against a server slower than the timeout (configured "
        + RETRY_ATTEMPTS + ")", attempts);
    assertThat(attempts).as("attempts of one read").isBetween(1L, (long) RETRY_ATTEMPTS);
    proxy.passThrough();
  }

  @Test
  void flappingDoesNotMakeTheBreakerOscillateFasterThanItsWaitAndLeavesNoLeaks() {
    RedisServerProcess server = startServer();
    TcpProxy proxy = closeLater(TcpProxy.start(server.host(), server.port()));
    Set<String> threadsBefore = clientThreads();
    RedisCacheBackend backend = configured("redis://127.0.0.1:" + proxy.port() + "/0", "ns-flap").build();
    try {
      call(backend.put("k", entry(valueOf("k", 1))));

      proxy.flap(Duration.ofMillis(200));
      Duration run = Duration.ofSeconds(4);
      long end = System.nanoTime() + run.toNanos();
      int downPhases = 0;
      boolean wasDown = false;
      int wrong = 0;
      int calls = 0;
      while (System.nanoTime() < end) {
        Outcome<io.reactivecache.spi.CacheEntry<String>> outcome = call(backend.get("k", STRING));
        calls++;
        if (outcome.value().isPresent() && !outcome.value().get().value().equals(valueOf("k", 1))) {
          wrong++;
        }
        boolean down = health(backend).status() == CacheHealth.Status.DOWN;
        if (down && !wasDown) {
          downPhases++;
        }
        wasDown = down;
        sleep(Duration.ofMillis(20));
      }
      proxy.passThrough();
      long maxPhases = run.toMillis() / BREAKER_WAIT.toMillis() + 1;
      figure(ROW, "flapping 200 ms for " + run.toSeconds() + " s: calls / DOWN phases (at most " + maxPhases
          + " allowed by a " + BREAKER_WAIT.toMillis() + " ms wait)", calls + " / " + downPhases);
      figure(ROW, "flapping: wrong values", wrong);
      assertThat(wrong).isZero();
      assertThat(downPhases).as("times health went DOWN").isLessThanOrEqualTo((int) maxPhases);
      await("works after the flapping stops", RECOVERY_BOUND, () -> works(backend, "probe"));
    } finally {
      backend.close().block(Duration.ofSeconds(10));
    }

    int clients = server.awaitClientCountAtMost(0, Duration.ofSeconds(5));
    Set<String> leaked = awaitNoNewThreads(threadsBefore);
    figure(ROW, "after close: client connections left on the server", clients);
    figure(ROW, "after close: threads left that were not there before", leaked.size());
    assertThat(clients).as("connections left open on Redis").isZero();
    assertThat(leaked).as("threads left behind").isEmpty();
  }

  /** Threads created since {@code before} that are still alive after a grace period (shared schedulers aside). */
  static Set<String> awaitNoNewThreads(Set<String> before) {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    Set<String> extra;
    do {
      extra = clientThreads().stream()
          .filter(name -> !before.contains(name))
          // Reactor's global schedulers and the JDK's are shared by the whole JVM, not ours to stop.
          .filter(name -> !name.startsWith("parallel-") && !name.startsWith("boundedElastic-")
              && !name.startsWith("single-") && !name.startsWith("ForkJoinPool") && !name.startsWith("process reaper")
              && !name.startsWith("Attach Listener") && !name.startsWith("Common-Cleaner"))
          .collect(Collectors.toSet());
      if (extra.isEmpty()) {
        return extra;
      }
      sleep(Duration.ofMillis(50));
    } while (System.nanoTime() < deadline);
    return extra;
  }
}
