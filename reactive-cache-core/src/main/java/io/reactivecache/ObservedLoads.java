package io.reactivecache;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

/**
 * Wraps each load in a Micrometer {@link Observation} named {@value #NAME}. Loaded only when a manager is given an
 * {@link ObservationRegistry}, so core runs without Micrometer otherwise.
 */
final class ObservedLoads implements LoadObserver {
  static final String NAME = "cache.load";

  private final ObservationRegistry registry;

  private ObservedLoads(ObservationRegistry registry) {
    this.registry = registry;
  }

  static LoadObserver of(Object registry) {
    return new ObservedLoads((ObservationRegistry) registry);
  }

  @Override
  public Mono<Object> observe(Mono<Object> load, String backend, String key) {
    return Mono.deferContextual(context -> {
      Observation parent = context.getOrDefault(ObservationThreadLocalAccessor.KEY, null);
      Observation observation = Observation.createNotStarted(NAME, registry)
          .contextualName("cache load")
          .lowCardinalityKeyValue("cache", backend)
          .parentObservation(parent)
          .start();
      return load
          .doOnError(observation::error)
          .doFinally(signal -> observation
              .lowCardinalityKeyValue("outcome", signal == SignalType.CANCEL ? "cancelled"
                  : signal == SignalType.ON_ERROR ? "failure" : "success")
              .stop())
          .contextWrite(inner -> inner.put(ObservationThreadLocalAccessor.KEY, observation));
    });
  }
}
