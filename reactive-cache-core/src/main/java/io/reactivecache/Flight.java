package io.reactivecache;

import io.reactivecache.spi.CacheEntry;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.context.ContextView;

/**
 * One load of one key, from its start to its retirement: every caller that misses while it runs joins it (rule 1),
 * it is cancelled only when its last caller leaves (rule 2), it stores its result unless a write or invalidation of
 * the key came first (rule 5), and it retires — leaves the {@link FlightRegistry} — once its result is stored or
 * dropped. Until then it stays joinable and readable, so a caller that got the value finds it on the next read of
 * this instance even while the store is still on its way to a remote backend (read-your-writes).
 *
 * <p>State of the result ({@link #state}): {@code LOADING} → {@code SETTLING} (storing the value, or remembering the
 * error) → {@code SETTLED}; or {@code LOADING} → {@code INVALIDATED} (the result will be delivered, never stored).
 * "May I store?" and "I invalidate you" are one atomic value, so they cannot interleave: an invalidation that comes
 * first stops the store; one that comes during the store waits for it ({@link #invalidate} returns that wait), so
 * the invalidation's own write or delete always lands after it.
 *
 * <p>Callers are reference-counted; the count is closed (set to -1) at the moment it drops to zero, so nobody can
 * join a load that is being cancelled. A background refresh has no caller: it holds the flight with a timed
 * {@linkplain #holdUntil hold} instead, so a hung refresh is cancelled when the stale value it was refreshing may no
 * longer be served, and never locks the key.
 */
final class Flight {
  /** Delivered to callers that joined a {@code Flux} load which could not be shared (too long, or abandoned). */
  static final Object NOT_SHARED = new Object();

  private static final int CLOSED = -1;
  private static final int LOADING = 0;
  private static final int SETTLING = 1;
  /** Settling, and an invalidation from another process arrived meanwhile: delete what was stored. */
  private static final int SETTLING_OVERTAKEN = 2;
  private static final int INVALIDATED = 3;
  private static final int SETTLED = 4;
  private static final Object NO_VALUE = new Object();

  final FlightRegistry.Id id;
  final Set<String> tags;
  private final FlightRegistry registry;
  private final Sinks.One<Object> result = Sinks.one();
  private final AtomicInteger callers = new AtomicInteger();
  private final AtomicInteger state = new AtomicInteger(LOADING);
  private final Disposable.Swap upstream = Disposables.swap();
  private final Sinks.Empty<Void> settled = Sinks.empty();
  private volatile boolean invalidated;
  private volatile boolean finished;
  private volatile Object storedValue = NO_VALUE;
  private @Nullable LoadEngine<?> owner;
  private long startedAt;

  Flight(FlightRegistry registry, FlightRegistry.Id id, Set<String> tags) {
    this.registry = registry;
    this.id = id;
    this.tags = tags;
  }

  String key() {
    return id.key();
  }

  /** Registers a caller; false if the flight was already cancelled and a new one must be started. */
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

  /**
   * Runs the load; called once, by the caller that created this flight.
   *
   * @param engine the engine of the caller that started it: its policy decides timeouts and what is stored
   * @param loader the loader, subscribed once; it may emit {@link LoadEngine.Found} for a value that was already
   *     stored (then nothing is stored again)
   * @param context the starting caller's context (rule 7)
   */
  void start(LoadEngine<?> engine, Mono<?> loader, ContextView context) {
    begin(engine);
    Mono<Object> load = engine.instrument(loader.<Object>map(value -> value).defaultIfEmpty(LoadEngine.ABSENT), key());
    upstream.update(load.contextWrite(context).subscribe(this::loaded, this::failed));
  }

  /**
   * Marks the start of a load driven from outside (a {@code Flux} streamed by its first caller): the driver calls
   * {@link #loaded}, {@link #failed} or {@link #abandon} itself.
   *
   * @param engine the engine of the driving caller
   */
  void begin(LoadEngine<?> engine) {
    this.owner = engine;
    this.startedAt = engine.now();
  }

  /** The shared result, for one registered caller; cancelling it releases that caller. */
  Mono<Object> result() {
    return result.asMono().doOnCancel(this::leave);
  }

  /** The shared result without registering a caller: for a subscriber that already holds the flight. */
  Mono<Object> resultWhileHeld() {
    return result.asMono();
  }

  /**
   * Keeps the flight alive until a time (epoch ms on the engine's clock) even if every caller leaves: a background
   * refresh, or a caller served stale by its soft timeout, holds the load this way. Past the time the hold is
   * released, and a load nobody waits for any more is cancelled.
   *
   * @param engine gives the clock
   * @param until when the hold ends
   * @return false if the flight was already cancelled
   */
  boolean holdUntil(LoadEngine<?> engine, long until) {
    if (!tryJoin()) {
      return false;
    }
    long delay = Math.max(0, until - engine.now());
    if (delay >= Long.MAX_VALUE / 2_000_000L) {
      return true; // "for ever": Scheduler delays are counted in nanoseconds
    }
    engine.clock().schedule(this::leave, delay, TimeUnit.MILLISECONDS);
    return true;
  }

