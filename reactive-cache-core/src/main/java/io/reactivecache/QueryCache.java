package io.reactivecache;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Caches the results of queries under keys generated from their {@link QueryKey} description: the seed's
 * {@code .filter(...).cache(ttl=300).all()} and {@code .count()}, without a hand-written key. Obtained from
 * {@link CacheManager#queries(Class, CachePolicy)} or {@link CacheOperations#queries(Class, CachePolicy)}.
 *
 * <pre>{@code
 * QueryCache<Partner> partners = manager.queries(Partner.class, CachePolicy.builder().ttl(Duration.ofMinutes(5)).build());
 *
 * Flux<Partner> companies(int page) {     // in a service over a Spring Data R2DBC repository
 *   QueryKey query = QueryKey.on("partner").where("is_company", true).orderBy("name").limit(20).offset(page * 20L);
 *   return partners.all(query, repository.findByIsCompanyOrderByName(true, PageRequest.of(page, 20)));
 * }
 * Mono<Long> companyCount() {
 *   return partners.count(QueryKey.on("partner").where("is_company", true), repository.countByIsCompany(true));
 * }
 * // after writing partners:
 * manager.invalidateTag("partner");       // drops every cached query of the model
 * }</pre>
 *
 * <p>Every result follows the {@code cachedMono} rules of {@link Cache} (one load per key at once, invalidation
 * during a load wins, stale windows, ...) under the policy given. Rows are cached as one list of at most
 * {@link CachePolicy#maxElements()} rows (a longer result streams to its callers and is not stored), counts and
 * first rows as one value. Keys: {@code query:<model>:all:<row type>:<SHA-256>},
 * {@code query:<model>:first:<row type>:<SHA-256>} and {@code query:<model>:count:<SHA-256>}, each tagged with the
 * model; the row type is part of the key, so two row classes read for one query never share an entry.
 *
 * <p>The description must say everything the query depends on: the cache cannot check that the description and the
 * query given with it match. Thread-safe.
 *
 * @param <T> the row type
 */
public final class QueryCache<T> {
  private final DefaultCache<T> rowView;
  private final DefaultCache<Long> countView;
  private final String rowType;

  QueryCache(BackendHandle handle, ValueType<T> type, CachePolicy policy) {
    // Views named after the keys' namespace: a key rendered as "query:..." is stored as rendered.
    this.rowView = new DefaultCache<>(QueryKey.NAMESPACE, handle, type, policy);
    this.countView = new DefaultCache<>(QueryKey.NAMESPACE, handle, ValueType.of(Long.class), policy);
    this.rowType = type.type().getTypeName();
  }

  /**
   * Returns the rows of a query, cached (the seed's {@code .cache(...).all()}).
   *
   * @param query the description of the query
   * @param rows the query itself, subscribed on a miss
   * @return the rows
   */
  public Flux<T> all(QueryKey query, Flux<T> rows) {
    return Flux.defer(() -> {
      CacheKey key = required(query).cacheKey("all", rowType);
      return rowView.getFlux(key.renderedAfterNamespace(), rows, key.tags());
    });
  }

  /**
   * Returns the number of rows of a query, cached (the seed's {@code .cache(...).count()}).
   *
   * @param query the description of the query (its order, limit and offset are part of the key as given)
   * @param count the count query itself, subscribed on a miss
   * @return the count
   */
  public Mono<Long> count(QueryKey query, Mono<Long> count) {
    return Mono.defer(() -> {
      CacheKey key = required(query).cacheKey("count");
      return countView.get(key.renderedAfterNamespace(), count, key.tags());
    });
  }

  /**
   * Returns the first row of a query, cached (the seed's {@code .cache(...).first()}); an empty result is cached
   * only with the policy's {@code emptyTtl}.
   *
   * @param query the description of the query
   * @param row the query itself, subscribed on a miss
   * @return the row, or empty
   */
  public Mono<T> first(QueryKey query, Mono<T> row) {
    return Mono.defer(() -> {
      CacheKey key = required(query).cacheKey("first", rowType);
      return rowView.get(key.renderedAfterNamespace(), row, key.tags());
    });
  }

  /**
   * Turns query caching off on this backend (every query cache of it: they share the name {@value
   * QueryKey#NAMESPACE}); see {@link Cache#disable()}.
   *
   * @return completes once no query load can store any more
   */
  public Mono<Void> disable() {
    return rowView.disable();
  }

  /**
   * Turns query caching back on on this backend; see {@link Cache#enable()}.
   *
   * @return completes once on
   */
  public Mono<Void> enable() {
    return rowView.enable();
  }

  private static QueryKey required(QueryKey query) {
    if (query == null) {
      throw new InvalidCacheKeyException("A query description must not be null: QueryKey.on(model)...");
    }
    return query;
  }

  @Override
  public String toString() {
    return "QueryCache{rows=" + rowType + ", " + rowView + '}';
  }
}
