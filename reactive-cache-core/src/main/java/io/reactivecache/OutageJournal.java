package io.reactivecache;

import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.KeyPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Where a {@link FallbackCacheBackend} stands (up, outage, hand-over, and which outage), and the invalidations the
 * primary missed during an outage, to replay on recovery. Bounded: past the limit it collapses into one clear, which
 * over-invalidates but never lets stale data through. Internal.
 *
 * <p>The state and the journal share one lock: "in an outage, so journal this" and "the hand-over starts, so stop
 * journaling" must not interleave, or an invalidation could be journaled after the last replay.
 */
final class OutageJournal {
  /** Invalidations (a {@code putAll} counts one per key) replayed on recovery in parallel, at most. */
  private static final int REPLAY_CONCURRENCY = 32;

  /** One missed invalidation. */
  record Entry(String description, int weight, Function<CacheBackend, Mono<?>> action) {
    static Entry delete(String key) {
      return new Entry("delete " + key, 1, backend -> backend.delete(key));
    }

    static Entry deleteAll(List<String> keys) {
      return new Entry("delete " + keys.size() + " keys", keys.size(),
          backend -> Flux.fromIterable(keys).flatMap(backend::delete, REPLAY_CONCURRENCY).then());
    }

    static Entry pattern(KeyPattern pattern) {
      return new Entry("delete pattern " + pattern, 1, backend -> backend.deletePattern(pattern));
    }

    static Entry tag(String tag) {
      return new Entry("invalidate tag " + tag, 1, backend -> backend.invalidateTag(tag));
    }

    static Entry clear() {
      return new Entry("clear", 1, CacheBackend::clear);
    }

    Mono<?> applyTo(CacheBackend backend) {
      return action.apply(backend);
    }

    boolean isClear() {
      return description.equals("clear");
    }
  }

  /** What the composition does with an operation. */
  enum Phase {
    /** The primary serves everything. */
    UP,
    /** The fallback serves everything; writes and invalidations are journaled. */
    OUTAGE,
    /**
     * The journal is being emptied into the primary for the last time: writes go to the primary (and drop what they
     * change from the fallback), reads are still served by the fallback.
     */
    HANDOVER
  }

  /**
   * Where the composition stands.
   *
   * @param phase the phase
   * @param outage the number of the current (or last) outage, naming its part of the fallback
   */
  record State(Phase phase, long outage) {}

  private final int limit;
  private List<Entry> entries = new ArrayList<>();
  private int weight;
  // Written under the lock, read without it by reads: a read racing a change of phase may go either way, both
  // correct for an operation concurrent with the change.
  private volatile State state = new State(Phase.UP, 0);

  OutageJournal(int limit) {
    this.limit = limit;
  }

  State state() {
    return state;
  }

  /** Journals an invalidation if an outage is on; returns the state the write must follow. */
  synchronized State journalIfOutage(Entry entry) {
    if (state.phase() == Phase.OUTAGE) {
      add(entry);
    }
    return state;
  }

  /**
   * The primary failed an operation: starts an outage (a new one, with a fresh part of the fallback, if the primary
   * was up; the same one if a hand-over was under way) and journals the invalidation, if any.
   *
   * @param entry what the failed operation invalidates in the primary, or null for a read
   * @return the outage the operation falls back into
   */
  synchronized State primaryFailed(Entry entry) {
    if (state.phase() == Phase.UP) {
      state = new State(Phase.OUTAGE, state.outage() + 1);
    } else if (state.phase() == Phase.HANDOVER) {
      state = new State(Phase.OUTAGE, state.outage());
    }
    if (entry != null) {
      add(entry);
    }
    return state;
  }

  /** Takes every entry out, for a replay. */
  synchronized List<Entry> drain() {
    List<Entry> drained = entries;
    entries = new ArrayList<>();
    weight = 0;
    return drained;
  }

  /**
   * Starts the hand-over: from now on nothing is journaled.
   *
   * @return the entries journaled so far, to replay before the primary serves reads; empty if no outage is on
   */
  synchronized List<Entry> startHandover() {
    if (state.phase() != Phase.OUTAGE) {
      return List.of();
    }
    state = new State(Phase.HANDOVER, state.outage());
    return drain();
  }

  /**
   * Ends the hand-over, unless the primary failed again meanwhile.
   *
   * @return true if the primary serves everything from now on
   */
  synchronized boolean finishHandover() {
    if (state.phase() != Phase.HANDOVER) {
      return false;
    }
    state = new State(Phase.UP, state.outage());
    return true;
  }

  /**
   * Puts back entries whose replay failed, before any added since; a hand-over under way falls back into the
   * outage, since the primary did not take them.
   */
  synchronized void replayFailed(List<Entry> failed) {
    if (state.phase() == Phase.HANDOVER) {
      state = new State(Phase.OUTAGE, state.outage());
    }
    List<Entry> merged = new ArrayList<>(failed);
    merged.addAll(entries);
    entries = new ArrayList<>();
    weight = 0;
    for (Entry entry : merged) {
      add(entry);
    }
  }

  private void add(Entry entry) {
    if (entries.size() == 1 && entries.get(0).isClear()) {
      return;
    }
    if (weight + entry.weight() > limit || entry.isClear()) {
      entries = new ArrayList<>(List.of(Entry.clear()));
      weight = 1;
      return;
    }
    entries.add(entry);
    weight += entry.weight();
  }

  /** Invalidations waiting for the primary (a collapsed journal counts one). */
  synchronized int size() {
    return weight;
  }

  /**
   * Applies entries to a backend. Invalidations only remove, so their order does not matter and they run in
   * parallel: a long journal replays in a fraction of the time one by one would take.
   */
  static Mono<Void> replay(List<Entry> entries, CacheBackend primary) {
    return Flux.fromIterable(entries).flatMap(entry -> entry.applyTo(primary), REPLAY_CONCURRENCY).then();
  }
}
