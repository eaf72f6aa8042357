package io.reactivecache.memory;

import org.jspecify.annotations.Nullable;

/**
 * Exact least-frequently-used order in O(1): buckets of equal access counts in ascending order, each a recency list,
 * so the victim is the least recently used node of the lowest count. A node's count starts at 1 when it is admitted
 * and grows by one per read or overwrite; it is forgotten when the node leaves (no history across admissions).
 */
final class LfuPolicy implements EvictionPolicy {
  private final FrequencyBucket buckets = new FrequencyBucket(0);

  @Override
  public void admitted(Node node) {
    FrequencyBucket first = buckets.next;
    (first.frequency == 1 ? first : buckets.insertAfter(1)).append(node);
  }

  @Override
  public void accessed(Node node) {
    FrequencyBucket current = node.bucket;
    long frequency = current.frequency + 1;
    FrequencyBucket target = current.next.frequency == frequency ? current.next : current.insertAfter(frequency);
    current.remove(node);
    target.append(node);
    if (current.isEmpty()) {
      current.unlinkBucket();
    }
  }

  @Override
  public void removed(Node node) {
    FrequencyBucket bucket = node.bucket;
    bucket.remove(node);
    if (bucket.isEmpty()) {
      bucket.unlinkBucket();
    }
  }

  @Override
  public @Nullable Node victim(@Nullable Node spared) {
    FrequencyBucket lowest = buckets.next;
    if (lowest == buckets) {
      return null;
    }
    Node first = lowest.nodes.next;
    if (first != spared) {
      return first;
    }
    // Buckets are never empty (an emptied bucket is unlinked), so the next candidate is a neighbour of the spared
    // node in its bucket, or the head of the next bucket.
    if (first.next != lowest.nodes) {
      return first.next;
    }
    return lowest.next == buckets ? null : lowest.next.nodes.next;
  }

  @Override
  public void clear() {
    buckets.prev = buckets;
    buckets.next = buckets;
  }
}
