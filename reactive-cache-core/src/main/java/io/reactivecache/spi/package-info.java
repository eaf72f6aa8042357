/**
 * The backend SPI: what a backend author implements ({@link io.reactivecache.spi.CacheBackend}, found through a
 * {@link io.reactivecache.spi.CacheBackendProvider}) and the types it exchanges with the engine: entries,
 * validated key patterns, invalidations learned from outside the process, events, counters and settings. Every
 * backend passes the contract suite in core's test-jar, unchanged.
 *
 * <p>Everything is non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.reactivecache.spi;

import org.jspecify.annotations.NullMarked;
