package io.reactivecache.memory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.TreeSet;

/**
 * An exact LRU or LFU store: a hash map, the policy's intrusive lists and an expiry-ordered set, all guarded by this
 * object's monitor.
 *
 * <p>A monitor rather than a {@code ReentrantLock}: a contended monitor is not reported by BlockHound, and the
 * critical sections are a few pointer moves (O(1)) plus an O(log n) expiry-set update for entries that expire.
 * Exactness is the point of these strategies (a replayed trace gives textbook hit ratios), which rules out the
 * sampled or buffered bookkeeping that lock-free caches use.
 */
final class LockedStore implements EntryStore {
  private static final Comparator<Node> BY_EXPIRY =
      Comparator.<Node>comparingLong(n -> n.stored.entry().expiresAt()).thenComparingLong(n -> n.seq);

  private static final int CLEANUP_BATCH = 1_024;

  private final long maximumSize;
  private final EvictionPolicy policy;
  private final StoreListener listener;
  private final HashMap<String, Node> nodes = new HashMap<>();
  private final TreeSet<Node> byExpiry = new TreeSet<>(BY_EXPIRY);
  private long nextSeq;

  private LockedStore(long maximumSize, EvictionPolicy policy, StoreListener listener) {
    this.maximumSize = maximumSize;
    this.policy = policy;
    this.listener = listener;
  }

  /**
   * Creates an exact least-recently-used store.
   *
   * @param maximumSize the bound, at least 1
   * @param listener hears every change
   * @return the store
   */
  static LockedStore lru(long maximumSize, StoreListener listener) {
    return new LockedStore(maximumSize, new LruPolicy(), listener);
  }

  /**
   * Creates an exact least-frequently-used store (ties to the least recently used).
   *
   * @param maximumSize the bound, at least 1
   * @param listener hears every change
   * @return the store
   */
  static LockedStore lfu(long maximumSize, StoreListener listener) {
    return new LockedStore(maximumSize, new LfuPolicy(), listener);
  }

  @Override
  public synchronized Stored get(String key, long now) {
    Node node = liveNode(key, now);
    if (node == null) {
      return null;
    }
    policy.accessed(node);
    return node.stored;
  }

  @Override
  public synchronized Stored peek(String key, long now) {
    Node node = liveNode(key, now);
    return node == null ? null : node.stored;
  }

  @Override
  public synchronized void put(Stored stored, long now) {
    Node node = liveNode(stored.key(), now);
    if (node != null) {
      Stored old = node.stored;
      if (old.expires()) {
        byExpiry.remove(node);
      }
      listener.removed(old, RemovalCause.REPLACED);
      node.stored = stored;
      policy.accessed(node);
      if (stored.expires()) {
        byExpiry.add(node);
      }
      listener.added(stored);
      return;
    }
    if (nodes.size() >= maximumSize) {
      // Expired entries go first: evicting a live entry while dead ones hold room would lower the hit ratio.
      purgeExpired(now);
    }
    // Evict before admitting, as textbook LFU does: admitting first would let a newcomer (count 1, the lowest)
    // be its own victim whenever every other entry has been read.
    while (nodes.size() >= maximumSize) {
      unlink(policy.victim(), RemovalCause.SIZE);
    }
    node = new Node(stored, nextSeq++);
    nodes.put(stored.key(), node);
    policy.admitted(node);
    if (stored.expires()) {
      byExpiry.add(node);
    }
    listener.added(stored);
  }

  @Override
  public synchronized Stored remove(String key, long now) {
    Node node = liveNode(key, now);
    if (node == null) {
      return null;
    }
    unlink(node, RemovalCause.EXPLICIT);
    return node.stored;
  }

  @Override
  public synchronized boolean remove(String key, Stored expected, long now) {
    Node node = liveNode(key, now);
    if (node == null || node.stored != expected) {
      return false;
    }
    unlink(node, RemovalCause.EXPLICIT);
    return true;
  }

  @Override
  public synchronized List<Stored> removeAll(long now) {
    List<Stored> removed = new ArrayList<>(nodes.size());
    for (Node node : nodes.values()) {
      boolean expired = node.stored.expiredAt(now);
      listener.removed(node.stored, expired ? RemovalCause.EXPIRED : RemovalCause.EXPLICIT);
      if (!expired) {
        removed.add(node.stored);
      }
    }
    nodes.clear();
    byExpiry.clear();
    policy.clear();
    return removed;
  }

  @Override
  public synchronized List<Stored> entries(long now) {
    List<Stored> live = new ArrayList<>(nodes.size());
    for (Node node : nodes.values()) {
      if (!node.stored.expiredAt(now)) {
        live.add(node.stored);
      }
    }
    return live;
  }

  @Override
  public synchronized long size() {
    return nodes.size();
  }

  @Override
  public void cleanUp(long now) {
    // In batches, releasing the monitor between them: a mass expiry must not stall readers for the whole purge.
    boolean more;
    do {
      more = purgeBatch(now);
    } while (more);
  }

  private synchronized boolean purgeBatch(long now) {
    for (int i = 0; i < CLEANUP_BATCH; i++) {
      if (byExpiry.isEmpty() || !byExpiry.first().stored.expiredAt(now)) {
        return false;
      }
      unlink(byExpiry.first(), RemovalCause.EXPIRED);
    }
    return true;
  }

  private Node liveNode(String key, long now) {
    Node node = nodes.get(key);
    if (node != null && node.stored.expiredAt(now)) {
      unlink(node, RemovalCause.EXPIRED);
      return null;
    }
    return node;
  }

  private void purgeExpired(long now) {
    while (!byExpiry.isEmpty() && byExpiry.first().stored.expiredAt(now)) {
      unlink(byExpiry.first(), RemovalCause.EXPIRED);
    }
  }

  private void unlink(Node node, RemovalCause cause) {
    nodes.remove(node.stored.key());
    policy.removed(node);
    if (node.stored.expires()) {
      byExpiry.remove(node);
    }
    listener.removed(node.stored, cause);
  }
}
