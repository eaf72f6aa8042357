package io.reactivecache;

import io.reactivecache.spi.CacheEvent;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * Multicasts the invalidation events of one backend to whoever listens, best effort: each subscriber has a bounded
 * buffer ({@value #BUFFER} events) that drops its oldest events when the subscriber does not keep up, so a slow
 * listener loses events and never slows the cache. With no subscriber, publishing costs one emptiness check.
 */
final class EventPublisher {
  static final int BUFFER = 1_024;

  private final Set<FluxSink<CacheEvent>> sinks = ConcurrentHashMap.newKeySet();

  Flux<CacheEvent> flux() {
    return Flux.<CacheEvent>create(sink -> {
      sinks.add(sink);
      sink.onDispose(() -> sinks.remove(sink));
    }).onBackpressureBuffer(BUFFER, dropped -> {}, BufferOverflowStrategy.DROP_OLDEST);
  }

  void publish(CacheEvent.Type type, CacheEvent.Cause cause, String target) {
    if (sinks.isEmpty()) {
      return;
    }
    CacheEvent event = new CacheEvent(type, cause, target);
    for (FluxSink<CacheEvent> sink : sinks) {
      sink.next(event);
    }
  }

  void complete() {
    sinks.forEach(FluxSink::complete);
  }
}
