/**
 * The memory backend's machinery: entry stores for each strategy, the tag index, counters and the expiry cleanup.
 * Not part of the API: may change without notice.
 */
package io.reactivecache.memory.internal;
