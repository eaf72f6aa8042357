package io.reactivecache;

import reactor.core.publisher.Mono;

/** Wraps each load, for observability (a Micrometer Observation around it); {@link #NONE} leaves it alone. */
interface LoadObserver {
  LoadObserver NONE = (load, backend, key) -> load;

  /**
   * Wraps a load.
   *
   * @param load the load, subscribed once
   * @param backend the backend's name
   * @param key the key being loaded, as stored
   * @return the load, observed
   */
  Mono<Object> observe(Mono<Object> load, String backend, String key);
}
