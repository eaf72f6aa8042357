package io.reactivecache;

import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.KeyPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * The invalidations a primary backend missed during an outage, in order, to replay on recovery. Bounded: past
 * the limit it collapses into one clear, which over-invalidates but never lets stale data through. Internal.
 */
final class OutageJournal {
  /** One missed invalidation. */
  record Entry(String description, Function<CacheBackend, Mono<?>> action) {
    static Entry delete(String key) {
      return new Entry("delete " + key, backend -> backend.delete(key));
    }

    static Entry deleteAll(List<String> keys) {
      return new Entry("delete " + keys.size() + " keys",
          backend -> reactor.core.publisher.Flux.fromIterable(keys).concatMap(backend::delete).then());
    }

    static Entry pattern(KeyPattern pattern) {
      return new Entry("delete pattern " + pattern, backend -> backend.deletePattern(pattern));
    }

    static Entry tag(String tag) {
      return new Entry("invalidate tag " + tag, backend -> backend.invalidateTag(tag));
    }

    static Entry clear() {
      return new Entry("clear", CacheBackend::clear);
    }

    Mono<?> applyTo(CacheBackend backend) {
      return action.apply(backend);
    }
  }

  private final int limit;
  private List<Entry> entries = new ArrayList<>();
  // The outage flag lives under the journal's lock: "in an outage, so journal this" and "journal empty, so the
  // outage is over" must not interleave, or an invalidation could be journaled after the last replay.
  private boolean outage;
  // A write journaled for the primary still has to land in the fallback. If it lands after the recovery cleared
  // the fallback and the outage then ends, its value stays there and a later outage would serve it, stale. So the
  // outage ends only when no fallback write is in flight and none finished since the last clear.
  private int fallbackWritesInFlight;
  private boolean fallbackWrittenSinceClear;

  OutageJournal(int limit) {
    this.limit = limit;
  }

  /** Journals an invalidation if an outage is on; false if none is. */
  synchronized boolean recordIfOutage(Entry entry) {
    if (outage) {
      add(entry);
      fallbackWritesInFlight++;
    }
    return outage;
  }

  /** Starts (or continues) an outage with the invalidation that just failed on the primary. */
  synchronized void recordFailure(Entry entry) {
    outage = true;
    add(entry);
    fallbackWritesInFlight++;
  }

  /** A write journaled by {@link #recordIfOutage} or {@link #recordFailure} is done with the fallback. */
  synchronized void fallbackWriteDone() {
    fallbackWritesInFlight--;
    fallbackWrittenSinceClear = true;
  }

  /** The recovery is about to clear the fallback: what was written to it so far will be gone. */
  synchronized void fallbackClearing() {
    fallbackWrittenSinceClear = false;
  }

  /** Starts (or continues) an outage after a failed read. */
  synchronized void startOutage() {
    outage = true;
  }

  synchronized boolean inOutage() {
    return outage;
  }

  /**
   * Ends the outage if every journaled invalidation was replayed and the fallback holds nothing written since it
   * was cleared; false if more arrived meanwhile.
   */
  synchronized boolean endOutageIfEmpty() {
    if (entries.isEmpty() && fallbackWritesInFlight == 0 && !fallbackWrittenSinceClear) {
      outage = false;
    }
    return !outage;
  }

  private void add(Entry entry) {
    if (entries.size() == 1 && entries.get(0).description().equals("clear")) {
      return;
    }
    if (entries.size() >= limit || entry.description().equals("clear")) {
      entries = new ArrayList<>(List.of(Entry.clear()));
      return;
    }
    entries.add(entry);
  }

  /** Takes every entry out, for a replay. */
  synchronized List<Entry> drain() {
    List<Entry> drained = entries;
    entries = new ArrayList<>();
    return drained;
  }

  /** Puts back entries whose replay failed, before any added since. */
  synchronized void restore(List<Entry> failed) {
    List<Entry> merged = new ArrayList<>(failed);
    merged.addAll(entries);
    entries = new ArrayList<>();
    for (Entry entry : merged) {
      add(entry);
    }
  }

  synchronized int size() {
    return entries.size();
  }
}