  /**
   * A write or invalidation of the key happened: the result will not be stored, and callers arriving from now on
   * must not join this flight (its result may predate the write).
   *
   * @param fromOutside true for an invalidation another process made: a store already under way may have
   *     overwritten that process's newer write, so what it stored is deleted once it lands
   * @return completes once a store already under way has landed (at once if none is)
   */
  Mono<Void> invalidate(boolean fromOutside) {
    invalidated = true;
    for (;;) {
      int s = state.get();
      if (s == LOADING) {
        if (state.compareAndSet(LOADING, INVALIDATED)) {
          return Mono.empty();
        }
      } else if (s == SETTLING) {
        if (!fromOutside || state.compareAndSet(SETTLING, SETTLING_OVERTAKEN)) {
          return settled.asMono();
        }
      } else if (s == SETTLING_OVERTAKEN) {
        return settled.asMono();
      } else {
        return Mono.empty();
      }
    }
  }

  /** Tells whether a write or invalidation came after the start: a caller arriving now must start a new load. */
  boolean isInvalidated() {
    return invalidated;
  }

  /** Tells whether the load has finished (value, empty or error delivered). */
  boolean isFinished() {
    return finished;
  }

  /**
   * Returns the value being stored right now, for read-your-writes: a caller already got it, and the store has not
   * landed yet.
   *
   * @return the value (or {@link LoadEngine#ABSENT}), or null when there is none to read
   */
  @Nullable Object valueBeingStored() {
    Object value = storedValue;
    return value == NO_VALUE || invalidated ? null : value;
  }

  /**
   * The load produced a value (or {@link LoadEngine#ABSENT}, or a {@link LoadEngine.Found} read from the backend).
   * Stores it unless invalidated, then delivers it; the flight retires once the store has landed.
   */
  void loaded(Object value) {
    LoadEngine<?> engine = owner;
    if (value instanceof LoadEngine.Found found) {
      // Another load stored this value just before this one started: serve it, store nothing.
      retire();
      complete(found.value());
      return;
    }
    long loadMillis = Math.max(0, engine.now() - startedAt);
    engine.countLoad(true, loadMillis);
    CacheEntry<?> entry;
    try {
      entry = engine.entryToStore(value, loadMillis, tags);
    } catch (RuntimeException error) {
      // The policy's TTL function threw: that is part of the load, so its callers get the error.
      failed(error);
      return;
    }
    if (entry != null && state.compareAndSet(LOADING, SETTLING)) {
      storedValue = value;
      // Subscribed before delivery: an in-process backend has stored it when callers get the value.
      engine.store(key(), entry).doFinally(signal -> settle(engine)).subscribe();
    } else {
      retire();
    }
    complete(value);
  }

  /** The load failed: remembers the error if the policy says so and nothing invalidated the key, then delivers. */
  void failed(Throwable error) {
    LoadEngine<?> engine = owner;
    engine.countLoad(false, Math.max(0, engine.now() - startedAt));
    if (engine.remembersErrors() && state.compareAndSet(LOADING, SETTLING)) {
      engine.rememberError(key(), tags, error);
      settle(engine);
    } else {
      retire();
    }
    finished = true;
    result.tryEmitError(error);
  }

  /**
   * The caller driving a streamed load left, or the stream outgrew what may be shared: the callers that joined
   * start loads of their own, and nothing is stored.
   */
  void abandon() {
    invalidated = true;
    state.compareAndSet(LOADING, INVALIDATED);
    retire();
    complete(NOT_SHARED);
  }

  private void settle(LoadEngine<?> engine) {
    // Retire first: releasing the invalidations waiting on this store lets their callers go on (with a get, say),
    // and they must not find this flight still registered.
    retire();
    storedValue = NO_VALUE;
    int before = state.getAndSet(SETTLED);
    settled.tryEmitEmpty();
    if (before == SETTLING_OVERTAKEN) {
      engine.deleteOvertaken(key());
    }
  }

  private void retire() {
    registry.retire(this);
  }

  private void complete(Object value) {
    finished = true;
    result.tryEmitValue(value);
  }

  /** Lets go of a registration taken by {@link FlightRegistry#join} that is not waiting for the result. */
  void release() {
    leave();
  }

  private void leave() {
    if (callers.decrementAndGet() == 0 && !finished && callers.compareAndSet(0, CLOSED)) {
      upstream.dispose();
      state.compareAndSet(LOADING, INVALIDATED);
      retire();
    }
  }
}
