package io.reactivecache;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * A cached function of any number of arguments (the seed's decorated {@code search_partners(client, domain,
 * **kwargs)}): built with {@link CachedFunctions.Builder#varargs}. Its key is made of <em>all</em> its arguments,
 * in order, in canonical form (see {@link CacheKey}): keyword arguments passed as a {@link java.util.Map} are
 * sorted, so their order does not matter.
 *
 * <pre>{@code
 * CachedCall<List<Partner>> search = manager.cached(new ValueType<List<Partner>>() {})
 *     .ttl(Duration.ofMinutes(5))
 *     .varargs(args -> client.searchRead("res.partner", (List<?>) args.get(0), (Map<?, ?>) args.get(1)));
 *
 * Mono<List<Partner>> companies = search.call(List.of("is_company", "=", true), Map.of("limit", 10, "order", "name"));
 * }</pre>
 *
 * @param <R> the result type
 */
@FunctionalInterface
public interface CachedCall<R> {

  /**
   * Calls the function, or answers from the cache, following every {@code cachedMono} rule of {@link Cache}.
   *
   * @param args the arguments, in order (a {@code null} array, as {@code call(null)} passes, is one null argument)
   * @return the result; an argument without canonical form fails it with {@link InvalidCacheKeyException}
   */
  Mono<R> call(@Nullable Object... args);
}
