package io.reactivecache;

import io.reactivecache.spi.Invalidation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * The {@link Flight flights} of one backend, by key and value type: the only way to start, join, find or invalidate
 * a load. Two views reading one key with different types never share a flight, so they never receive each other's
 * value.
 *
 * <p>Retirements are counted per stripe of keys. A caller that read the backend, missed, and then finds no flight
 * to join may have missed by a hair: a flight could have stored the value and retired in between. It compares the
 * stripe's count with the one it noted before reading; only if it changed does the new flight read the backend once
 * more before loading ({@link #retiredSince}). Striping keeps that extra read off nearly every miss under load.
 */
final class FlightRegistry {
  /** A flight's identity: the key as stored, and the type its callers expect. */
  record Id(String key, ValueType<?> type) {}

  /** The flight joined by a caller, and whether this caller created it (and so must start it). */
  record Joined(Flight flight, boolean created) {}

  private static final int STRIPES = 256;

  private final ConcurrentHashMap<Id, Flight> flights = new ConcurrentHashMap<>();
  /** Loads not shared (stampede prevention off): invalidations must reach them too. */
  private final Set<Flight> unshared = ConcurrentHashMap.newKeySet();
  private final AtomicLongArray retirements = new AtomicLongArray(STRIPES);

  /**
   * Joins the flight of a key, creating it if none runs, if the one found was just cancelled, or if it was
   * invalidated (a caller arriving after a write or delete must not get a value loaded before it). A replaced flight
   * runs on for its own callers; its retirement removes only itself.
   */
  Joined join(String key, ValueType<?> type, Set<String> tags) {
    Id id = new Id(key, type);
    for (;;) {
      Flight[] created = new Flight[1];
      Flight flight = flights.compute(id, (k, running) ->
          running == null || running.isInvalidated() ? created[0] = new Flight(this, id, tags) : running);
      if (flight.tryJoin()) {
        return new Joined(flight, flight == created[0]);
      }
      flights.remove(id, flight);
    }
  }

  /** Starts a flight nobody else may join (stampede prevention off), still reached by invalidations. */
  Flight startUnshared(String key, ValueType<?> type, Set<String> tags) {
    Flight flight = new Flight(this, new Id(key, type), tags);
    flight.tryJoin();
    unshared.add(flight);
    return flight;
  }

  /** Tells whether a load of the key is running (a background refresh starts only if none is). */
  boolean isLoading(String key, ValueType<?> type) {
    if (flights.isEmpty()) {
      return false;
    }
    Flight flight = flights.get(new Id(key, type));
    return flight != null && !flight.isFinished();
  }

  /**
   * Returns the value a finished flight of the key is still storing, for read-your-writes.
   *
   * @return the value (or {@link LoadEngine#ABSENT}), or null
   */
  @Nullable Object valueBeingStored(String key, ValueType<?> type) {
    if (flights.isEmpty()) {
      return null;
    }
    Flight flight = flights.get(new Id(key, type));
    return flight == null ? null : flight.valueBeingStored();
  }

  /** Tells whether no flight is registered: after every load has retired, nothing may be left behind. */
  boolean isEmpty() {
    return flights.isEmpty() && unshared.isEmpty();
  }

  /** Notes the retirements of the key's stripe, before a read of the backend. */
  long retirementMark(String key) {
    return retirements.get(stripe(key.hashCode()));
  }

  /** As {@link #retirementMark(String)} for the key {@code prefix + key}, without joining them. */
  long retirementMark(String prefix, String key) {
    return retirements.get(stripe(KeyRules.hash(prefix, key)));
  }

  /** Tells whether a flight of the key's stripe retired since {@code mark} was noted. */
  boolean retiredSince(String key, long mark) {
    return retirements.get(stripe(key.hashCode())) != mark;
  }

  void retire(Flight flight) {
    if (unshared.remove(flight)) {
      return;
    }
    if (flights.remove(flight.id, flight)) {
      retirements.incrementAndGet(stripe(flight.id.key().hashCode()));
    }
  }

  /**
   * Invalidates the flights an invalidation covers: their results are delivered but not stored.
   *
   * @param invalidation what was invalidated
   * @param fromOutside true if another process made it
   * @return completes once stores already under way have landed, so a local write lands after them
   */
  Mono<Void> invalidate(Invalidation invalidation, boolean fromOutside) {
    if (flights.isEmpty() && unshared.isEmpty()) {
      return Mono.empty();
    }
    return invalidateWhere(flight -> invalidation.covers(flight.key(), flight.tags), fromOutside);
  }

  private Mono<Void> invalidateWhere(Predicate<Flight> covered, boolean fromOutside) {
    // Few loads are ever in flight at once, so a scan is cheaper than an index kept up on every load.
    List<Mono<Void>> storesUnderWay = new ArrayList<>();
    for (Flight flight : flights.values()) {
      if (covered.test(flight)) {
        storesUnderWay.add(flight.invalidate(fromOutside));
      }
    }
    for (Flight flight : unshared) {
      if (covered.test(flight)) {
        storesUnderWay.add(flight.invalidate(fromOutside));
      }
    }
    return Mono.when(storesUnderWay);
  }

  private static int stripe(int hash) {
    return (hash ^ (hash >>> 16)) & (STRIPES - 1);
  }
}
