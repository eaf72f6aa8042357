package io.reactivecache.internal;

import io.reactivecache.ValueType;
import io.reactivecache.spi.KeyPattern;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The loads in flight on one backend, by key and expected type, so that invalidations reach them. Internal.
 *
 * <p>Loads are keyed by type as well as key: two views reading one key with different types must never receive
 * each other's value.
 */
final class InFlightRegistry {
  private record FlightKey(String key, ValueType<?> type) {}

  private final ConcurrentHashMap<FlightKey, InFlightLoad> loads = new ConcurrentHashMap<>();
  /** Loads not shared (stampede prevention off): invalidations must reach them too. */
  private final Set<InFlightLoad> unshared = ConcurrentHashMap.newKeySet();

  /** Holds the load joined by a caller, and whether this caller created it (and so must start it). */
  record Joined(InFlightLoad load, boolean created) {}

  /** Joins the load of {@code key}, creating it if none runs (or the one found was just cancelled). */
  Joined join(String key, ValueType<?> type, Set<String> tags) {
    FlightKey id = new FlightKey(key, type);
    for (;;) {
      InFlightLoad[] created = new InFlightLoad[1];
      InFlightLoad load = loads.computeIfAbsent(id, k -> created[0] = new InFlightLoad(key, tags));
      if (load.tryJoin()) {
        return new Joined(load, load == created[0]);
      }
      loads.remove(id, load);
    }
  }

  /** Tells whether a load of the key is running (for the single background refresh). */
  boolean isLoading(String key, ValueType<?> type) {
    InFlightLoad load = loads.get(new FlightKey(key, type));
    return load != null && !load.isDone();
  }

  void remove(String key, ValueType<?> type, InFlightLoad load) {
    loads.remove(new FlightKey(key, type), load);
  }

  /** Registers a load that is not shared, so invalidations reach it. */
  InFlightLoad startUnshared(String key, Set<String> tags) {
    InFlightLoad load = new InFlightLoad(key, tags);
    load.tryJoin();
    unshared.add(load);
    return load;
  }

  void removeUnshared(InFlightLoad load) {
    unshared.remove(load);
  }

  /** Marks loads of one key: their results are delivered but not stored. */
  void invalidateKey(String key) {
    invalidateWhere(load -> load.key.equals(key));
  }

  void invalidatePattern(KeyPattern pattern) {
    invalidateWhere(load -> pattern.matches(load.key));
  }

  void invalidateTag(String tag) {
    invalidateWhere(load -> load.tags.contains(tag));
  }

  void invalidateAll() {
    invalidateWhere(load -> true);
  }

  private void invalidateWhere(Predicate<InFlightLoad> which) {
    // Few loads are ever in flight at once, so a scan is cheaper than an index kept on every load.
    for (InFlightLoad load : loads.values()) {
      if (which.test(load)) {
        load.invalidate();
      }
    }
    for (InFlightLoad load : unshared) {
      if (which.test(load)) {
        load.invalidate();
      }
    }
  }
}
