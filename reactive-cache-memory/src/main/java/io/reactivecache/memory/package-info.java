/**
 * The in-memory cache backend: {@link io.reactivecache.memory.MemoryCacheBackend}, built with
 * {@link io.reactivecache.memory.MemoryCacheBackend#builder()} or found by {@link java.util.ServiceLoader} as the
 * provider of type {@code "memory"} ({@link io.reactivecache.memory.MemoryCacheBackendProvider}).
 *
 * <p>Those two classes, with the builder and its {@link io.reactivecache.memory.MemoryCacheBackend.Weigher}, are
 * the module's API. {@link io.reactivecache.memory.CaffeineBlockHoundIntegration} is public only because
 * {@link java.util.ServiceLoader} requires it; everything else (stores for each strategy, the tag index, the expiry
 * cleanup, the event stream) is package-private. References are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.reactivecache.memory;

import org.jspecify.annotations.NullMarked;
