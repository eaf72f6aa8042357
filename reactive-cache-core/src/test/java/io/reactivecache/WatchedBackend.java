package io.reactivecache;

import io.reactivecache.spi.CacheEntry;
import io.reactivecache.testing.MapCacheBackend;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * A map backend for runtime-control tests: it counts writes that arrive while a test says none may ({@link
 * #forbidWrites}), can hold writes until released (a store under way), and has a resize-like method of its own
 * (first in, first out down to the bound), reached through {@link CacheOperations#unwrap}.
 */
final class WatchedBackend extends MapCacheBackend {
  private final AtomicBoolean writesForbidden = new AtomicBoolean();
  private final AtomicInteger forbiddenWrites = new AtomicInteger();
  private final AtomicReference<Sinks.Empty<Void>> gate = new AtomicReference<>();
  private final AtomicInteger heldWrites = new AtomicInteger();
  private final AtomicLong maximum = new AtomicLong(Long.MAX_VALUE);
  private final Queue<String> order = new ConcurrentLinkedQueue<>();

  WatchedBackend(String name, Scheduler clock, boolean synchronousReads) {
    super(name, clock, (Duration) null, synchronousReads);
  }

  /** From now on, every write is counted as a violation ({@code true}), or allowed again. */
  void forbidWrites(boolean forbidden) {
    writesForbidden.set(forbidden);
  }

  int forbiddenWrites() {
    return forbiddenWrites.get();
  }

  /** Holds every write until {@link #releaseWrites()}. */
  void holdWrites() {
    gate.set(Sinks.empty());
  }

  void releaseWrites() {
    Sinks.Empty<Void> held = gate.getAndSet(null);
    if (held != null) {
      held.tryEmitEmpty();
    }
  }

  int heldWrites() {
    return heldWrites.get();
  }

  /** The resize-like method a test reaches through {@code unwrap}: keeps at most {@code entries}, oldest out. */
  Mono<Void> resize(long entries) {
    return Mono.fromRunnable(() -> {
      maximum.set(entries);
      evict();
    });
  }

  long maximum() {
    return maximum.get();
  }

  @Override
  public Mono<Void> put(String key, CacheEntry<?> entry) {
    Mono<Void> write = Mono.defer(() -> {
      if (writesForbidden.get()) {
        forbiddenWrites.incrementAndGet();
      }
      order.add(key);
      return super.put(key, entry).doOnSuccess(done -> evict());
    });
    Sinks.Empty<Void> held = gate.get();
    if (held == null) {
      return write;
    }
    heldWrites.incrementAndGet();
    return held.asMono().then(write);
  }

  private void evict() {
    while (rawSize() > maximum.get()) {
      String oldest = order.poll();
      if (oldest == null) {
        return;
      }
      super.delete(oldest).subscribe();
    }
  }
}
