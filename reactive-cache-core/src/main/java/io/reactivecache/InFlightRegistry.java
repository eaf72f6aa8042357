package io.reactivecache;

import io.reactivecache.spi.KeyPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import reactor.core.publisher.Mono;

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
  /** Counts loads that left the registry: a caller that saw it change since its read may have missed a store. */
  private final AtomicLong retirements = new AtomicLong();

  /** Holds the load joined by a caller, and whether this caller created it (and so must start it). */
  record Joined(InFlightLoad load, boolean created) {}

  /**
   * Joins the load of {@code key}, creating it if none runs, if the one found was just cancelled, or if it was
   * invalidated (a caller arriving after a write or delete must not get a value loaded before it). A replaced load
   * runs on for its own callers; its retirement removes only itself.
   */
  Joined join(String key, ValueType<?> type, Set<String> tags) {
    FlightKey id = new FlightKey(key, type);
    for (;;) {
      InFlightLoad[] created = new InFlightLoad[1];
      InFlightLoad load = loads.compute(id, (k, running) ->
          running == null || running.isInvalidated() ? created[0] = new InFlightLoad(key, tags) : running);
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
    if (loads.remove(new FlightKey(key, type), load)) {
      retirements.incrementAndGet();
    }
  }

  /** The number of shared loads retired so far. */
  long retirements() {
    return retirements.get();
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

  /**
   * Marks loads of one key: their results are delivered but not stored.
   *
   * @return completes once stores already under way have landed, so the caller's own write lands after them
   */
  Mono<Void> invalidateKey(String key) {
    return invalidateWhere(load -> load.key.equals(key));
  }

  Mono<Void> invalidatePattern(KeyPattern pattern) {
    return invalidateWhere(load -> pattern.matches(load.key));
  }

  Mono<Void> invalidateTag(String tag) {
    return invalidateWhere(load -> load.tags.contains(tag));
  }

  Mono<Void> invalidateAll() {
    return invalidateWhere(load -> true);
  }

  private Mono<Void> invalidateWhere(Predicate<InFlightLoad> which) {
    if (loads.isEmpty() && unshared.isEmpty()) {
      return Mono.empty();
    }
    // Few loads are ever in flight at once, so a scan is cheaper than an index kept on every load.
    List<Mono<Void>> storesUnderWay = new ArrayList<>();
    for (InFlightLoad load : loads.values()) {
      if (which.test(load)) {
        storesUnderWay.add(load.invalidate());
      }
    }
    for (InFlightLoad load : unshared) {
      if (which.test(load)) {
        storesUnderWay.add(load.invalidate());
      }
    }
    return Mono.when(storesUnderWay);
  }
}
