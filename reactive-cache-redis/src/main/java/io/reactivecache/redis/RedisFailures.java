package io.reactivecache.redis;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.reactivecache.CacheBackendException;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * The failure side of the backend: what a Redis error means, whether it is worth a retry or a breaker count,
 * the operator stack, and the message a caller sees.
 *
 * <p>Stack, innermost first: the command with its timeout, then the circuit breaker (so timeouts count as
 * failures and an open breaker answers at once), then the retry with exponential, jittered backoff around it (so
 * each attempt goes through the breaker, and "call not permitted" is never retried).
 */
final class RedisFailures implements RedisConnector.Events {

  /** What a failure is, as far as retrying and the breaker are concerned. */
  enum Kind {
    /** No reply within the command timeout. */
    TIMEOUT(true, true),
    /** Cannot connect, connection lost, or commands rejected while disconnected. */
    CONNECTION(true, true),
    /** The server says "try again later": LOADING, BUSY, MASTERDOWN. */
    SERVER_BUSY(true, true),
    /**
     * A cluster node, answering at once, refuses keys for now: CLUSTERDOWN (a slot has no reachable master, until
     * a failover completes: with {@code cluster-require-full-coverage yes} every node refuses every key), TRYAGAIN
     * (a multi-key command during a resharding). Not the node's sickness, so no breaker counts it: a healthy
     * master's breaker opened by it would refuse its keys for a whole wait after the cluster is whole again.
     */
    CLUSTER_CHANGING(true, false),
    /** The TLS handshake failed (untrusted certificate, wrong host name): retrying cannot help. */
    TLS(false, true),
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
  private final Breakers breakers;
  private final Retry retry;
  private final Runnable deadConnection;
  private final AtomicReference<String> lastFailure = new AtomicReference<>("");
  /** The last failure each breaker counted, by breaker name: a cluster master's open breaker names its own. */
  private final Map<String, String> lastCounted = new ConcurrentHashMap<>();
  private final AtomicReference<Kind> lastKind = new AtomicReference<>();
  /**
   * Why Lettuce's own reconnection last failed, until a connection is made again; null when it did not fail.
   * Callers of a connection Lettuce is re-establishing only see "Currently not connected": this says why.
   */
  private final AtomicReference<Throwable> reconnectFailure = new AtomicReference<>();

  /**
   * @param settings the configuration
   * @param deadConnection called when the breaker opens on timeouts: the connection looks open but nothing
   *     comes back on it, so it must be replaced (Lettuce would keep it for good)
   * @param topology on a cluster, the connection's current topology (null while not connected), by which each
   *     master gets a breaker of its own ({@link Breakers}); null for one node
   */
  RedisFailures(RedisSettings settings, Runnable deadConnection, Supplier<Partitions> topology) {
    this.settings = settings;
    this.deadConnection = deadConnection;
    int threshold = settings.circuitBreakerThreshold();
    // A count window of `threshold` calls at a 100% failure rate is "threshold consecutive failures".
    this.breakers = new Breakers(settings.name(), CircuitBreakerConfig.custom()
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(threshold)
        .minimumNumberOfCalls(threshold)
        .failureRateThreshold(100f)
        .waitDurationInOpenState(settings.circuitBreakerWaitDuration())
        .permittedNumberOfCallsInHalfOpenState(1)
        .recordException(e -> kindOf(e).breakerFailure)
        .build(), topology);
    Duration longestBackoff = settings.commandTimeout().multipliedBy(4);
    this.retry = Retry.of(settings.name(), RetryConfig.custom()
        .maxAttempts(attempts())
        .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(settings.retryBackoff(), 2.0, 0.5,
            longestBackoff.compareTo(settings.retryBackoff()) < 0 ? settings.retryBackoff() : longestBackoff))
        .retryOnException(e -> kindOf(e).transientFailure)
        .failAfterMaxAttempts(false)
        .build());
    // No listener on the breaker's event publisher: with any listener at all, Resilience4j builds an event (and
    // reads the zoned wall clock) for every successful call. The attempts report to succeeded / failed instead.
  }

