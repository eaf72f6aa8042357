package io.reactivecache.memory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * An exact LRU or LFU store: a hash map, the policy's intrusive lists and an expiry-ordered set, all guarded by this
 * object's monitor. The sum of the holders' weights never exceeds the bound: a write evicts in the policy's order
 * (expired entries first) until it fits.
 *
 * <p>A monitor rather than a {@code ReentrantLock}: a contended monitor is not reported by BlockHound, and the
 * critical sections are a few pointer moves (O(1)) plus an O(log n) expiry-set update for entries that expire.
 * Exactness is the point of these strategies (a replayed trace gives textbook hit ratios), which rules out the
 * sampled or buffered bookkeeping that lock-free caches use.
 */
final class LockedStore implements EntryStore {
  private static final Comparator<Node> BY_EXPIRY =
      Comparator.<Node>comparingLong(n -> n.stored.entry().expiresAt()).thenComparingLong(n -> n.seq);

  /** Removals per hold of the monitor in cleanups and shrinks, so that readers are never stalled for long. */
  private static final int BATCH = 1_024;

  private final EvictionPolicy policy;
  private final StoreListener listener;
  private final HashMap<String, Node> nodes = new HashMap<>();
  private final TreeSet<Node> byExpiry = new TreeSet<>(BY_EXPIRY);
  /** The bound every write respects; during a shrink it follows the weight held down to the target. */
  private long maximum;
  /** The bound the latest {@link #resize} asked for. */
  private long target;
  private long weight;
  private long nextSeq;

  private LockedStore(long maximum, EvictionPolicy policy, StoreListener listener) {
    this.maximum = maximum;
    this.target = maximum;
    this.policy = policy;
    this.listener = listener;
  }

  /**
   * Creates an exact least-recently-used store.
   *
   * @param maximum the bound on the weight held, at least 1
   * @param listener hears every change
   * @return the store
   */
  static LockedStore lru(long maximum, StoreListener listener) {
    return new LockedStore(maximum, new LruPolicy(), listener);
  }

  /**
   * Creates an exact least-frequently-used store (ties to the least recently used).
   *
   * @param maximum the bound on the weight held, at least 1
   * @param listener hears every change
   * @return the store
   */
  static LockedStore lfu(long maximum, StoreListener listener) {
    return new LockedStore(maximum, new LfuPolicy(), listener);
  }

  @Override
  public synchronized @Nullable Stored get(Object key, long now) {
    Node node = liveNode(key, now);
    if (node == null) {
      return null;
    }
    policy.accessed(node);
    return node.stored;
  }

  @Override
  public synchronized @Nullable Stored peek(String key, long now) {
    Node node = liveNode(key, now);
    return node == null ? null : node.stored;
  }

  @Override
  public synchronized boolean put(Stored stored, long now) {
    if (stored.weight() > maximum) {
      return false;
    }
    Node node = liveNode(stored.key(), now);
    if (node != null) {
      Stored old = node.stored;
      if (old.expires()) {
        byExpiry.remove(node);
      }
      listener.removed(old, RemovalCause.REPLACED);
      weight -= old.weight();
      node.stored = stored;
      policy.accessed(node);
      if (stored.expires()) {
        byExpiry.add(node);
      }
      // The written node is spared: the write is what needs the room (as for a newcomer, below).
      makeRoom(stored.weight(), node, now);
    } else {
      // Evict before admitting, as textbook LFU does: admitting first would let a newcomer (count 1, the lowest)
      // be its own victim whenever every other entry has been read.
      makeRoom(stored.weight(), null, now);
      node = new Node(stored, nextSeq++);
      nodes.put(stored.key(), node);
      policy.admitted(node);
      if (stored.expires()) {
        byExpiry.add(node);
      }
    }
    weight += stored.weight();
    listener.added(stored);
    return true;
  }

  @Override
  public synchronized @Nullable Stored remove(String key, long now) {
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
    weight = 0;
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
  public synchronized long weight() {
    return weight;
  }

  @Override
  public synchronized long maximum() {
    return target;
  }

  @Override
  public void resize(long newMaximum, long now) {
    // A shrink evicts in batches, releasing the monitor between them like the cleanup, and lowers the bound as it
    // goes: writes meanwhile respect the weight already reached, so none of them has to evict a huge batch itself.
    if (startResize(newMaximum)) {
      while (shrinkBatch(newMaximum, now)) {
        // next batch
      }
    }
  }

  private synchronized boolean startResize(long newMaximum) {
    target = newMaximum;
    if (weight <= newMaximum) {
      maximum = newMaximum;
      return false;
    }
    return true;
  }

  private synchronized boolean shrinkBatch(long goal, long now) {
    if (target != goal) {
      return false; // a later resize took over
    }
    for (int i = 0; i < BATCH && weight > goal; i++) {
      Node expired = byExpiry.isEmpty() ? null : byExpiry.first();
      if (expired != null && expired.stored.expiredAt(now)) {
        unlink(expired, RemovalCause.EXPIRED);
      } else {
        unlink(policy.victim(null), RemovalCause.SIZE);
      }
    }
    maximum = Math.max(goal, weight);
    return weight > goal;
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
    for (int i = 0; i < BATCH; i++) {
      if (byExpiry.isEmpty() || !byExpiry.first().stored.expiredAt(now)) {
        return false;
      }
      unlink(byExpiry.first(), RemovalCause.EXPIRED);
    }
    return true;
  }

  private @Nullable Node liveNode(Object key, long now) {
    Node node = nodes.get(key);
    if (node != null && node.stored.expiredAt(now)) {
      unlink(node, RemovalCause.EXPIRED);
      return null;
    }
    return node;
  }

  /** Evicts until {@code needed} more fits under the bound, never {@code spared}; expired entries go first. */
  private void makeRoom(long needed, @Nullable Node spared, long now) {
    // needed <= maximum (checked by put), so the subtraction cannot overflow.
    if (weight > maximum - needed) {
      // Evicting a live entry while dead ones hold room would lower the hit ratio.
      while (!byExpiry.isEmpty() && byExpiry.first().stored.expiredAt(now)) {
        unlink(byExpiry.first(), RemovalCause.EXPIRED);
      }
    }
    while (weight > maximum - needed) {
      // weight counts only the other nodes here, and is positive, so a victim exists.
      unlink(policy.victim(spared), RemovalCause.SIZE);
    }
  }

  private void unlink(Node node, RemovalCause cause) {
    nodes.remove(node.stored.key());
    policy.removed(node);
    if (node.stored.expires()) {
      byExpiry.remove(node);
    }
    weight -= node.stored.weight();
    listener.removed(node.stored, cause);
  }
}
