package io.reactivecache.memory;

import org.jspecify.annotations.Nullable;

/**
 * A key's slot in a {@link LockedStore}: the holder plus the intrusive links of the eviction policy, so that moving
 * an entry in recency or frequency order allocates nothing. Only touched under the store's monitor.
 */
final class Node {
  final long seq;
  /** Null only in a list sentinel. */
  @Nullable Stored stored;
  /** Neighbours in the policy's list (LRU: the recency list; LFU: the frequency bucket's list). */
  @Nullable Node prev;
  @Nullable Node next;
  /** LFU only: the bucket holding this node. */
  @Nullable FrequencyBucket bucket;

  Node(Stored stored, long seq) {
    this.stored = stored;
    this.seq = seq;
  }

  /** Creates a list sentinel. */
  static Node sentinel() {
    Node node = new Node(null, -1);
    node.prev = node;
    node.next = node;
    return node;
  }

  void linkBefore(Node successor) {
    prev = successor.prev;
    next = successor;
    successor.prev.next = this;
    successor.prev = this;
  }

  void unlink() {
    prev.next = next;
    next.prev = prev;
    prev = null;
    next = null;
  }
}
