/**
 * reactive-cache: a reactive, non-blocking cache for Project Reactor.
 *
 * <p>What a user names lives here: {@link io.reactivecache.CacheManager} (named backends, the seed's operations),
 * {@link io.reactivecache.Cache} (typed views and the {@code cachedMono}/{@code cachedFlux} operations),
 * {@link io.reactivecache.CachePolicy}, {@link io.reactivecache.CacheKey}/{@link io.reactivecache.CacheKeys},
 * {@link io.reactivecache.CachedFunctions}, {@link io.reactivecache.CacheBackends} (fallback and two-level
 * compositions), and the exceptions, all subtypes of {@link io.reactivecache.CacheException}. The engine behind
 * them is package-private: it is not API.
 *
 * <p>Everything is non-null unless marked {@code @Nullable}; every operation returns a lazy {@code Mono} or
 * {@code Flux} and never blocks.
 */
@NullMarked
package io.reactivecache;

import org.jspecify.annotations.NullMarked;