  /** The backend's own breaker (see {@link Breakers}). */
  CircuitBreaker breaker() {
    return breakers.backend();
  }

  Breakers breakers() {
    return breakers;
  }

  /** Lettuce's Master/Replica connection knows no master (its words, from MasterReplicaConnectionProvider). */
  static boolean masterUnknown(Throwable error) {
    for (Throwable e = error; e != null; e = e.getCause() == e ? null : e.getCause()) {
      String message = e.getMessage();
      if (message != null && (message.startsWith("Master is currently unknown")
          || message.startsWith("Cannot determine a node to read"))) {
        return true;
      }
    }
    return false;
  }

  /** Attempts in all: the first and the retries. */
  private int attempts() {
    return settings.retryAttempts() + 1;
  }

  /**
   * Applies breaker and retry to one command (which carries its own timeout), and turns what fails into a
   * backend exception. The command must make a new request per subscription: a retry subscribes again.
   *
   * <p>The retry's machinery is assembled after a first failure only: a command that succeeds (nearly all of
   * them) passes through the breaker alone. What a failing call gets is what Resilience4j's {@code RetryOperator}
   * gives it: the same {@link Retry} decides, from the first failure on, whether and after which backoff to try
   * again ({@code retryAttempts} retries at most, transient failures only), and every attempt goes through the
   * breaker.
   *
   * @param routingKey the stored key the command is routed by, or null when it is not one cluster master's: it
   *     chooses the breaker ({@link Breakers#forKey}), anew for every attempt
   */
  <T> Mono<T> guard(String operation, String routingKey, Mono<T> command) {
    Mono<T> attempt = new BreakerAttempt<>(routingKey, command);
    return attempt
        .onErrorResume(first -> retried(attempt, retry.asyncContext(), first))
        .onErrorMap(e -> !(e instanceof CacheBackendException), e -> toBackendException(operation, e));
  }

  /**
   * The rest of a guarded call whose first attempt was made outside {@link #guard} (and reported to
   * {@link #failed}): the retries, each an attempt of {@code command} through the breaker, and the backend
   * exception when they fail too.
   *
   * @param operation the operation's name, for the message
   * @param routingKey as for {@link #guard}
   * @param first why the first attempt failed
   * @param command a new request per subscription
   */
  <T> Mono<T> continueAfter(String operation, String routingKey, Throwable first, Mono<T> command) {
    return retried(new BreakerAttempt<>(routingKey, command), retry.asyncContext(), first)
        .onErrorMap(e -> !(e instanceof CacheBackendException), e -> toBackendException(operation, e));
  }

  /**
   * The breaker a command routed by this stored key goes through (null: not one master's). A call it lets through
   * ({@code tryAcquirePermission}) must end in exactly one of {@link #succeeded}, {@link #failed} or
   * {@link #released}, with the same breaker.
   */
  CircuitBreaker breakerFor(String routingKey) {
    return breakers.forKey(routingKey);
  }

  /** Why a call was not let through: what an attempt fails with when its breaker says no. */
  static CallNotPermittedException refusal(CircuitBreaker breaker) {
    return CallNotPermittedException.createCallNotPermittedException(breaker);
  }

  /**
   * A call let through got its reply. The breaker judges outcomes only (it has no slow-call rule: a slow call is
   * bounded by the command timeout and fails as a timeout), so no duration is measured: no clock read per call.
   */
  void succeeded(CircuitBreaker breaker) {
    breaker.onSuccess(0, TimeUnit.NANOSECONDS);
    if (reconnectFailure.get() != null) {
      reconnectFailure.set(null);
    }
  }

