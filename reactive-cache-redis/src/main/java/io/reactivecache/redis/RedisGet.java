package io.reactivecache.redis;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.lettuce.core.api.StatefulConnection;
import io.reactivecache.ValueType;
import io.reactivecache.spi.CacheEntry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.BiConsumer;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.TimerTask;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;
import tools.jackson.databind.ObjectReader;

/**
 * One GET of an entry under the TTL strategy, from the breaker's permission to the decoded entry, in one object
 * per subscription: the hot path of a Redis read.
 *
 * <p>It does what the general path ({@code guard(connect.flatMap(command))} and a decode step) does, without that
 * path's chain of operators: when the connection is open and the breaker lets the call through, it dispatches the GET
 * as a {@link GetCommand} (which hands the reply straight back, without the future of Lettuce's async API), reports
 * the outcome to the breaker itself, decodes a small value on the thread the
 * reply arrives on (a large one on {@link Schedulers#parallel()}, so that it never holds up the replies behind it)
 * and emits the entry. Whatever does not fit continues on the general path: no connection yet, a refusing breaker
 * (whose refusal the general path words), and every failure (the retries, each an attempt through the breaker,
 * then the backend exception).
 *
 * <p>Bounds: our own client times every command out (Lettuce's {@code TimeoutOptions}); where that does not bound
 * the command once it is dispatched (a borrowed client; on a cluster, a node whose connection is still being
 * opened) a timer fails the call after the backend's command bound, as a timeout.
 */
final class RedisGet<T> extends Mono<CacheEntry<T>> {
  private final RedisCacheBackend backend;
  private final String storedKey;
  private final String envelopeKey;
  private final ValueType<T> type;
  private final ObjectReader reader;

  RedisGet(RedisCacheBackend backend, String storedKey, String envelopeKey, ValueType<T> type,
      ObjectReader reader) {
    this.backend = backend;
    this.storedKey = storedKey;
    this.envelopeKey = envelopeKey;
    this.type = type;
    this.reader = reader;
  }

  @Override
  public void subscribe(CoreSubscriber<? super CacheEntry<T>> actual) {
    StatefulConnection<String, byte[]> connection = backend.openConnection();
    RedisFailures failures = backend.failures();
    CircuitBreaker breaker = connection == null ? null : failures.breakerFor(storedKey);
    if (breaker == null || backend.isClosed() || !breaker.tryAcquirePermission()) {
      backend.getGenerally(storedKey, envelopeKey, type, reader).subscribe(actual);
      return;
    }
    Call call = new Call(actual, failures, breaker);
    actual.onSubscribe(call);
    call.send(connection);
  }

