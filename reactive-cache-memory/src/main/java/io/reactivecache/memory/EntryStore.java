package io.reactivecache.memory;

import java.util.List;

/**
 * A bounded map of key to {@link Stored}, with one eviction policy. Every method is thread-safe and never parks the
 * calling thread (monitors and lock-free code only), so it may run on Reactor's non-blocking threads.
 *
 * <p>Methods taking {@code now} (epoch ms from the backend's clock) never return or count an expired entry as live:
 * an expired entry they meet is removed with {@link RemovalCause#EXPIRED}.
 */
interface EntryStore {

  /**
   * Reads a key and records the access for the eviction policy.
   *
   * @param key the key
   * @param now the time
   * @return the live holder, or null
   */
  Stored get(String key, long now);

  /**
   * Reads a key without recording an access.
   *
   * @param key the key
   * @param now the time
   * @return the live holder, or null
   */
  Stored peek(String key, long now);

  /**
   * Writes a holder, replacing the key's previous one, and evicts what the size bound requires.
   *
   * @param stored the holder, not expired
   * @param now the time
   */
  void put(Stored stored, long now);

  /**
   * Removes a key.
   *
   * @param key the key
   * @param now the time
   * @return the live holder removed, or null if there was none
   */
  Stored remove(String key, long now);

  /**
   * Removes a key only if it still holds {@code expected}.
   *
   * @param key the key
   * @param expected the holder to remove
   * @param now the time
   * @return true if a live holder was removed
   */
  boolean remove(String key, Stored expected, long now);

  /**
   * Removes every entry.
   *
   * @param now the time
   * @return the live holders removed
   */
  List<Stored> removeAll(long now);

  /**
   * Returns a snapshot of the live holders.
   *
   * @param now the time
   * @return the holders, in no particular order
   */
  List<Stored> entries(long now);

  /**
   * Returns the number of entries held, expired ones not yet removed included.
   *
   * @return the size
   */
  long size();

  /**
   * Removes expired entries now, and finishes any pending maintenance.
   *
   * @param now the time
   */
  void cleanUp(long now);
}
