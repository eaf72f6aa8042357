package io.reactivecache.memory;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A bounded map of key to {@link Stored}, with one eviction policy. The bound is on the sum of the holders'
 * {@linkplain Stored#weight() weights} (each weighs 1 when the backend counts entries). Every method is thread-safe and never parks the
 * calling thread (monitors and lock-free code only), so it may run on Reactor's non-blocking threads.
 *
 * <p>Methods taking {@code now} (epoch ms from the backend's clock) never return or count an expired entry as live:
 * an expired entry they meet is removed with {@link RemovalCause#EXPIRED}.
 */
interface EntryStore {

  /**
   * Reads a key and records the access for the eviction policy.
   *
   * @param key the key: a {@code String}, or {@link KeyParts} that equal the {@code String} stored
   * @param now the time
   * @return the live holder, or null
   */
  @Nullable Stored get(Object key, long now);

  /**
   * Reads a key without recording an access.
   *
   * @param key the key
   * @param now the time
   * @return the live holder, or null
   */
  @Nullable Stored peek(String key, long now);

  /**
   * Writes a holder, replacing the key's previous one, and evicts what the bound requires. A holder heavier than
   * the whole bound is not written and changes nothing.
   *
   * @param stored the holder, not expired
   * @param now the time
   * @return false if the holder was heavier than the bound, and not written
   */
  boolean put(Stored stored, long now);

  /**
   * Removes a key.
   *
   * @param key the key
   * @param now the time
   * @return the live holder removed, or null if there was none
   */
  @Nullable Stored remove(String key, long now);

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
   * Returns the sum of the weights held, expired entries not yet removed included.
   *
   * @return the weight
   */
  long weight();

  /**
   * Returns the bound on the weight held.
   *
   * @return the bound
   */
  long maximum();

  /**
   * Changes the bound. Shrinking evicts (cause {@link RemovalCause#SIZE}, expired entries first) until the weight
   * held is within the new bound, and the bound holds for every write that completes after this call returns. May
   * wait briefly for a lock held by another thread's maintenance: never call it on a non-blocking thread.
   *
   * @param maximum the new bound, at least 1
   * @param now the time
   */
  void resize(long maximum, long now);

  /**
   * Removes expired entries now, and finishes any pending maintenance.
   *
   * @param now the time
   */
  void cleanUp(long now);
}
