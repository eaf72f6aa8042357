package io.reactivecache.benchmarks.jmh;

import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** A per-thread walk over the prefilled keys, shared by every benchmark (JMH state, or made by hand). */
@State(Scope.Thread)
public class KeyCursor {
  private final int[] position = {(int) Thread.currentThread().getId() * 7919};

  /** Creates a cursor starting at a place that depends on the current thread. */
  public KeyCursor() {}

  /**
   * Returns the index of the next key.
   *
   * @return an index in {@code [0, Keys.COUNT)}
   */
  public int next() {
    return Keys.next(position);
  }
}
