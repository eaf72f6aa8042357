/**
 * Micrometer binding of the cache statistics ({@link io.reactivecache.metrics.CacheMetrics}). Micrometer is an
 * optional dependency of core: only this package needs it.
 */
@NullMarked
package io.reactivecache.metrics;

import org.jspecify.annotations.NullMarked;
