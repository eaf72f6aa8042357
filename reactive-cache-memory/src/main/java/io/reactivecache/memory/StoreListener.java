package io.reactivecache.memory;

/**
 * Hears every entry that enters or leaves a store. Stores call it inside the critical section that changes the key
 * (the store's monitor, or Caffeine's per-key compute), so that indexes kept by the listener never disagree with the
 * store about which holder a key has. Implementations must be quick and must never call back into the store.
 */
interface StoreListener {

  /**
   * An entry was written.
   *
   * @param stored the new holder
   */
  void added(Stored stored);

  /**
   * An entry left the store.
   *
   * @param stored the holder that left
   * @param cause why
   */
  void removed(Stored stored, RemovalCause cause);
}
