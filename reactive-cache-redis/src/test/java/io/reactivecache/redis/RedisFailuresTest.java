package io.reactivecache.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

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
      .settings(), deadConnections::incrementAndGet);

  private static RedisConnectionException refusedReconnect() {
    return new RedisConnectionException("Unable to connect",
        new RedisCommandExecutionException("WRONGPASS invalid username-password pair or user is disabled."));
  }

  private void fail(Throwable error, int times) {
    for (int i = 0; i < times; i++) {
      failures.guard("get", Mono.error(error)).onErrorResume(e -> Mono.empty()).block(Duration.ofSeconds(5));
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
