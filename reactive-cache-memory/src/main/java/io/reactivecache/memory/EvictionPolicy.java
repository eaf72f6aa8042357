package io.reactivecache.memory;

import org.jspecify.annotations.Nullable;

/** The order in which a {@link LockedStore} evicts; called under the store's monitor, every method O(1). */
interface EvictionPolicy {

  /** A node entered the store. */
  void admitted(Node node);

  /** A node was read or overwritten. */
  void accessed(Node node);

  /** A node left the store. */
  void removed(Node node);

  /** Returns the node to evict next other than {@code spared} (a node being written, or null), or null if none. */
  @Nullable Node victim(@Nullable Node spared);

  /** Forgets every node. */
  void clear();
}
