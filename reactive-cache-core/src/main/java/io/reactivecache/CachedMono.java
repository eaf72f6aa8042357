package io.reactivecache;

import java.util.Set;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;

/**
 * The {@code cachedMono} operator: at each subscription it asks its {@link LoadEngine}. A dedicated {@code Mono}
 * rather than a chain of operators, so that a fresh hit costs this one object and a scalar subscription.
 *
 * @param <T> the value type
 */
final class CachedMono<T> extends Mono<T> {
  private final LoadEngine<T> engine;
  private final String key;
  private final Mono<T> loader;
  private final Set<String> tags;

  private CachedMono(LoadEngine<T> engine, String key, Mono<T> loader, Set<String> tags) {
    this.engine = engine;
    this.key = key;
    this.loader = loader;
    this.tags = tags;
  }

  static <T> Mono<T> of(LoadEngine<T> engine, String key, Mono<T> loader, Set<String> tags) {
    return onAssembly(new CachedMono<>(engine, key, loader, tags));
  }

  @Override
  public void subscribe(CoreSubscriber<? super T> actual) {
    engine.subscribe(actual, key, loader, tags);
  }
}
