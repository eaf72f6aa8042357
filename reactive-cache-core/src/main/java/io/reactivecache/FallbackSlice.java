package io.reactivecache;

import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.KeyPattern;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * The part of a fallback backend one outage uses: its keys carry the outage's number ({@code 3:user:1}), so no read
 * of one outage can see what another outage wrote, even a write that landed after its outage had ended. Internal.
 *
 * <p>A view, not an owner: {@link #close()} leaves the fallback open.
 */
final class FallbackSlice implements CacheBackend {
  private final CacheBackend fallback;
  private final String prefix;

  FallbackSlice(CacheBackend fallback, long outage) {
    this.fallback = fallback;
    this.prefix = outage + ":";
  }

  private String key(String key) {
    return prefix + key;
  }

  @Override
  public String name() {
    return fallback.name();
  }

  @Override
  public Optional<Duration> defaultTtl() {
    return fallback.defaultTtl();
  }

  @Override
  public <T> Mono<CacheEntry<T>> get(String key, ValueType<T> type) {
    return fallback.get(key(key), type);
  }

  @Override
  public <T> Mono<Map<String, CacheEntry<T>>> getAll(Collection<String> keys, ValueType<T> type) {
    List<String> inSlice = keys.stream().map(this::key).toList();
    return fallback.getAll(inSlice, type).map(found -> {
      Map<String, CacheEntry<T>> byCallerKey = new LinkedHashMap<>();
      found.forEach((key, entry) -> byCallerKey.put(key.substring(prefix.length()), entry));
      return byCallerKey;
    });
  }

  @Override
  public Mono<Void> put(String key, CacheEntry<?> entry) {
    return fallback.put(key(key), entry);
  }

  @Override
  public Mono<Void> putAll(Map<String, ? extends CacheEntry<?>> entries) {
    Map<String, CacheEntry<?>> inSlice = new LinkedHashMap<>();
    entries.forEach((key, entry) -> inSlice.put(key(key), entry));
    return fallback.putAll(inSlice);
  }

  @Override
  public Mono<Boolean> delete(String key) {
    return fallback.delete(key(key));
  }

  @Override
  public Mono<Boolean> exists(String key) {
    return fallback.exists(key(key));
  }

  /** Clears the whole fallback: other outages' parts are never read again, so they go too. */
  @Override
  public Mono<Void> clear() {
    return fallback.clear();
  }

  @Override
  public Mono<Long> deletePattern(KeyPattern pattern) {
    return Mono.fromSupplier(() -> KeyPattern.of(KeyPattern.escape(prefix) + pattern.glob()))
        .flatMap(fallback::deletePattern);
  }

  @Override
  public Mono<Long> invalidateTag(String tag) {
    return fallback.invalidateTag(tag);
  }

  @Override
  public Mono<CacheStats> stats() {
    return fallback.stats();
  }

  @Override
  public Mono<CacheHealth> health() {
    return fallback.health();
  }

  @Override
  public Mono<Void> close() {
    return Mono.empty();
  }
}
