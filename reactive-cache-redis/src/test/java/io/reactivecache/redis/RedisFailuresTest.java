package io.reactivecache.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.reactivecache.CacheBackendException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class RedisFailuresTest {
  private static final String SECRET = "Pa55-rotated-9x";
  private static final RedisException NOT_CONNECTED =
      new RedisException("Currently not connected. Commands are rejected.");

  private final AtomicInteger deadConnections = new AtomicInteger();
  private final RedisFailures failures = new RedisFailures(RedisCache.builder()
      .url("redis://app:" + SECRET + "@127.0.0.1:1/0")
      .retryAttempts(0)
      .circuitBreakerThreshold(3)
      .circuitBreakerWaitDuration(Duration.ofMinutes(1))
      .settings(), deadConnections::incrementAndGet, null);

  private static RedisConnectionException refusedReconnect() {
    return new RedisConnectionException("Unable to connect",
        new RedisCommandExecutionException("WRONGPASS invalid username-password pair or user is disabled."));
  }

  private void fail(Throwable error, int times) {
    for (int i = 0; i < times; i++) {
      failures.guard("get", null, Mono.error(error)).onErrorResume(e -> Mono.empty()).block(Duration.ofSeconds(5));
    }
  }

  @Test
  void notConnectedWhileTheReconnectIsRefusedForTheCredentialsIsAnAuthFailure() {
    assertThat(failures.kindOf(NOT_CONNECTED)).isEqualTo(RedisFailures.Kind.CONNECTION);

    failures.reconnectFailed(refusedReconnect());
    assertThat(failures.kindOf(NOT_CONNECTED)).isEqualTo(RedisFailures.Kind.AUTH);
    String message = failures.toBackendException("get", NOT_CONNECTED).getMessage();
    assertThat(message).contains("auth").contains("WRONGPASS").contains("Fix the user name and password")
        .doesNotContain(SECRET).doesNotContain("not connected");
    assertThat(failures.lastFailure()).startsWith("auth: WRONGPASS");

    failures.connected();
    assertThat(failures.kindOf(NOT_CONNECTED)).isEqualTo(RedisFailures.Kind.CONNECTION);
  }

  @Test
  void aClusterIsToldToCheckItsNodesNotAUrlItNeverSet() {
    RedisFailures cluster = new RedisFailures(RedisCache.builder()
        .clusterNodes("redis://127.0.0.1:1", "redis://127.0.0.1:2")
        .settings(), () -> { }, null);
    String message = cluster.toBackendException("get", NOT_CONNECTED).getMessage();
    assertThat(message).contains("Check that Redis runs and that clusterNodes name its nodes")
        .doesNotContain("url");
    assertThat(cluster.toBackendException("put",
        new RedisCommandExecutionException("READONLY You can't write against a read only replica.")).getMessage())
        .doesNotContain("url");
  }

  @Test
  void aReconnectFailingForAnotherReasonStaysAConnectionFailure() {
    failures.reconnectFailed(new RedisConnectionException("Connection refused: /127.0.0.1:1"));
    assertThat(failures.kindOf(NOT_CONNECTED)).isEqualTo(RedisFailures.Kind.CONNECTION);
  }

  @Test
  void messagesNeverDoubleAPeriod() {
    String message = failures.toBackendException("get", NOT_CONNECTED).getMessage();
    assertThat(message).contains("Currently not connected. Commands are rejected. Check that Redis runs")
        .doesNotContain("..");
  }

  @Test
  void anOpenBreakerNamesTheFailureThatOpenedItAndNeverAnEmptyOne() {
    CircuitBreaker breaker = failures.breaker();
    breaker.transitionToOpenState();
    String before = failures.toBackendException("get",
        CallNotPermittedException.createCallNotPermittedException(breaker)).getMessage();
    assertThat(before).doesNotContain("(last:").doesNotContain("..");

    breaker.transitionToClosedState();
    fail(new RedisConnectionException("Connection refused: /127.0.0.1:1"), 3);
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
    String after = failures.toBackendException("get",
        CallNotPermittedException.createCallNotPermittedException(breaker)).getMessage();
    assertThat(after).contains("(last: connection: Connection refused: /127.0.0.1:1)");
  }

  @Test
  void aRefusedCallIsDescribedWithTheStateThatRefusedItNotTheStateAtTheTimeOfTheMessage() {
    CircuitBreaker breaker = failures.breaker();
    breaker.transitionToOpenState();
    CallNotPermittedException refused = CallNotPermittedException.createCallNotPermittedException(breaker);
    breaker.transitionToClosedState();
    assertThat(failures.toBackendException("get", refused).getMessage())
        .contains("circuit breaker is OPEN").doesNotContain("CLOSED");
  }

  @Test
  void aClusterRefusingKeysForNowIsRetriedButOpensNoBreaker() {
    for (String reply : new String[] {"CLUSTERDOWN The cluster is down", "TRYAGAIN Multiple keys request during"
        + " rehashing of slot"}) {
      RedisCommandExecutionException refused = new RedisCommandExecutionException(reply);
      assertThat(RedisFailures.classify(refused)).as(reply).isEqualTo(RedisFailures.Kind.CLUSTER_CHANGING);
      RedisFailures guarded = withRetries(2, 3);
      AtomicInteger attempts = new AtomicInteger();
      StepVerifier.create(guarded.guard("get", null, failingThen(attempts, refused, refused, refused, refused)))
          .expectErrorSatisfies(e -> assertThat(e.getMessage()).contains("refused by the Redis cluster")
              .contains("once the cluster is whole again"))
          .verify(Duration.ofSeconds(5));
      assertThat(attempts).as("%s: retried", reply).hasValue(3);
      StepVerifier.create(guarded.guard("get", null, failingThen(new AtomicInteger(), refused, refused, refused)))
          .expectError()
          .verify(Duration.ofSeconds(5));
      assertThat(guarded.breaker().getState()).as("%s: 6 refusals, threshold 3", reply)
          .isEqualTo(CircuitBreaker.State.CLOSED);
    }
  }

  @Test
  void aBreakerOpenedByTimeoutsReplacesTheConnectionOtherFailuresDoNot() {
    fail(new RedisConnectionException("Connection refused"), 3);
    assertThat(failures.breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(deadConnections).as("Lettuce reconnects a refused connection itself").hasValue(0);

    failures.breaker().transitionToClosedState();
    fail(new TimeoutException("no reply"), 3);
    assertThat(failures.breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(deadConnections).as("a connection that times out is replaced").hasValue(1);

    // The probe after the wait times out too: that connection is replaced again.
    failures.breaker().transitionToHalfOpenState();
    fail(new TimeoutException("no reply"), 1);
    assertThat(failures.breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(deadConnections).hasValue(2);
  }

  /** A command that fails with the given errors, one per subscription, then answers "v"; counts subscriptions. */
  private static Mono<String> failingThen(AtomicInteger attempts, Throwable... errors) {
    return Mono.defer(() -> {
      int attempt = attempts.getAndIncrement();
      return attempt < errors.length ? Mono.error(errors[attempt]) : Mono.just("v");
    });
  }

  private static RedisFailures withRetries(int retryAttempts, int threshold) {
    return new RedisFailures(RedisCache.builder()
        .url("redis://127.0.0.1:1/0")
        .retryAttempts(retryAttempts)
        .retryBackoff(Duration.ofMillis(1))
        .circuitBreakerThreshold(threshold)
        .circuitBreakerWaitDuration(Duration.ofMinutes(1))
        .settings(), () -> { }, null);
  }

  @Test
  void aSuccessIsOneAttemptThroughTheBreaker() {
    RedisFailures guarded = withRetries(2, 5);
    AtomicInteger attempts = new AtomicInteger();
    StepVerifier.create(guarded.guard("get", null, failingThen(attempts))).expectNext("v").verifyComplete();
    assertThat(attempts).hasValue(1);
    assertThat(guarded.breaker().getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(1);
  }

  @Test
  void aCommandFailingOnceThenSucceedingIsRetriedAndAnswers() {
    RedisFailures guarded = withRetries(2, 5);
    AtomicInteger attempts = new AtomicInteger();
    StepVerifier.create(guarded.guard("get", null, failingThen(attempts, new TimeoutException("no reply"))))
        .expectNext("v")
        .verifyComplete();
    assertThat(attempts).hasValue(2);
    assertThat(guarded.breaker().getMetrics().getNumberOfFailedCalls()).as("each attempt passes the breaker")
        .isEqualTo(1);
    assertThat(guarded.breaker().getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(1);
  }

  @Test
  void retryAttemptsCountsRetriesOfTransientFailures() {
    for (int retries : new int[] {0, 1, 3}) {
      RedisFailures guarded = withRetries(retries, 50);
      AtomicInteger attempts = new AtomicInteger();
      Throwable[] always = new Throwable[10];
      java.util.Arrays.fill(always, new RedisConnectionException("Connection refused"));
      StepVerifier.create(guarded.guard("get", null, failingThen(attempts, always)))
          .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(CacheBackendException.class)
              .hasMessageContaining("could not reach Redis")
              .hasCauseInstanceOf(RedisConnectionException.class))
          .verify(Duration.ofSeconds(10));
      assertThat(attempts).as("attempts with retryAttempts %d", retries).hasValue(retries + 1);
    }
  }

  @Test
  void aFailureThatIsNotTransientIsNotRetried() {
    RedisFailures guarded = withRetries(3, 50);
    AtomicInteger attempts = new AtomicInteger();
    StepVerifier.create(guarded.guard("get", null, failingThen(attempts,
            new RedisCommandExecutionException("WRONGTYPE Operation against a key holding the wrong kind"))))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(CacheBackendException.class)
            .hasMessageContaining("replied with an error: WRONGTYPE"))
        .verify(Duration.ofSeconds(10));
    assertThat(attempts).hasValue(1);

    AtomicInteger errors = new AtomicInteger();
    StepVerifier.create(guarded.guard("get", null, failingThen(errors, new StackOverflowError())))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(CacheBackendException.class)
            .hasCauseInstanceOf(StackOverflowError.class))
        .verify(Duration.ofSeconds(10));
    assertThat(errors).as("a JVM error is never retried").hasValue(1);
  }

  @Test
  void retriesPassTheBreakerWhichOpensAfterTheThresholdAndIsNotRetried() {
    RedisFailures guarded = withRetries(2, 3);
    AtomicInteger attempts = new AtomicInteger();
    Throwable[] always = new Throwable[10];
    java.util.Arrays.fill(always, new TimeoutException("no reply"));
    StepVerifier.create(guarded.guard("get", null, failingThen(attempts, always)))
        .expectError(CacheBackendException.class)
        .verify(Duration.ofSeconds(10));
    assertThat(attempts).hasValue(3);
    assertThat(guarded.breaker().getState()).as("3 failed attempts of one call reach the threshold of 3")
        .isEqualTo(CircuitBreaker.State.OPEN);

    AtomicInteger afterOpen = new AtomicInteger();
    StepVerifier.create(guarded.guard("get", null, failingThen(afterOpen)))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(CacheBackendException.class)
            .hasMessageContaining("circuit breaker is OPEN")
            .hasMessageContaining("(last: timeout: no reply)"))
        .verify(Duration.ofSeconds(10));
    assertThat(afterOpen).as("an open breaker sends nothing and is not retried").hasValue(0);
  }

  @Test
  void aRetryStopsAtTheBreakerItsOwnAttemptsOpened() {
    // Threshold 2: the first attempt fails, the retry fails and opens the breaker, the next retry is refused.
    RedisFailures guarded = withRetries(5, 2);
    AtomicInteger attempts = new AtomicInteger();
    StepVerifier.create(guarded.guard("get", null, failingThen(attempts,
            new RedisConnectionException("refused"), new RedisConnectionException("refused"))))
        .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("circuit breaker is OPEN"))
        .verify(Duration.ofSeconds(10));
    assertThat(attempts).hasValue(2);
  }

  @Test
  void aCancelledRetryNeverSubscribesAgain() {
    RedisFailures guarded = new RedisFailures(RedisCache.builder()
        .url("redis://127.0.0.1:1/0")
        .retryAttempts(3)
        .retryBackoff(Duration.ofSeconds(1))
        .settings(), () -> { }, null);
    AtomicInteger attempts = new AtomicInteger();
    Throwable[] always = new Throwable[10];
    java.util.Arrays.fill(always, new RedisConnectionException("refused"));
    StepVerifier.create(guarded.guard("get", null, failingThen(attempts, always)))
        .thenCancel()
        .verify(Duration.ofSeconds(10));
    // The first backoff is 0.5-1.5 s (1 s, jittered by half); the cancel came within it.
    Mono.delay(Duration.ofMillis(1700)).block();
    assertThat(attempts).as("cancelled during the first backoff").hasValue(1);
  }

  @Test
  void aMasterReplicaConnectionThatKnowsNoMasterIsReplacedAtOnce() {
    fail(new RedisException("Master is currently unknown: [RedisMasterReplicaNode [redisURI=redis://10.0.0.2:6379,"
        + " role=REPLICA]]"), 1);
    assertThat(deadConnections).hasValue(1);
    fail(new RedisException("Cannot determine a node to read (Known nodes: [RedisMasterReplicaNode [redisURI="
        + "redis://10.0.0.2:6379, role=REPLICA]]) with setting ReadFromUpstream"), 1);
    assertThat(deadConnections).hasValue(2);
    fail(NOT_CONNECTED, 1);
    assertThat(deadConnections).as("a connection Lettuce reconnects itself is kept").hasValue(2);
  }

  @Test
  void aRefusedCertificateIsATlsFailureNotRetriedAndNamedAsSuch() {
    RedisConnectionException refused = new RedisConnectionException("Unable to connect to 127.0.0.1:1",
        new SSLHandshakeException("No subject alternative names matching IP address 127.0.0.1 found"));
    assertThat(failures.kindOf(refused)).isEqualTo(RedisFailures.Kind.TLS);
    assertThat(RedisFailures.Kind.TLS.transientFailure).isFalse();
    assertThat(failures.toBackendException("get", refused).getMessage())
        .contains("could not set up TLS").contains("No subject alternative names").contains("trustedCertificates");
  }
}
