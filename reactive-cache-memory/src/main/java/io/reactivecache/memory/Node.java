package io.reactivecache.memory;

/**
 * A key's slot in a {@link LockedStore}: the holder plus the intrusive links of the eviction policy, so that moving
 * an entry in recency or frequency order allocates nothing. Only touched under the store's monitor.
 */
final class Node {
  final long seq;
  Stored stored;
  /** Neighbours in the policy's list (LRU: the recency list; LFU: the frequency bucket's list). */
  Node prev;
  Node next;
  /** LFU only: the bucket holding this node. */
  FrequencyBucket bucket;

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