  /**
   * A call let through failed. The breaker counts it if its kind says so; a counted failure is remembered (the
   * open breaker's message names it), a Master/Replica connection that lost its master is replaced, and so is a
   * connection whose timeouts just opened the breaker. On a cluster, a master's breaker opened by timeouts
   * replaces the connection only once no master answers: the connection carries every master's traffic, and one
   * frozen master is the cluster's to fail over (its replica takes the slots; the topology follows).
   */
  void failed(CircuitBreaker breaker, Throwable error) {
    CircuitBreaker.State before = breaker.getState();
    breaker.onError(0, TimeUnit.NANOSECONDS, error);
    Kind kind = kindOf(error);
    if (!kind.breakerFailure) {
      return;
    }
    lastCounted.put(breaker.getName(), record(error));
    if (masterUnknown(error)) {
      // Behind Sentinel, Lettuce's Master/Replica connection keeps the nodes its last topology refresh could
      // reach: a master that missed that one PING (a busy moment) is gone from it until the sentinels announce a
      // change, which in a stable topology never comes. A new connection asks the sentinels again.
      deadConnection.run();
    } else if (kind == Kind.TIMEOUT && before != CircuitBreaker.State.OPEN
        && breaker.getState() == CircuitBreaker.State.OPEN
        && (!breakers.isMasters(breaker) || breakers.noMasterAnswers())) {
      // Opened by timeouts: the connection may be half-open (the peer's kernel still acknowledges, so keep-alive
      // never fires). Replace it; the probe after the breaker's wait then uses a fresh one.
      deadConnection.run();
    }
  }

  /** A call let through was cancelled before its outcome: it counts neither way. */
  void released(CircuitBreaker breaker) {
    breaker.releasePermission();
  }

  /**
   * After a failed attempt: another one after the retry's backoff, or the failure itself when the retry says no
   * (not transient, attempts used up). A JVM {@link Error} is never retried.
   */
  private <T> Mono<T> retried(Mono<T> attempt, Retry.AsyncContext<T> context, Throwable failure) {
    if (failure instanceof Error) {
      return Mono.error(failure);
    }
    long backoffMillis = context.onError(failure);
    if (backoffMillis < 0) {
      return Mono.error(failure);
    }
    return Mono.delay(Duration.ofMillis(backoffMillis))
        .then(attempt)
        .doOnSuccess(value -> context.onComplete())
        .onErrorResume(next -> retried(attempt, context, next));
  }

  /**
   * What a failure means here and now: as {@link #classify}, except that "not connected" while Lettuce's
   * reconnection is being refused for the credentials is an auth failure (not worth a retry, and the operator
   * must fix the password, not the network).
   */
  Kind kindOf(Throwable error) {
    Kind kind = classify(error);
    if (kind == Kind.CONNECTION) {
      Throwable why = reconnectFailure.get();
      if (why != null && classify(why) == Kind.AUTH) {
        return Kind.AUTH;
      }
    }
    return kind;
  }

  @Override
  public void reconnectFailed(Throwable cause) {
    if (cause == null) {
      return;
    }
    reconnectFailure.set(cause);
    record(cause);
  }

  @Override
  public void connected() {
    reconnectFailure.set(null);
  }

  /**
   * The breaker's state when it refused the call, which the refusal's own message names: by the time the message
   * is written the breaker may have moved on (a probe succeeded and closed it), and "CLOSED after repeated
   * failures" would be nonsense.
   */
  private static String refusingState(Throwable error) {
    for (Throwable e = error; e != null; e = e.getCause() == e ? null : e.getCause()) {
      if (e instanceof CallNotPermittedException && e.getMessage() != null) {
        for (CircuitBreaker.State state : CircuitBreaker.State.values()) {
          if (e.getMessage().contains(" is " + state.name() + " ")) {
            return state.name();
          }
        }
      }
    }
    return CircuitBreaker.State.OPEN.name();
  }

