package io.reactivecache;

import io.reactivecache.spi.CacheEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * The {@code cachedFlux} operation: a sequence cached as one list entry, read through the same decisions as
 * {@code cachedMono}.
 *
 * <p>A miss streams: the caller that starts the load gets the elements as the source emits them, with the source's
 * own back-pressure, while they are collected for storing. Callers that miss meanwhile join that load and get the
 * whole list once it completes. Past {@code maxElements} nothing more is collected or stored: the starting caller
 * streams on, and the callers that joined start loads of their own (as they do when the starting caller leaves). So
 * an endless or huge source never sits in memory, and no caller waits for elements it cannot get. A background
 * refresh collects at most {@code maxElements + 1} elements and stores only a list within the bound.
 *
 * @param <E> the element type
 */
final class FluxLoads<E> {
  private final LoadEngine<List<E>> engine;
  private final int maxElements;

  FluxLoads(LoadEngine<List<E>> engine) {
    this.engine = engine;
    this.maxElements = engine.policy().maxElements();
  }

  Flux<E> get(String key, Flux<E> loader, Set<String> tags) {
    Mono<List<E>> collected = loader.take(maxElements + 1L).collectList();
    return Flux.deferContextual(context -> {
      long mark = engine.flights().retirementMark(key);
      return engine.readEntry(key)
          .map(Optional::of)
          .defaultIfEmpty(Optional.empty())
          .flatMapMany(found -> serve(key, found.orElse(null), mark, loader, collected, tags, context));
    });
  }

  private Flux<E> serve(String key, @Nullable CacheEntry<List<E>> entry, long mark, Flux<E> loader,
      Mono<List<E>> collected, Set<String> tags, ContextView context) {
    LoadEngine.Decision decision = engine.decide(entry, engine.now());
    if (decision != LoadEngine.Decision.LOAD && decision != LoadEngine.Decision.LOAD_OR_STALE) {
      return engine.act(decision, key, entry, mark, collected, tags, context, null).flatMapIterable(this::elements);
    }
    return stream(key, decision == LoadEngine.Decision.LOAD_OR_STALE ? entry : null, loader, tags);
  }

  private Flux<E> stream(String key, @Nullable CacheEntry<List<E>> stale, Flux<E> loader, Set<String> tags) {
    Throwable remembered = engine.rememberedError(key);
    Flux<E> result;
    if (remembered != null) {
      result = Flux.error(remembered);
    } else if (!engine.policy().preventStampede()) {
      result = drive(engine.flights().startUnshared(key, engine.type(), engine.allTags(tags)), loader);
    } else {
      FlightRegistry.Joined joined = engine.flights().join(key, engine.type(), engine.allTags(tags));
      if (joined.created()) {
        result = drive(joined.flight(), loader);
      } else {
        engine.countCoalesced();
        result = joined.flight().result().flatMapMany(value -> value == Flight.NOT_SHARED
            ? stream(key, stale, loader, tags) : Flux.fromIterable(elements(value)));
      }
    }
    if (stale == null) {
      return result;
    }
    long servableUntil = engine.staleServableUntil(stale);
    boolean[] emitted = {false};
    return result.doOnNext(element -> emitted[0] = true).onErrorResume(error -> {
      if (emitted[0] || engine.now() >= servableUntil) {
        return Flux.error(error);
      }
      engine.countStaleServed();
      return Flux.fromIterable(stale.value());
    });
  }

  /** The starting caller's stream: elements pass straight through, and are collected while within the bound. */
  private Flux<E> drive(Flight flight, Flux<E> loader) {
    return Flux.defer(() -> {
      flight.begin(engine);
      Collected<E> collected = new Collected<>();
      return loader
          .doOnNext(element -> {
            List<E> buffer = collected.elements;
            if (buffer == null) {
              return;
            }
            if (buffer.size() < maxElements) {
              buffer.add(element);
            } else {
              // Too long to share or store: let go of what was collected, and of the callers that joined.
              collected.elements = null;
              flight.abandon();
            }
          })
          .doOnComplete(() -> {
            if (collected.elements != null) {
              flight.loaded(List.copyOf(collected.elements));
            }
          })
          .doOnError(error -> {
            if (collected.elements != null) {
              flight.failed(error);
            }
          })
          .doOnCancel(() -> {
            if (collected.elements != null) {
              collected.elements = null;
              flight.abandon();
            }
          });
    });
  }

  /** What the starting caller has collected so far; null once the stream outgrew the bound or was left. */
  private static final class Collected<E> {
    @Nullable List<E> elements = new ArrayList<>();
  }

  @SuppressWarnings("unchecked")
  private List<E> elements(Object value) {
    return value == LoadEngine.ABSENT ? List.of() : (List<E>) value;
  }
}
