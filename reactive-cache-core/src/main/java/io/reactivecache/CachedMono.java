package io.reactivecache;

import java.time.Duration;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;

/**
 * The {@code cachedMono} operator, and a plain read when it has no loader: at each subscription it asks its
 * {@link LoadEngine}. A dedicated {@code Mono} rather than a chain of operators, so that a fresh hit costs this one
 * object and a scalar subscription. The key stays in its two parts (a view's prefix, the caller's key) until a miss
 * needs them joined.
 *
 * @param <T> the value type
 */
final class CachedMono<T> extends Mono<T> {
  private final LoadEngine<T> engine;
  private final String prefix;
  private final String key;
  private final @Nullable Mono<T> loader;
  private final Set<String> tags;

  private CachedMono(LoadEngine<T> engine, String prefix, String key, @Nullable Mono<T> loader, Set<String> tags) {
    this.engine = engine;
    this.prefix = prefix;
    this.key = key;
    this.loader = loader;
    this.tags = tags;
  }

  /** The {@code cachedMono} of {@code prefix + key}, loading with {@code loader} on a miss. */
  static <T> Mono<T> of(LoadEngine<T> engine, String prefix, String key, Mono<T> loader, Set<String> tags) {
    return onAssembly(new CachedMono<>(engine, prefix, key, loader, tags));
  }

  /** A read of {@code prefix + key} without loading. */
  static <T> Mono<T> read(LoadEngine<T> engine, String prefix, String key) {
    return onAssembly(new CachedMono<>(engine, prefix, key, null, Set.of()));
  }

  /**
   * Answers a fresh hit of an in-process backend at once, without subscribing — as Reactor's own
   * {@code Mono.fromSupplier} and {@code Mono.just} do — and blocks as any {@code Mono} otherwise.
   */
  @Override
  public @Nullable T block() {
    return engine.readsSynchronously() ? engine.block(prefix, key, loader, tags, null) : super.block();
  }

  @Override
  public @Nullable T block(Duration timeout) {
    return engine.readsSynchronously() ? engine.block(prefix, key, loader, tags, timeout) : super.block(timeout);
  }

  @Override
  public void subscribe(CoreSubscriber<? super T> actual) {
    if (loader == null) {
      engine.subscribeRead(actual, prefix, key);
    } else {
      engine.subscribe(actual, prefix, key, loader, tags);
    }
  }
}
