package io.reactivecache.memory;

/**
 * The nodes accessed exactly {@link #frequency} times, least recently accessed first, and a link in the ascending
 * list of buckets (Shah, Mitra and Matani, "An O(1) algorithm for implementing the LFU cache eviction scheme", 2010).
 */
final class FrequencyBucket {
  final long frequency;
  final Node nodes = Node.sentinel();
  FrequencyBucket prev;
  FrequencyBucket next;

  FrequencyBucket(long frequency) {
    this.frequency = frequency;
    this.prev = this;
    this.next = this;
  }

  boolean isEmpty() {
    return nodes.next == nodes;
  }

  void append(Node node) {
    node.linkBefore(nodes);
    node.bucket = this;
  }

  void remove(Node node) {
    node.unlink();
    node.bucket = null;
  }

  /** Inserts a new bucket after this one. */
  FrequencyBucket insertAfter(long frequency) {
    FrequencyBucket bucket = new FrequencyBucket(frequency);
    bucket.prev = this;
    bucket.next = next;
    next.prev = bucket;
    next = bucket;
    return bucket;
  }

  void unlinkBucket() {
    prev.next = next;
    next.prev = prev;
  }
}
