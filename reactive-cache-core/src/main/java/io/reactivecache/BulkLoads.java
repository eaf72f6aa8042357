package io.reactivecache;

import io.reactivecache.spi.CacheEntry;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * {@code getAll(keys, bulkLoader)}: what is cached is read in one backend call and goes through the engine's one
 * decision key by key; keys already loading are joined; the rest get one flight each, all fed by one call of the
 * bulk loader, so single callers of those keys share it as they share any load.
 *
 * @param <T> the value type
 */
final class BulkLoads<T> {
  private final LoadEngine<T> engine;

  BulkLoads(LoadEngine<T> engine) {
    this.engine = engine;
  }

  /**
   * Reads several keys in one backend call, joins the keys already loading, and loads the rest in one call of the
   * bulk loader; its result completes one flight per key, so single callers of those keys share it too.
   *
   * @param byStoredKey the caller's key of each stored key, in the caller's order
   * @param bulkLoader loads the values of the caller's keys it is given; keys it leaves out are empty results
   * @return the values found or loaded, by the caller's keys, in the caller's order (empty results left out)
   */
  Mono<Map<String, T>> get(Map<String, String> byStoredKey,
      Function<? super Set<String>, ? extends Mono<? extends Map<String, ? extends T>>> bulkLoader) {
    if (byStoredKey.isEmpty()) {
      return Mono.just(Map.of());
    }
    return Mono.deferContextual(context -> {
      if (engine.bypassed(byStoredKey.size())) {
        return bulkAround(byStoredKey, bulkLoader);
      }
      FlightRegistry flights = engine.flights();
      Map<String, Long> marks = new LinkedHashMap<>();
      byStoredKey.keySet().forEach(key -> marks.put(key, flights.retirementMark(key)));
      return engine.readAll(byStoredKey.keySet())
          .flatMap(found -> serveAll(byStoredKey, found, marks, bulkLoader, context));
    });
  }

  private Mono<Map<String, T>> serveAll(Map<String, String> byStoredKey, Map<String, CacheEntry<T>> found,
      Map<String, Long> marks, Function<? super Set<String>, ? extends Mono<? extends Map<String, ? extends T>>> bulk,
      ContextView context) {
    long now = engine.now();
    Map<String, Mono<Object>> results = new LinkedHashMap<>();
    Map<String, Flight> toLoad = new LinkedHashMap<>();
    for (Map.Entry<String, String> key : byStoredKey.entrySet()) {
      String stored = key.getKey();
      String callerKey = key.getValue();
      CacheEntry<T> entry = found.get(stored);
      LoadEngine.Decision decision = engine.decide(entry, now);
      Mono<T> single = Mono.defer(() -> bulk.apply(Set.of(callerKey)))
          .flatMap(values -> Mono.justOrEmpty(values.get(callerKey)));
      if (decision != LoadEngine.Decision.LOAD && decision != LoadEngine.Decision.LOAD_OR_STALE) {
        results.put(stored, engine.act(decision, stored, entry, marks.get(stored), single, Set.of(), context, null));
        continue;
      }
      if (engine.rememberedError(stored) != null || !engine.policy().preventStampede()) {
        results.put(stored, engine.load(stored, decision == LoadEngine.Decision.LOAD_OR_STALE ? entry : null, marks.get(stored),
            single, Set.of(), context, null));
        continue;
      }
      FlightRegistry.Joined joined = engine.flights().join(stored, engine.type(), engine.policy().tags());
      if (joined.created()) {
        toLoad.put(stored, joined.flight());
      } else {
        engine.countCoalesced();
      }
      Mono<Object> result = joined.flight().result();
      if (decision == LoadEngine.Decision.LOAD_OR_STALE) {
        long servableUntil = engine.staleServableUntil(entry);
        result = result.onErrorResume(error -> engine.now() < servableUntil
            ? Mono.fromSupplier(() -> {
              engine.countStaleServed();
              return LoadEngine.box(entry);
            })
            : Mono.error(error));
      }
      results.put(stored, result);
    }
    if (!toLoad.isEmpty()) {
      startBulkLoad(byStoredKey, toLoad, bulk, context);
    }
    return Flux.fromIterable(results.entrySet())
        .flatMap(result -> result.getValue().map(value -> Map.entry(result.getKey(), value)), results.size())
        .collectMap(Map.Entry::getKey, Map.Entry::getValue)
        .map(values -> {
          Map<String, T> ordered = new LinkedHashMap<>();
          byStoredKey.forEach((stored, callerKey) -> {
            Object value = values.get(stored);
            if (value != null && value != LoadEngine.ABSENT) {
              ordered.put(callerKey, engine.type().cast(value));
            }
          });
          return ordered;
        });
  }

  /** A bulk read while caching is off: the bulk loader gets every key, its values come back in the caller's order. */
  private Mono<Map<String, T>> bulkAround(Map<String, String> byStoredKey,
      Function<? super Set<String>, ? extends Mono<? extends Map<String, ? extends T>>> bulkLoader) {
    return Mono.defer(() -> bulkLoader.apply(Set.copyOf(byStoredKey.values()))).map(values -> {
      Map<String, T> ordered = new LinkedHashMap<>();
      for (String callerKey : byStoredKey.values()) {
        T value = values.get(callerKey);
        if (value != null) {
          ordered.put(callerKey, value);
        }
      }
      return ordered;
    });
  }

  /**
   * One call of the bulk loader feeds every flight this caller created; it is cancelled only when every one of
   * those flights is (each is cancelled when its last caller leaves, as for a single load).
   */
  private void startBulkLoad(Map<String, String> byStoredKey, Map<String, Flight> toLoad,
      Function<? super Set<String>, ? extends Mono<? extends Map<String, ? extends T>>> bulk, ContextView context) {
    Set<String> callerKeys = new HashSet<>();
    toLoad.keySet().forEach(stored -> callerKeys.add(byStoredKey.get(stored)));
    Flux<Map<String, ? extends T>> shared = Mono.defer(() -> bulk.apply(Set.copyOf(callerKeys)))
        .<Map<String, ? extends T>>map(values -> values)
        .flux()
        .publish()
        .refCount(toLoad.size());
    toLoad.forEach((stored, flight) -> {
      String callerKey = byStoredKey.get(stored);
      flight.start(engine, shared.next().flatMap(values -> Mono.justOrEmpty(values.get(callerKey))), context);
    });
  }
}
