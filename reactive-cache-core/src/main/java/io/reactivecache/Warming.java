package io.reactivecache;

import io.reactivecache.spi.CacheEntry;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Cache warming for one view: loads a stream of keys ahead of traffic through the view's engine, so a warming load
 * and a caller of the same key share one load, and a write or invalidation during a warming load wins as it does
 * for any load. At most {@code concurrency} keys are worked on at once, and the key source is requested only as
 * they finish (its back-pressure is respected). Each warmed entry's TTL is shortened by a random share up to the
 * spread, so entries warmed together do not expire together.
 *
 * @param <T> the value type
 */
final class Warming<T> {
  private final LoadEngine<T> engine;
  private final String prefix;
  private final int concurrency;

  /**
   * Prepares warming.
   *
   * @param view the view's engine
   * @param prefix the view's key prefix
   * @param concurrency the most keys worked on at once, at least 1
   * @param ttlSpread the largest share of a TTL cut at random (0 to 1); the policy's jitter when that is larger
   */
  Warming(LoadEngine<T> view, String prefix, int concurrency, double ttlSpread) {
    if (concurrency < 1) {
      throw CacheConfigurationException.invalid("concurrency", concurrency, "at least 1 load at once");
    }
    if (!(ttlSpread >= 0.0 && ttlSpread <= 1.0)) {
      throw CacheConfigurationException.invalid("ttlSpread", ttlSpread, "a fraction from 0 to 1");
    }
    CachePolicy policy = view.policy();
    this.engine = ttlSpread <= policy.ttlJitter() ? view
        : view.withPolicy(policy.toBuilder().ttlJitter(ttlSpread).build());
    this.prefix = prefix;
    this.concurrency = concurrency;
  }

  Mono<WarmupResult> run(Flux<String> keys, Function<String, Mono<T>> loader) {
    return Mono.defer(() -> {
      Counts counts = new Counts();
      // flatMap keeps at most `concurrency` keys in work and requests a new key from the source as one finishes.
      return keys.flatMap(key -> warm(key, loader, counts), concurrency, 1)
          .then(Mono.fromSupplier(counts::result));
    });
  }

  /** Warms one key; a failure is counted and does not stop the others. A backend gone stops warming. */
  private Mono<Void> warm(String key, Function<String, Mono<T>> loader, Counts counts) {
    return Mono.defer(() -> {
      if (!engine.caching()) {
        counts.skipped.increment();
        return Mono.<Void>empty();
      }
      return load(key, loader, counts).onErrorResume(error -> {
        counts.failed.increment();
        return Mono.empty();
      });
    });
  }

  /** Loads a key unless it is cached and fresh, through the engine: a load of it in flight is joined. */
  private Mono<Void> load(String key, Function<String, Mono<T>> loader, Counts counts) {
    return Mono.deferContextual(context -> {
      KeyRules.checkPart(prefix, key);
      String stored = prefix.concat(key);
      long mark = engine.flights().retirementMark(stored);
      return engine.readEntry(stored).map(this::isFresh).defaultIfEmpty(false).flatMap(fresh -> {
        if (fresh) {
          counts.skipped.increment();
          return Mono.<Void>empty();
        }
        Mono<T> load = Mono.defer(() -> loader.apply(key));
        return engine.act(LoadEngine.Decision.LOAD, stored, null, mark, load, Set.of(), context, null)
            .doOnSuccess(value -> counts.loaded.increment())
            .then();
      });
    });
  }

  private boolean isFresh(CacheEntry<T> entry) {
    return engine.now() < entry.freshUntil();
  }

  /** What warming has done so far. */
  private static final class Counts {
    final LongAdder loaded = new LongAdder();
    final LongAdder skipped = new LongAdder();
    final LongAdder failed = new LongAdder();

    WarmupResult result() {
      return new WarmupResult(loaded.sum(), skipped.sum(), failed.sum());
    }
  }
}
