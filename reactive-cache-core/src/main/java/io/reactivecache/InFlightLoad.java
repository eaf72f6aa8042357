package io.reactivecache;

import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One load of one key, shared by every caller that misses while it runs (the README's cachedMono rule 1).
 *
 * <p>The result is held in a {@link Sinks.One}, so a caller that joins late still gets it. The load is cancelled
 * only when its last caller cancels (rule 2): callers are reference-counted, and the count is closed (set to -1)
 * at the moment it drops to zero, so nobody can join a load that is being cancelled.
 *
 * <p>Writes and invalidations of the key win over the load's result (rule 5). The store state is one atomic
 * value, so "may I store?" and "I invalidate you" cannot interleave: an invalidation that comes first stops the
 * store; one that comes while the store is under way waits for it to land ({@link #invalidate()} returns that
 * wait), so the invalidation's own write or delete always lands last.
 */
final class InFlightLoad {
  private static final int CLOSED = -1;
  private static final int LOADING = 0;
  private static final int STORING = 1;
  private static final int INVALIDATED = 2;
  private static final int STORED = 3;

  final String key;
  final Set<String> tags;
  private final Sinks.One<Object> result = Sinks.one();
  private final AtomicInteger callers = new AtomicInteger();
  private final Disposable.Swap upstream = Disposables.swap();
  private final AtomicInteger storeState = new AtomicInteger(LOADING);
  private final Sinks.Empty<Void> stored = Sinks.empty();
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

  /**
   * Marks the load invalidated.
   *
   * @return completes once a store already under way has landed (at once if none is)
   */
  Mono<Void> invalidate() {
    invalidated = true;
    for (;;) {
      int state = storeState.get();
      if (state == LOADING) {
        if (storeState.compareAndSet(LOADING, INVALIDATED)) {
          return Mono.empty();
        }
      } else if (state == STORING) {
        return stored.asMono();
      } else {
        return Mono.empty();
      }
    }
  }

  /**
   * Tells whether a write or invalidation of the key came after this load started: a caller arriving now must
   * not join it (its result may predate the write) but start a new load.
   */
  boolean isInvalidated() {
    return invalidated;
  }

  /** Claims the right to store the result; false if the key was written or invalidated meanwhile. */
  boolean beginStore() {
    return storeState.compareAndSet(LOADING, STORING);
  }

  /** Signals that the store landed (or failed), releasing invalidations waiting for it. */
  void endStore() {
    storeState.set(STORED);
    stored.tryEmitEmpty();
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
