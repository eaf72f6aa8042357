package io.reactivecache.internal;

import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One load of one key, shared by every caller that misses while it runs (DESIGN rule 1).
 *
 * <p>The result is held in a {@link Sinks.One}, so a caller that joins late still gets it. The load is cancelled
 * only when its last caller cancels (rule 2): callers are reference-counted, and the count is closed (set to -1)
 * at the moment it drops to zero, so nobody can join a load that is being cancelled. An invalidation of the key
 * while the load runs {@linkplain #invalidate() marks} it, and its result is then delivered but not stored
 * (rule 5).
 */
final class InFlightLoad {
  private static final int CLOSED = -1;

  final String key;
  final Set<String> tags;
  private final Sinks.One<Object> result = Sinks.one();
  private final AtomicInteger callers = new AtomicInteger();
  private final Disposable.Swap upstream = Disposables.swap();
  private volatile boolean invalidated;
  private volatile boolean done;

  InFlightLoad(String key, Set<String> tags) {
    this.key = key;
    this.tags = tags;
  }

  /** Registers a caller; false if the load was already cancelled and a new one must be started. */
  boolean tryJoin() {
    for (;;) {
      int n = callers.get();
      if (n == CLOSED) {
        return false;
      }
      if (callers.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** Runs the load; called once, by the caller that created this object. */
  void start(Mono<Object> load) {
    upstream.update(load.subscribe(this::complete, this::fail, this::completeEmpty));
  }

  /** The shared result, for one registered caller; cancelling it releases that caller. */
  Mono<Object> result() {
    return result.asMono().doOnCancel(this::leave);
  }

  /** The shared result for a background subscriber that never cancels (a refresh). */
  Mono<Object> resultForBackground() {
    return result.asMono();
  }

  void invalidate() {
    invalidated = true;
  }

  boolean isInvalidated() {
    return invalidated;
  }

  boolean isDone() {
    return done;
  }

  private void leave() {
    if (callers.decrementAndGet() == 0 && !done && callers.compareAndSet(0, CLOSED)) {
      upstream.dispose();
    }
  }

  private void complete(Object value) {
    done = true;
    result.tryEmitValue(value);
  }

  private void completeEmpty() {
    if (!done) {
      done = true;
      result.tryEmitEmpty();
    }
  }

  private void fail(Throwable error) {
    done = true;
    result.tryEmitError(error);
  }
}
