package io.reactivecache.memory;

import org.jspecify.annotations.Nullable;

/** Exact least-recently-used order: one recency list, least recent at the head. */
final class LruPolicy implements EvictionPolicy {
  private final Node order = Node.sentinel();

  @Override
  public void admitted(Node node) {
    node.linkBefore(order);
  }

  @Override
  public void accessed(Node node) {
    node.unlink();
    node.linkBefore(order);
  }

  @Override
  public void removed(Node node) {
    node.unlink();
  }

  @Override
  public @Nullable Node victim(@Nullable Node spared) {
    Node first = order.next == spared ? spared.next : order.next;
    return first == order ? null : first;
  }

  @Override
  public void clear() {
    order.prev = order;
    order.next = order;
  }
}
