package io.reactivecache.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.reactivecache.CacheManager;
import io.reactivecache.CacheOperations;
import io.reactivecache.CacheStats;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToLongFunction;

/**
 * Publishes a {@link CacheManager}'s counters to Micrometer in its cache dialect, one set of meters per backend,
 * tagged {@code cache=<backend name>}:
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>meter</th><th>type</th><th>from</th></tr>
 *   <tr><td>{@code cache.gets{result=hit|miss}}</td><td>counter</td><td>{@link CacheStats#hits()},
 *       {@link CacheStats#misses()}</td></tr>
 *   <tr><td>{@code cache.puts}</td><td>counter</td><td>{@link CacheStats#puts()}</td></tr>
 *   <tr><td>{@code cache.evictions}</td><td>counter</td><td>{@link CacheStats#evictions()}</td></tr>
 *   <tr><td>{@code cache.size}</td><td>gauge</td><td>{@link CacheStats#size()}</td></tr>
 *   <tr><td>{@code cache.loads{result=success|failure}}</td><td>counter</td><td>loader runs</td></tr>
 *   <tr><td>{@code cache.stale.served}, {@code cache.loads.coalesced}, {@code cache.refreshes},
 *       {@code cache.fallbacks}, {@code cache.invalid.payloads}, {@code cache.rejected.writes},
 *       {@code cache.backend.failures}</td><td>counter</td><td>the matching {@link CacheStats} fields</td></tr>
 *   <tr><td>{@code cache.load.duration}</td><td>function timer</td><td>loads ({@link CacheStats#loadSuccesses()} +
 *       {@link CacheStats#loadFailures()}) and their total time ({@link CacheStats#loadMillis()})</td></tr>
 *   <tr><td>{@code cache.memory.estimate}</td><td>gauge (bytes)</td><td>{@link CacheStats#estimatedBytes()}</td></tr>
 * </table>
 *
 * <p>Reading stats is reactive (a remote backend answers asynchronously) while a meter is read synchronously, so
 * each meter reads the latest snapshot, and a read older than the refresh interval starts a new snapshot in the
 * background: values lag by at most one scrape. Nothing blocks. Micrometer is an optional dependency of core:
 * only this class needs it.
 */
public final class CacheMetrics implements MeterBinder {
  private static final Duration DEFAULT_REFRESH = Duration.ofSeconds(1);

  private final CacheManager manager;
  private final Iterable<Tag> tags;
  private final Duration refresh;

  private CacheMetrics(CacheManager manager, Iterable<Tag> tags, Duration refresh) {
    this.manager = manager;
    this.tags = tags;
    this.refresh = refresh;
  }

  /**
   * Binds every backend of a manager to a registry.
   *
   * @param manager the manager
   * @param registry the registry (borrowed: never closed here)
   * @param tags extra tags for every meter
   */
  public static void monitor(CacheManager manager, MeterRegistry registry, Tag... tags) {
    new CacheMetrics(manager, Tags.of(tags), DEFAULT_REFRESH).bindTo(registry);
  }

