/**
 * The in-memory cache backend: {@link io.reactivecache.memory.MemoryCacheBackend}, built with
 * {@link io.reactivecache.memory.MemoryCacheBackend#builder()} or found by {@link java.util.ServiceLoader} as the
 * provider of type {@code "memory"}.
 */
package io.reactivecache.memory;
