package io.reactivecache.spring.boot;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Mono;

/**
 * Orders the writes of one cache name (put, evict, clear) before the reads that come after them in this process.
 * Internal.
 *
 * <p>Spring's {@code Cache.put/evict/clear} return nothing, so a write to Redis is still on its way when the
 * annotated method's result reaches the caller; the caller's next request could then read the old value. Each
 * write is started at once (never blocking) and registered here until it completes; a read of the same key, or of
 * any key while a clear runs, waits for it reactively. Writes to one key run in the order they were issued.
 * Failed writes are dropped here (the backend counts them): a write cannot fail a read.
 */
final class PendingWrites {
  private final ConcurrentMap<String, Mono<Void>> byKey = new ConcurrentHashMap<>();
  private final AtomicReference<Mono<Void>> clearing = new AtomicReference<>();

  /**
   * Starts a write of one key, after the writes of that key (and any clear) still in flight.
   *
   * @param key the stored key
   * @param write the write
   */
  void write(String key, Mono<?> write) {
    Mono<Void> pending = byKey.compute(key, (k, previous) -> after(previous, clearing.get(), write));
    pending.doFinally(signal -> byKey.remove(key, pending)).subscribe();
  }

  /**
   * Starts a clear, after any clear still in flight.
   *
   * @param clear the clear
   */
  void clear(Mono<?> clear) {
    Mono<Void> pending = clearing.updateAndGet(previous -> after(previous, null, clear));
    pending.doFinally(signal -> clearing.compareAndSet(pending, null)).subscribe();
  }

  /**
   * Returns a read that starts once the writes it must see have completed.
   *
   * @param key the stored key
   * @param read the read
   * @param <T> the value type
   * @return the read, deferred if needed
   */
  <T> Mono<T> read(String key, Mono<T> read) {
    Mono<Void> ofKey = byKey.get(key);
    Mono<Void> clear = clearing.get();
    if (ofKey == null && clear == null) {
      return read;
    }
    return Mono.when(orEmpty(ofKey), orEmpty(clear)).then(read);
  }

  private static Mono<Void> after(Mono<Void> first, Mono<Void> second, Mono<?> write) {
    // cache(): readers and the next write subscribe to the same run of this write, never to a second one.
    return orEmpty(first).then(orEmpty(second)).then(write.then().onErrorResume(error -> Mono.empty())).cache();
  }

  private static Mono<Void> orEmpty(Mono<Void> pending) {
    return pending == null ? Mono.empty() : pending;
  }
}
