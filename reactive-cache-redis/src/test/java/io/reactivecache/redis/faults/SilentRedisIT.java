package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.RedisServerProcess;
import io.reactivecache.spi.CacheEntry;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** docs/reliability.md row 3: Redis alive but silent (CLIENT PAUSE, SIGSTOP / SIGCONT). */
class SilentRedisIT extends RedisFaultTest {
  private static final String ROW = "row 3 redis silent";

  @Test
  void clientPauseTimesOutWithAClearErrorAndRecoversByItself() {
    RedisServerProcess server = startServer();
    RedisCacheBackend backend = backend(server.uri());
    call(backend.put("k", entry(valueOf("k", 1))));

    server.command("CLIENT", "PAUSE", "2000", "ALL");
    long pausedAt = System.nanoTime();
    Outcome<?> outcome = call(backend.get("k", STRING));
    assertTimeoutMessage(outcome.backendError());

    Duration recovery = await("works again after the pause", RECOVERY_BOUND, () -> works(backend, "k2"));
    figure(ROW, "CLIENT PAUSE 2000 ms: works again after pause start (ms)",
        Duration.ofNanos(System.nanoTime() - pausedAt).toMillis());
    assertThat(recovery).isLessThanOrEqualTo(RECOVERY_BOUND);
    assertThat(call(backend.get("k", STRING)).get().value()).isEqualTo(valueOf("k", 1));
  }

  @Test
  void sigstopTimesOutWithoutBlockingThreadsAndSigcontRecovers() {
    RedisServerProcess server = startServer();
    RedisCacheBackend backend = backend(server.uri());
    call(backend.put("k", entry(valueOf("k", 1))));

    server.pause();
    try {
      Outcome<?> outcome = call(backend.get("k", STRING));
      assertTimeoutMessage(outcome.backendError());
      // Calls in flight on a stopped server hold no thread: the shared schedulers still run other work at once.
      var inFlight = Mono.when(java.util.stream.IntStream.range(0, 50)
              .mapToObj(i -> backend.get("k", STRING).onErrorResume(e -> Mono.empty()))
              .toList())
          .subscribe();
      assertThat(Mono.fromCallable(() -> "free").subscribeOn(Schedulers.parallel()).block(Duration.ofSeconds(2)))
          .isEqualTo("free");
      assertThat(Mono.fromCallable(() -> "free").subscribeOn(Schedulers.boundedElastic())
          .block(Duration.ofSeconds(2))).isEqualTo("free");
      inFlight.dispose();
    } finally {
      server.resume();
    }
    long resumedAt = System.nanoTime();
    await("works again after SIGCONT", RECOVERY_BOUND, () -> works(backend, "k2"));
    figure(ROW, "SIGSTOP/SIGCONT: works again after SIGCONT (ms)",
        Duration.ofNanos(System.nanoTime() - resumedAt).toMillis());
  }

  @Test
  void aLateWriteCannotOverwriteANewerValue() {
    RedisServerProcess server = startServer();
    RedisCacheBackend backend = backend(server.uri());
    call(backend.put("k", entry(valueOf("k", 1))));

    server.pause();
    try {
      // Sent to a stopped server: it may still be carried out once the server runs again.
      call(backend.put("k", entry(valueOf("k", 2)))).backendError();
    } finally {
      server.resume();
    }
    await("works again", RECOVERY_BOUND, () -> works(backend, "probe"));
    call(backend.put("k", entry(valueOf("k", 3))));
    assertStaysValue(backend, "k", valueOf("k", 3));
  }

  @Test
  void aLateWriteCannotOverwriteAnInvalidation() {
    RedisServerProcess server = startServer();
    RedisCacheBackend backend = backend(server.uri());
    call(backend.put("k", entry(valueOf("k", 1))));

    server.pause();
    try {
      call(backend.put("k", entry(valueOf("k", 2)))).backendError();
    } finally {
      server.resume();
    }
    await("works again", RECOVERY_BOUND, () -> works(backend, "probe"));
    call(backend.delete("k"));
    assertStaysValue(backend, "k", null);
  }

  /** Reads a key for a while: it must hold {@code expected} (null: nothing) every time. */
  private void assertStaysValue(RedisCacheBackend backend, String key, String expected) {
    int wrong = 0;
    for (int i = 0; i < 10; i++) {
      String seen = call(backend.get(key, STRING)).value().map(CacheEntry::value).orElse(null);
      if (expected == null ? seen != null : !expected.equals(seen)) {
        wrong++;
      }
      sleep(Duration.ofMillis(50));
    }
    figure(ROW, "late write: wrong or stale reads of '" + key + "' (expected " + expected + ")", wrong);
    assertThat(wrong).as("reads of %s that were not %s", key, expected).isZero();
  }

  private static void assertTimeoutMessage(Throwable error) {
    assertThat(error.getMessage().toLowerCase(Locale.ROOT))
        .as("a clear timeout error").containsAnyOf("timeout", "timed out", "no reply");
  }
}
