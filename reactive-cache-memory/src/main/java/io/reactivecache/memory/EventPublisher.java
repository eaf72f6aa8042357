package io.reactivecache.memory;

import io.reactivecache.CacheBackendException;
import io.reactivecache.spi.CacheEvent;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.scheduler.Scheduler;

/**
 * The backend's own evictions and expiries as a hot {@link Flux} of {@link CacheEvent}s, bounded and best effort.
 *
 * <p>Events are published from inside the store's critical sections, so publishing must be cheap and must never
 * run a subscriber's code there. Each subscriber gets its own chain: a {@link FluxSink} in
 * {@link FluxSink.OverflowStrategy#DROP DROP} mode (concurrent publishers are serialised without locking, and an
 * event nobody asked for is dropped, not queued) feeding {@code publishOn} with a queue of {@link #BUFFER} events,
 * which hands them to the subscriber on the backend's clock scheduler. A subscriber that does not keep up thus
 * loses the newest events once its queue is full; the backend never waits for it, and a slow subscriber costs the
 * others nothing.
 *
 * <p>With no subscriber, {@link #publish} reads one volatile field and returns: no event is allocated. The subscriber
 * list is replaced whole on (rare) subscribe and cancel, so publishing never locks.
 */
final class EventPublisher {
  /** Events held for a subscriber that has not asked for them yet; more are dropped. */
  static final int BUFFER = 256;

  private final String backend;
  private final Scheduler deliverOn;
  /** Immutable, replaced under this object's monitor; read without locking by {@link #publish}. */
  private volatile List<FluxSink<CacheEvent>> sinks = List.of();
  private boolean closed;

  EventPublisher(String backend, Scheduler deliverOn) {
    this.backend = backend;
    this.deliverOn = deliverOn;
  }

  Flux<CacheEvent> flux() {
    return Flux.<CacheEvent>create(sink -> {
      if (!add(sink)) {
        sink.error(new CacheBackendException(backend,
            "the backend is closed; build a new MemoryCacheBackend to observe its events"));
        return;
      }
      sink.onDispose(() -> remove(sink));
    }, FluxSink.OverflowStrategy.DROP).publishOn(deliverOn, BUFFER);
  }

  /** Publishes what the store did by itself to an entry: {@link RemovalCause#SIZE} or {@link RemovalCause#EXPIRED}. */
  void publish(RemovalCause cause, String key) {
    List<FluxSink<CacheEvent>> current = sinks;
    if (current.isEmpty()) {
      return;
    }
    CacheEvent event = cause == RemovalCause.SIZE
        ? new CacheEvent(CacheEvent.Type.EVICTED, CacheEvent.Cause.SIZE, key)
        : new CacheEvent(CacheEvent.Type.EXPIRED, CacheEvent.Cause.TTL, key);
    for (int i = 0; i < current.size(); i++) {
      current.get(i).next(event);
    }
  }

  /** Completes every subscriber; later subscribers get an error. */
  void close() {
    List<FluxSink<CacheEvent>> current;
    synchronized (this) {
      closed = true;
      current = sinks;
      sinks = List.of();
    }
    for (FluxSink<CacheEvent> sink : current) {
      sink.complete();
    }
  }

  private synchronized boolean add(FluxSink<CacheEvent> sink) {
    if (closed) {
      return false;
    }
    List<FluxSink<CacheEvent>> grown = new ArrayList<>(sinks);
    grown.add(sink);
    sinks = List.copyOf(grown);
    return true;
  }

  private synchronized void remove(FluxSink<CacheEvent> sink) {
    List<FluxSink<CacheEvent>> shrunk = new ArrayList<>(sinks);
    shrunk.remove(sink);
    sinks = List.copyOf(shrunk);
  }
}
