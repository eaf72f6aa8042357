package io.reactivecache.benchmarks.simulator;

/** One cache under simulation: answers whether a request hits, and on a miss admits the key. */
interface Policy extends AutoCloseable {

  /**
   * Requests a key: a read, followed by a write on a miss.
   *
   * @param key the key
   * @return true on a hit
   */
  boolean request(long key);

  @Override
  default void close() {}
}