  /** The address of the cluster master whose breaker refused the call; null when it was the backend's. */
  private String refusingMaster(Throwable error) {
    String prefix = settings.name() + "@";
    for (Throwable e = error; e != null; e = e.getCause() == e ? null : e.getCause()) {
      if (e instanceof CallNotPermittedException refused) {
        String name = refused.getCausingCircuitBreakerName();
        return name != null && name.startsWith(prefix) ? name.substring(prefix.length()) : null;
      }
    }
    return null;
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
      // Before the connection check: Lettuce wraps a refused handshake in a RedisConnectionException.
      if (e instanceof SSLException || e instanceof CertificateException) {
        return Kind.TLS;
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
      case "LOADING", "BUSY", "MASTERDOWN" -> Kind.SERVER_BUSY;
      case "CLUSTERDOWN", "TRYAGAIN" -> Kind.CLUSTER_CHANGING;
      default -> message != null && message.contains("WRONGPASS") ? Kind.AUTH : Kind.COMMAND;
    };
  }

  CacheBackendException toBackendException(String operation, Throwable error) {
    Kind kind = kindOf(error);
    String where = settings.endpoint();
    String message = switch (kind) {
      case TIMEOUT -> operation + " got no reply from Redis at " + where + " within " + settings.commandTimeout()
          + " (after " + attempts() + " attempt(s)); Redis is slow or unreachable. Check the"
          + " server and the network, or raise commandTimeout";
      case CONNECTION -> operation + " could not reach Redis at " + where + ": " + detail(error)
          + ". Check that Redis runs and that " + (settings.cluster() ? "clusterNodes name its nodes" : "the url is right");
      case SERVER_BUSY -> operation + " was refused by Redis at " + where + " for now: " + detail(error)
          + ". It should pass once the server has finished (loading, busy script, failover)";
      case CLUSTER_CHANGING -> operation + " was refused by the Redis cluster at " + where + " for now: "
          + detail(error) + ". It should pass once the cluster is whole again (a failover or resharding finishes)";
      case TLS -> operation + " could not set up TLS with Redis at " + where + ": " + detail(error)
          + ". The server's certificate must come from a trusted CA (trustedCertificates, else the JDK's trust"
          + " store) and name " + (settings.cluster() ? "the host of each node in clusterNodes" : "the url's host");
      case AUTH -> operation + " failed: Redis at " + where + " rejected the credentials (auth): "
          + authDetail(error) + ". Fix the user name and password in the "
          + (settings.cluster() ? "clusterNodes urls" : "url")
          + (settings.sentinel() ? " (the data nodes') or sentinelPassword (the sentinels')" : "")
          + ", or the user's ACL permissions";
      case READONLY -> operation + " failed: Redis at " + where + " is a read-only replica"
          + (settings.cluster() ? "" : ". Point the url to the master (or use Sentinel)");
      case OOM -> operation + " was rejected: Redis at " + where + " is out of memory (OOM). Raise maxmemory or"
          + " use an evicting maxmemory-policy such as allkeys-lru";
      case BREAKER_OPEN -> {
        String master = refusingMaster(error);
        String last = master == null ? lastFailure() : lastFailure(settings.name() + "@" + master);
        yield master == null
            ? operation + " was not sent: the circuit breaker is " + refusingState(error)
                + " after repeated failures" + (last.isEmpty() ? "" : " (last: " + last + ")") + ". Calls resume after "
                + settings.circuitBreakerWaitDuration() + " if Redis at " + where + " answers again"
            : operation + " was not sent: the circuit breaker of the cluster master at " + master + ", which serves"
                + " the key's slot, is " + refusingState(error) + " after repeated failures"
                + (last.isEmpty() ? "" : " (last: " + last + ")") + ". Calls for its slots resume after "
                + settings.circuitBreakerWaitDuration() + " if it answers again, or as soon as the cluster has moved"
                + " them to another master (a failover); the other masters' keys are not affected";
      }
      case COMMAND -> operation + " failed: Redis at " + where + " replied with an error: " + detail(error);
      case OTHER -> operation + " failed against Redis at " + where + ": " + detail(error);
    };
    record(error);
    return new CacheBackendException(settings.name(), settings.scrub(message), error);
  }

