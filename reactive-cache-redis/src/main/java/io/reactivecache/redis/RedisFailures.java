package io.reactivecache.redis;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.reactivecache.CacheBackendException;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Mono;

/**
 * The failure side of the backend: what a Redis error means, whether it is worth a retry or a breaker count,
 * the operator stack, and the message a caller sees.
 *
 * <p>Stack, innermost first: the command with its timeout, then the circuit breaker (so timeouts count as
 * failures and an open breaker answers at once), then the retry with exponential, jittered backoff around it (so
 * each attempt goes through the breaker, and "call not permitted" is never retried).
 */
final class RedisFailures {

  /** What a failure is, as far as retrying and the breaker are concerned. */
  enum Kind {
    /** No reply within the command timeout. */
    TIMEOUT(true, true),
    /** Cannot connect, connection lost, or commands rejected while disconnected. */
    CONNECTION(true, true),
    /** The server says "try again later": LOADING, BUSY, TRYAGAIN, MASTERDOWN, CLUSTERDOWN. */
    SERVER_BUSY(true, true),
    /** Credentials rejected or missing permissions: retrying cannot help. */
    AUTH(false, true),
    /** Connected to a read-only replica. */
    READONLY(false, true),
    /** The server is out of memory: writes fail, reads still work, so the breaker must stay closed. */
    OOM(false, false),
    /** The breaker is open. */
    BREAKER_OPEN(false, false),
    /** Any other error reply: a bug or misuse, not a sick server. */
    COMMAND(false, false),
    /** Something else. */
    OTHER(false, true);

    final boolean transientFailure;
    final boolean breakerFailure;

    Kind(boolean transientFailure, boolean breakerFailure) {
      this.transientFailure = transientFailure;
      this.breakerFailure = breakerFailure;
    }
  }

  private final RedisSettings settings;
  private final CircuitBreaker breaker;
  private final Retry retry;
  private final AtomicReference<String> lastFailure = new AtomicReference<>("");
  private final AtomicReference<Kind> lastKind = new AtomicReference<>();

  RedisFailures(RedisSettings settings) {
    this.settings = settings;
    int threshold = settings.circuitBreakerThreshold();
    // A count window of `threshold` calls at a 100% failure rate is "threshold consecutive failures".
    this.breaker = CircuitBreaker.of(settings.name(), CircuitBreakerConfig.custom()
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(threshold)
        .minimumNumberOfCalls(threshold)
        .failureRateThreshold(100f)
        .waitDurationInOpenState(settings.circuitBreakerWaitDuration())
        .permittedNumberOfCallsInHalfOpenState(1)
        .recordException(e -> classify(e).breakerFailure)
        .build());
    this.retry = Retry.of(settings.name(), RetryConfig.custom()
        .maxAttempts(settings.retryAttempts())
        .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(settings.retryBackoff(), 2.0, 0.5,
            settings.commandTimeout().multipliedBy(4)))
        .retryOnException(e -> classify(e).transientFailure)
        .failAfterMaxAttempts(false)
        .build());
  }

  CircuitBreaker breaker() {
    return breaker;
  }

  /** Applies breaker and retry to one command (which carries its own timeout), and turns what fails into a backend exception. */
  <T> Mono<T> guard(String operation, Mono<T> command) {
    return command
        .transformDeferred(CircuitBreakerOperator.of(breaker))
        .transformDeferred(RetryOperator.of(retry))
        .onErrorMap(e -> !(e instanceof CacheBackendException), e -> toBackendException(operation, e));
  }

  static Kind classify(Throwable error) {
    for (Throwable e = error; e != null; e = e.getCause() == e ? null : e.getCause()) {
      if (e instanceof CallNotPermittedException) {
        return Kind.BREAKER_OPEN;
      }
      if (e instanceof RedisCommandExecutionException) {
        return classifyReply(e.getMessage());
      }
    }
    for (Throwable e = error; e != null; e = e.getCause() == e ? null : e.getCause()) {
      if (e instanceof TimeoutException || e instanceof RedisCommandTimeoutException) {
        return Kind.TIMEOUT;
      }
      if (e instanceof RedisConnectionException || e instanceof IOException) {
        return Kind.CONNECTION;
      }
    }
    if (error instanceof RedisException) {
      // Lettuce's own state errors: "Currently not connected", "Connection closed", "Request queue size".
      String message = String.valueOf(error.getMessage());
      return message.startsWith("NOAUTH") || message.startsWith("WRONGPASS") ? Kind.AUTH : Kind.CONNECTION;
    }
    return Kind.OTHER;
  }

  private static Kind classifyReply(String message) {
    String code = message == null ? "" : message.split(" ", 2)[0].toUpperCase(Locale.ROOT);
    return switch (code) {
      case "NOAUTH", "WRONGPASS", "NOPERM" -> Kind.AUTH;
      case "OOM" -> Kind.OOM;
      case "READONLY" -> Kind.READONLY;
      case "LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN", "CLUSTERDOWN" -> Kind.SERVER_BUSY;
      default -> message != null && message.contains("WRONGPASS") ? Kind.AUTH : Kind.COMMAND;
    };
  }

  CacheBackendException toBackendException(String operation, Throwable error) {
    Kind kind = classify(error);
    String where = settings.endpoint();
    String message = switch (kind) {
      case TIMEOUT -> operation + " got no reply from Redis at " + where + " within " + settings.commandTimeout()
          + " (after " + settings.retryAttempts() + " attempt(s)); Redis is slow or unreachable. Check the"
          + " server and the network, or raise commandTimeout";
      case CONNECTION -> operation + " could not reach Redis at " + where + ": " + detail(error)
          + ". Check that Redis runs and that the url is right";
      case SERVER_BUSY -> operation + " was refused by Redis at " + where + " for now: " + detail(error)
          + ". It should pass once the server has finished (loading, busy script, failover)";
      case AUTH -> operation + " failed: Redis at " + where + " rejected the credentials (auth). Check the user"
          + " name and password in the url and the user's ACL permissions";
      case READONLY -> operation + " failed: Redis at " + where + " is a read-only replica. Point the url to the"
          + " master (or use Sentinel)";
      case OOM -> operation + " was rejected: Redis at " + where + " is out of memory (OOM). Raise maxmemory or"
          + " use an evicting maxmemory-policy such as allkeys-lru";
      case BREAKER_OPEN -> operation + " was not sent: the circuit breaker is " + breaker.getState()
          + " after repeated failures (last: " + lastFailure.get() + "). Calls resume after "
          + settings.circuitBreakerWaitDuration() + " if Redis at " + where + " answers again";
      case COMMAND -> operation + " failed: Redis at " + where + " replied with an error: " + detail(error);
      case OTHER -> operation + " failed against Redis at " + where + ": " + detail(error);
    };
    if (kind != Kind.BREAKER_OPEN) {
      lastKind.set(kind);
      lastFailure.set(kind.name().toLowerCase(Locale.ROOT).replace('_', ' ') + ": " + detail(error));
    }
    return new CacheBackendException(settings.name(), settings.scrub(message), error);
  }

  /** The last failure seen, for health reports ("" when none). */
  String lastFailure() {
    return settings.scrub(lastFailure.get());
  }

  Kind lastKind() {
    return lastKind.get();
  }

  void recovered() {
    lastKind.set(null);
  }

  private String detail(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root && !(root instanceof RedisCommandExecutionException)) {
      root = root.getCause();
    }
    String text = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    if (text.length() > 200) {
      text = text.substring(0, 200) + "…";
    }
    return settings.scrub(text);
  }

  Duration commandTimeout() {
    return settings.commandTimeout();
  }
}