  /** The subscription: one command awaiting its reply, then the entry. */
  private final class Call extends Operators.MonoSubscriber<CacheEntry<T>, CacheEntry<T>>
      implements BiConsumer<byte[], Throwable>, TimerTask {
    @SuppressWarnings("rawtypes") // the updater of a generic class's field
    private static final AtomicIntegerFieldUpdater<RedisGet.Call> SETTLED =
        AtomicIntegerFieldUpdater.newUpdater(RedisGet.Call.class, "settled");
    private final RedisFailures failures;
    /** The breaker that let the call through, and hears its outcome. */
    private final CircuitBreaker breaker;
    /** 1 once the reply, the timer or a cancel decided the call's outcome: the first of them wins. */
    private volatile int settled;
    private volatile GetCommand command;
    /** Our own bound, where Lettuce's timeout is not one; volatile: set after the dispatch, read by the reply. */
    private volatile Timeout timer;
    /** The general path's subscription, once a failure handed the call over to it. */
    private volatile Subscription continuation;

    Call(CoreSubscriber<? super CacheEntry<T>> actual, RedisFailures failures, CircuitBreaker breaker) {
      super(actual);
      this.failures = failures;
      this.breaker = breaker;
    }

    void send(StatefulConnection<String, byte[]> connection) {
      if (settled != 0) {
        return; // cancelled at once
      }
      try {
        GetCommand sent = new GetCommand(storedKey, this);
        command = sent;
        connection.dispatch(sent);
        Duration bound = backend.commandBound();
        if (bound != null && !sent.isTimedByLettuce()) {
          // Lettuce's timeout does not bound it (yet): a lent client's options, or a cluster node's connection
          // still being opened. Our bound goes on Lettuce's own timer wheel (as its command timeouts do): a task
          // per read costs far less there than in a scheduled executor's locked queue, and a bound needs no
          // better than its 100 ms tick.
          Timer wheel = backend.timer();
          if (wheel == null) {
            throw new IllegalStateException("the client is shut down");
          }
          Timeout armed = wheel.newTimeout(this, bound.toNanos(), TimeUnit.NANOSECONDS);
          timer = armed;
          if (settled != 0) {
            armed.cancel(); // the reply came first, before the timer was there to cancel
          }
        }
      } catch (RuntimeException e) {
        // Refused synchronously (a closed connection, a full queue, a client shutting down): a failed attempt.
        accept(null, e);
      }
    }

    /** The reply (or the refusal to send). */
    @Override
    public void accept(byte[] value, Throwable error) {
      if (!settle()) {
        return;
      }
      Timeout armed = timer;
      if (armed != null) {
        armed.cancel();
      }
      if (error != null) {
        fail(error);
        return;
      }
      failures.succeeded(breaker);
      if (value != null && value.length > RedisCacheBackend.DECODE_INLINE_BYTES) {
        Schedulers.parallel().schedule(() -> emit(value));
      } else {
        emit(value);
      }
    }

    /** The bound passed without a reply. */
    @Override
    public void run(Timeout timeout) {
      if (settle()) {
        GetCommand sent = command;
        if (sent != null) {
          sent.cancel();
        }
        fail(new TimeoutException("no reply within " + backend.commandBound().toMillis() + " ms"));
      }
    }

    private void emit(byte[] value) {
      CacheEntry<T> entry;
      try {
        entry = backend.decodeCounted(envelopeKey, value, type, reader);
      } catch (RuntimeException e) {
        actual.onError(e);
        return;
      }
      if (entry == null) {
        actual.onComplete();
      } else {
        complete(entry);
      }
    }

    /** A failed first attempt: the breaker counts it, then the general path retries or words the failure. */
    private void fail(Throwable error) {
      failures.failed(breaker, error);
      if (isCancelled()) {
        return;
      }
      backend.getAfterFailure(error, storedKey, envelopeKey, type, reader).subscribe(new Continuation());
    }

    private boolean settle() {
      return settled == 0 && SETTLED.compareAndSet(this, 0, 1);
    }

    @Override
    public void cancel() {
      super.cancel();
      if (settle()) {
        failures.released(breaker);
        Timeout armed = timer;
        if (armed != null) {
          armed.cancel();
        }
        GetCommand sent = command;
        if (sent != null) {
          sent.cancel();
        }
      }
      Subscription rest = continuation;
      if (rest != null) {
        rest.cancel();
      }
    }

    /** Forwards the general path's signals once a failure handed the call over to it. */
    private final class Continuation implements CoreSubscriber<CacheEntry<T>> {
      private boolean completed;

      @Override
      public Context currentContext() {
        return actual.currentContext();
      }

      @Override
      public void onSubscribe(Subscription s) {
        continuation = s;
        if (isCancelled()) {
          s.cancel();
        } else {
          s.request(Long.MAX_VALUE);
        }
      }

      @Override
      public void onNext(CacheEntry<T> entry) {
        completed = true;
        complete(entry);
      }

      @Override
      public void onError(Throwable error) {
        actual.onError(error);
      }

      @Override
      public void onComplete() {
        if (!completed) {
          actual.onComplete();
        }
      }
    }
  }
}