  /**
   * Remembers a failure for health and for the breaker's message; a short-circuited call is not one.
   *
   * @return the failure in words, as remembered ("" for a short-circuited call)
   */
  private String record(Throwable error) {
    Kind kind = kindOf(error);
    if (kind == Kind.BREAKER_OPEN) {
      return "";
    }
    lastKind.set(kind);
    String what = kind == Kind.AUTH ? authDetail(error) : detail(error);
    String words = kind.name().toLowerCase(Locale.ROOT).replace('_', ' ') + ": " + what;
    lastFailure.set(words);
    return words;
  }

  /** The server's refusal (WRONGPASS, NOAUTH, NOPERM …), even when the caller only saw "not connected". */
  private String authDetail(Throwable error) {
    Throwable why = classify(error) == Kind.AUTH ? error : reconnectFailure.get();
    return why == null ? "credentials rejected" : detail(why);
  }

  /** The last failure seen, for health reports ("" when none). */
  String lastFailure() {
    return settings.scrub(lastFailure.get());
  }

  /** The last failure a breaker counted ("" when none). */
  String lastFailure(CircuitBreaker breaker) {
    return lastFailure(breaker.getName());
  }

  private String lastFailure(String breakerName) {
    return settings.scrub(lastCounted.getOrDefault(breakerName, ""));
  }

  Kind lastKind() {
    return lastKind.get();
  }

  void recovered() {
    lastKind.set(null);
    reconnectFailure.set(null);
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
    // Messages are built as "…: detail. Next sentence": a detail's own final period would double it.
    text = text.strip();
    while (text.endsWith(".")) {
      text = text.substring(0, text.length() - 1).strip();
    }
    return settings.scrub(text.isEmpty() ? root.getClass().getSimpleName() : text);
  }

  Duration commandTimeout() {
    return settings.commandTimeout();
  }

  /**
   * One attempt of a command under the breaker, as a Mono: permission at subscription (else the refusal, without
   * subscribing the command), then exactly one report of its outcome: the first value or an empty completion is a
   * success, an error a failure, a cancel before either a release.
   */
  private final class BreakerAttempt<T> extends Mono<T> {
    private final String routingKey;
    private final Mono<T> command;

    BreakerAttempt(String routingKey, Mono<T> command) {
      this.routingKey = routingKey;
      this.command = command;
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
      CircuitBreaker breaker = breakerFor(routingKey);
      if (!breaker.tryAcquirePermission()) {
        Operators.error(actual, refusal(breaker));
        return;
      }
      command.subscribe(new Reporting<>(actual, breaker));
    }
  }

  /** Passes the command's signals on, reporting the outcome to the breaker first, once. */
  private final class Reporting<T> implements CoreSubscriber<T>, Subscription {
    private final CoreSubscriber<? super T> actual;
    private final CircuitBreaker breaker;
    private final AtomicBoolean reported = new AtomicBoolean();
    private Subscription upstream;

    Reporting(CoreSubscriber<? super T> actual, CircuitBreaker breaker) {
      this.actual = actual;
      this.breaker = breaker;
    }

    @Override
    public Context currentContext() {
      return actual.currentContext();
    }

    @Override
    public void onSubscribe(Subscription s) {
      upstream = s;
      actual.onSubscribe(this);
    }

    @Override
    public void onNext(T value) {
      if (reported.compareAndSet(false, true)) {
        succeeded(breaker);
      }
      actual.onNext(value);
    }

    @Override
    public void onError(Throwable error) {
      if (reported.compareAndSet(false, true)) {
        failed(breaker, error);
      }
      actual.onError(error);
    }

    @Override
    public void onComplete() {
      if (reported.compareAndSet(false, true)) {
        succeeded(breaker);
      }
      actual.onComplete();
    }

    @Override
    public void request(long n) {
      upstream.request(n);
    }

    @Override
    public void cancel() {
      if (reported.compareAndSet(false, true)) {
        released(breaker);
      }
      upstream.cancel();
    }
  }
}
