package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheHealth;
import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.RedisServerProcess;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** docs/reliability.md row 8: wrong password, rotated password. */
class WrongPasswordIT extends RedisFaultTest {
  private static final String ROW = "row 8 wrong or rotated password";
  private static final String ADMIN_PASSWORD = "admin-Secret-1a2b";
  private static final String OLD_PASSWORD = "old-Secret-3c4d";
  private static final String NEW_PASSWORD = "new-Secret-5e6f";
  private static final String WRONG_PASSWORD = "wrong-Secret-7g8h";
  private static final List<String> SECRETS = List.of(ADMIN_PASSWORD, OLD_PASSWORD, NEW_PASSWORD, WRONG_PASSWORD);
  private static final List<String> LOGGERS = List.of("io.lettuce", "io.netty", "io.reactivecache", "reactor",
      "io.github.resilience4j");

  /**
   * Every log line the client stack writes through java.util.logging down to DEBUG (FINE), during the test. TRACE
   * is left out on purpose: Lettuce's protocol encoder dumps the raw bytes it sends at TRACE, AUTH included.
   */
  private final List<String> logLines = new CopyOnWriteArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      logLines.add(record.getLoggerName() + " " + record.getMessage() + " "
          + (record.getParameters() == null ? "" : List.of(record.getParameters()))
          + (record.getThrown() == null ? "" : " " + allMessages(record.getThrown())));
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeEach
  void captureLogs() {
    for (String name : LOGGERS) {
      Logger logger = Logger.getLogger(name);
      logger.setLevel(Level.FINE);
      logger.addHandler(capture);
    }
  }

  @AfterEach
  void stopCapturing() {
    for (String name : LOGGERS) {
      Logger logger = Logger.getLogger(name);
      logger.removeHandler(capture);
      logger.setLevel(null);
    }
  }

  @Test
  void aWrongPasswordIsAnAuthErrorNotRetriedInALoopAndNeverQuoted() {
    RedisServerProcess server = startServer(RedisServerProcess.builder().password(ADMIN_PASSWORD)
        .aclUser("app", OLD_PASSWORD));
    RedisCacheBackend backend = backend(server.uri("app", WRONG_PASSWORD));
    long deniedBefore = deniedAuths(server);

    StringBuilder seen = new StringBuilder();
    for (int i = 0; i < 3; i++) {
      Outcome<?> outcome = call(backend.get("k", STRING));
      outcome.backendError();
      assertThat(outcome.error().getMessage().toLowerCase(Locale.ROOT)).as("names the cause").contains("auth");
      seen.append(allMessages(outcome.error())).append('\n');
    }
    CacheHealth health = health(backend);
    assertThat(health.status()).isEqualTo(CacheHealth.Status.DOWN);
    assertThat(health.reason().toLowerCase(Locale.ROOT)).contains("auth");
    seen.append(health.reason()).append('\n').append(backend);

    // Idle for two seconds: whatever reconnects in the background must not hammer the server.
    sleep(Duration.ofSeconds(2));
    long denied = deniedAuths(server) - deniedBefore;
    figure(ROW, "wrong password: auth attempts the server refused for 3 calls + 2 s idle", denied);
    assertThat(denied).as("refused auth attempts (3 calls, each tried once, plus a few reconnects)")
        .isLessThanOrEqualTo(15);
    assertNoSecretIn(seen.toString());
  }

  @Test
  void aRotatedPasswordGoesDownWithReasonAuthAndNewCredentialsWork() {
    RedisServerProcess server = startServer(RedisServerProcess.builder().password(ADMIN_PASSWORD)
        .aclUser("app", OLD_PASSWORD));
    RedisCacheBackend backend = backend(server.uri("app", OLD_PASSWORD));
    assertThat(works(backend, "k")).isTrue();

    server.command("ACL", "SETUSER", "app", "resetpass", ">" + NEW_PASSWORD);
    server.command("CLIENT", "KILL", "USER", "app");

    StringBuilder seen = new StringBuilder();
    Duration toDown = await("health DOWN for auth after the rotation", Duration.ofSeconds(10), () -> {
      Outcome<?> outcome = call(backend.get("k", STRING));
      if (outcome.failed()) {
        seen.append(allMessages(outcome.error())).append('\n');
      }
      CacheHealth health = health(backend);
      seen.append(health.reason()).append('\n');
      return health.status() == CacheHealth.Status.DOWN
          && health.reason().toLowerCase(Locale.ROOT).contains("auth");
    });
    figure(ROW, "rotated password: health DOWN(auth) after CLIENT KILL (ms)", toDown.toMillis());

    RedisCacheBackend renewed = backend(server.uri("app", NEW_PASSWORD));
    assertThat(works(renewed, "k")).as("a backend with the new credentials").isTrue();
    assertThat(health(renewed).status()).isEqualTo(CacheHealth.Status.UP);

    // Rotating back: the old backend's own reconnections pick the password up again.
    server.command("ACL", "SETUSER", "app", "resetpass", ">" + OLD_PASSWORD);
    long restoredAt = System.nanoTime();
    boolean recovered;
    try {
      await("old backend works once its password is valid again", RECOVERY_BOUND, () -> works(backend, "k"));
      recovered = true;
    } catch (AssertionError notWithinBound) {
      recovered = false;
    }
    figure(ROW, "rotated back: old backend works again after (ms)", recovered
        ? Duration.ofNanos(System.nanoTime() - restoredAt).toMillis() : "not within " + RECOVERY_BOUND);
    seen.append(backend).append('\n').append(renewed);
    assertNoSecretIn(seen.toString());
  }

  private void assertNoSecretIn(String messages) {
    figure(ROW, "log lines captured (java.util.logging, INFO to DEBUG)", logLines.size());
    for (String secret : SECRETS) {
      assertThat(messages).as("errors, health and toString").doesNotContain(secret);
      assertThat(String.join("\n", logLines)).as("log lines").doesNotContain(secret);
    }
  }

  /** Auth attempts the server refused ({@code INFO errorstats}, WRONGPASS). */
  private static long deniedAuths(RedisServerProcess server) {
    String info = (String) server.command("INFO", "errorstats");
    return info.lines()
        .filter(line -> line.startsWith("errorstat_WRONGPASS:count="))
        .mapToLong(line -> Long.parseLong(line.substring("errorstat_WRONGPASS:count=".length()).trim()))
        .sum();
  }
}
