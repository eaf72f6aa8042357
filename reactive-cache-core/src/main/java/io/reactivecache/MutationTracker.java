package io.reactivecache;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Tells the two-level composition whether a change of a key (a write or an invalidation, local or reported by L2)
 * overlapped an interval, so that an L2 value older than that change is never copied into L1. Internal.
 *
 * <p>Per stripe of keys (and once for "every key": clear, pattern and tag invalidations), two counters that only
 * grow: changes started and changes finished. An interval is <i>clean</i> if no change was in flight when it began
 * (finished == started) and none started since (started unchanged). A token is the sum of the key's and the global
 * "started" counters, so one comparison checks both. Keys that share a stripe only make a copy be skipped more often,
 * never let a stale one through.
 *
 * <p>Lock-free; the L1 hit path never touches it (only an L1 miss and a change do).
 */
final class MutationTracker {
  /** A token meaning "not clean": the value must not be copied. */
  static final long DIRTY = -1;

  private static final int STRIPES = 1024;
  private static final int ALL = STRIPES;
  // Slot 2*i holds stripe i's "started", slot 2*i+1 its "finished"; stripe ALL is the one for every key.
  private final AtomicLongArray counters = new AtomicLongArray(2 * (STRIPES + 1));

  private static int stripe(String key) {
    int h = key.hashCode();
    return (h ^ (h >>> 16)) & (STRIPES - 1);
  }

  private long started(int stripe) {
    return counters.get(2 * stripe);
  }

  private long finished(int stripe) {
    return counters.get(2 * stripe + 1);
  }

  /**
   * Opens a clean interval before an L2 read of a key.
   *
   * @return a token for {@link #unchanged}, or {@link #DIRTY} if a change of the key is in flight
   */
  long beforeRead(String key) {
    int stripe = stripe(key);
    // "finished" is read before "started": finished never exceeds started, so equal values mean no change was in
    // flight at the moment "started" was read, and the token is that very value.
    long keyDone = finished(stripe);
    long keyStarted = started(stripe);
    long allDone = finished(ALL);
    long allStarted = started(ALL);
    return keyDone == keyStarted && allDone == allStarted ? keyStarted + allStarted : DIRTY;
  }

  /**
   * Tells whether no change of a key started since the token was taken.
   *
   * @param key the key
   * @param token from {@link #beforeRead} or {@link #beginKey}
   * @return true if a value read (or written) in the interval may sit in L1
   */
  boolean unchanged(String key, long token) {
    return token != DIRTY && started(stripe(key)) + started(ALL) == token;
  }

  /**
   * Starts a change of one key; {@link #endKey} must follow exactly once.
   *
   * @return a token for {@link #unchanged} if this change is the only one in flight on the key, else
   *     {@link #DIRTY} (then its value must not be put in L1: another change may land in another order)
   */
  long beginKey(String key) {
    int stripe = stripe(key);
    long allDone = finished(ALL);
    long allStarted = started(ALL);
    long keyDone = finished(stripe);
    long mine = counters.incrementAndGet(2 * stripe);
    // Alone iff every change of the key that started before this one had finished, and no change of every key
    // was in flight (one starting later changes started(ALL), which the token then no longer matches).
    return allDone == allStarted && keyDone == mine - 1 ? mine + allStarted : DIRTY;
  }

  void endKey(String key) {
    counters.incrementAndGet(2 * stripe(key) + 1);
  }

  /** Starts a change of every key (clear, pattern, tag); {@link #endAll} must follow exactly once. */
  void beginAll() {
    counters.incrementAndGet(2 * ALL);
  }

  void endAll() {
    counters.incrementAndGet(2 * ALL + 1);
  }
}