  /**
   * Returns a binder, for frameworks that collect {@link MeterBinder}s.
   *
   * @param manager the manager
   * @param tags extra tags for every meter
   * @return the binder
   */
  public static MeterBinder binder(CacheManager manager, Tag... tags) {
    return new CacheMetrics(manager, Tags.of(tags), DEFAULT_REFRESH);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (String name : manager.backendNames()) {
      Snapshot snapshot = new Snapshot(manager.backend(name), manager, refresh);
      snapshot.refreshNow();
      Tags backendTags = Tags.of(tags).and("cache", name);
      counter(registry, "cache.gets", backendTags.and("result", "hit"), snapshot, CacheStats::hits,
          "Reads that found a usable entry");
      counter(registry, "cache.gets", backendTags.and("result", "miss"), snapshot, CacheStats::misses,
          "Reads that found nothing usable");
      counter(registry, "cache.puts", backendTags, snapshot, CacheStats::puts, "Entries written");
      counter(registry, "cache.evictions", backendTags, snapshot, CacheStats::evictions,
          "Entries removed by the backend (size bound, expiry)");
      counter(registry, "cache.loads", backendTags.and("result", "success"), snapshot, CacheStats::loadSuccesses,
          "Loader runs that completed");
      counter(registry, "cache.loads", backendTags.and("result", "failure"), snapshot, CacheStats::loadFailures,
          "Loader runs that failed");
      counter(registry, "cache.stale.served", backendTags, snapshot, CacheStats::staleServed,
          "Reads answered with a stale entry");
      counter(registry, "cache.loads.coalesced", backendTags, snapshot, CacheStats::coalescedLoads,
          "Callers that joined a load in flight");
      counter(registry, "cache.refreshes", backendTags, snapshot, CacheStats::refreshes,
          "Background refreshes of stale entries");
      counter(registry, "cache.fallbacks", backendTags, snapshot, CacheStats::fallbacks,
          "Operations served by a fallback backend");
      counter(registry, "cache.invalid.payloads", backendTags, snapshot, CacheStats::invalidPayloads,
          "Stored values that could not be used");
      counter(registry, "cache.rejected.writes", backendTags, snapshot, CacheStats::rejectedWrites,
          "Writes the backend refused");
      counter(registry, "cache.backend.failures", backendTags, snapshot, CacheStats::backendFailures,
          "Backend failures absorbed by cachedMono");
      FunctionTimer.builder("cache.load.duration", snapshot,
              s -> (long) s.value(stats -> stats.loadSuccesses() + stats.loadFailures()),
              s -> s.value(CacheStats::loadMillis), TimeUnit.MILLISECONDS)
          .tags(backendTags).description("Time spent loading values (count: loads; total: their durations)")
          .register(registry);
      Gauge.builder("cache.size", snapshot, s -> s.value(CacheStats::size)).tags(backendTags)
          .description("Entries held; -1 when unknown").register(registry);
      Gauge.builder("cache.memory.estimate", snapshot, s -> s.value(CacheStats::estimatedBytes)).tags(backendTags)
          .baseUnit("bytes").description("Estimated memory used by the entries; -1 when unknown").register(registry);
    }
  }

  private static void counter(MeterRegistry registry, String name, Tags tags, Snapshot snapshot,
      ToLongFunction<CacheStats> field, String description) {
    FunctionCounter.builder(name, snapshot, s -> s.value(field)).tags(tags).description(description)
        .register(registry);
  }

  /** The latest stats of one backend, refreshed in the background when read after the interval. */
  private static final class Snapshot {
    private final CacheOperations backend;
    private final CacheManager manager;
    private final long refreshMillis;
    private final AtomicReference<CacheStats> latest = new AtomicReference<>(CacheStats.empty());
    private final AtomicLong readAt = new AtomicLong(Long.MIN_VALUE);
    private final AtomicBoolean refreshing = new AtomicBoolean();

    Snapshot(CacheOperations backend, CacheManager manager, Duration refresh) {
      this.backend = backend;
      this.manager = manager;
      this.refreshMillis = refresh.toMillis();
    }

    double value(ToLongFunction<CacheStats> field) {
      long now = manager.clock().now(TimeUnit.MILLISECONDS);
      long last = readAt.get();
      // Long.MIN_VALUE means "never read": now - MIN_VALUE would overflow to a negative age.
      if ((last == Long.MIN_VALUE || now - last >= refreshMillis) && readAt.compareAndSet(last, now)) {
        refreshNow();
      }
      return field.applyAsLong(latest.get());
    }

    void refreshNow() {
      if (refreshing.compareAndSet(false, true)) {
        // A failed read keeps the previous snapshot: a meter must keep a value, and the failure itself is the
        // backend's health to report, not the meter's.
        backend.stats().doFinally(signal -> refreshing.set(false)).subscribe(latest::set, error -> {});
      }
    }
  }
}
