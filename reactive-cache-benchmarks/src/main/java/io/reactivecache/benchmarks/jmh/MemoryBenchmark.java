package io.reactivecache.benchmarks.jmh;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.reactivecache.Cache;
import io.reactivecache.CacheManager;
import io.reactivecache.CachePolicy;
import io.reactivecache.Strategy;
import io.reactivecache.ValueType;
import io.reactivecache.memory.MemoryCacheBackend;
import io.reactivecache.spi.CacheEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * In-memory hits and writes: our public API against the hand-written equivalents on raw Caffeine.
 *
 * <p>Every reactive variant is subscribed the same way, with {@code block()}: it returns at once for a
 * {@code Mono} that completes on the subscribing thread, and costs the same in baseline and candidate.
 *
 * <table>
 *   <caption>Pairs (candidate / baseline)</caption>
 *   <tr><td>{@link #cacheGet}</td><td>{@link #monoFromSupplierGetIfPresentExpiring} (and, for scale,
 *       {@link #monoFromSupplierGetIfPresent})</td></tr>
 *   <tr><td>{@link #cacheGetWithLoader} (cachedMono, fresh hit)</td><td>{@link #asyncCacheFromFuture}</td></tr>
 *   <tr><td>{@link #cachePut}</td><td>{@link #monoFromRunnablePut}</td></tr>
 *   <tr><td>{@link #cacheGetAll100}</td><td>{@link #monoFromSupplierGetAllPresent100}</td></tr>
 * </table>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class MemoryBenchmark {
  private static final String VALUE = "a cached value of a typical small size, say a user's display name";
  private static final int BULK = 100;
  private static final ValueType<String> TYPE = ValueType.of(String.class);

  private final String[] keys = Keys.names("user:");
  private com.github.benmanes.caffeine.cache.Cache<String, Object> caffeine;
  private com.github.benmanes.caffeine.cache.Cache<String, Object> caffeineLikeOurs;
  private com.github.benmanes.caffeine.cache.Cache<String, Object> caffeineExpiring;
  private com.github.benmanes.caffeine.cache.Cache<String, CacheEntry<String>> sketchStore;
  private Scheduler sketchClock;
  private AsyncCache<String, Object> asyncCache;
  private CacheManager manager;
  private MemoryCacheBackend backend;
  private final String[] backendKeys = Keys.names("users:user:");
  private Cache<String> cache;
  private Mono<String> loader;
  private BiFunction<String, Executor, CompletableFuture<Object>> asyncLoader;
  private List<List<String>> bulks;

  /** Builds the caches and fills them with every key. */
  @Setup(Level.Trial)
  public void setUp() {
    caffeine = Caffeine.newBuilder().maximumSize(100_000).build();
    caffeineExpiring = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(Duration.ofHours(1)).build();
    asyncCache = Caffeine.newBuilder().maximumSize(100_000).buildAsync();
    // Configured as the memory backend's ttl store is: per-entry expiry, the clock read through a Reactor
    // Scheduler, maintenance on the calling thread. Isolates what that configuration costs from what our layers do.
    Scheduler clock = Schedulers.parallel();
    caffeineLikeOurs = Caffeine.newBuilder().maximumSize(100_000)
        .expireAfter(Expiry.creating((String k, Object v) -> Duration.ofHours(1)))
        .ticker(() -> clock.now(TimeUnit.NANOSECONDS))
        .executor(Runnable::run)
        .build();
    manager = CacheManager.builder().memory("bench", 100_000, null, Strategy.TTL).build();
    cache = manager.cache("users", String.class, CachePolicy.builder().ttl(Duration.ofHours(1)).build());
    // Subscribed only on a miss, which these benchmarks never have: a loader call would show as a wrong result.
    loader = Mono.error(() -> new IllegalStateException("loader called on a hit"));
    asyncLoader = (key, executor) -> CompletableFuture.failedFuture(new IllegalStateException("loader on a hit"));
    for (String key : keys) {
      caffeine.put(key, VALUE);
      caffeineExpiring.put(key, VALUE);
      caffeineLikeOurs.put(key, VALUE);
      asyncCache.put(key, CompletableFuture.completedFuture(VALUE));
      cache.put(key, VALUE).block();
    }
    backend = MemoryCacheBackend.builder().maximumSize(100_000).build();
    CacheEntry<String> entry = CacheEntry.of(VALUE, 0, CacheEntry.NEVER, CacheEntry.NEVER, Set.of());
    for (String key : backendKeys) {
      backend.put(key, entry).block();
    }
    sketchClock = Schedulers.parallel();
    sketchStore = Caffeine.newBuilder().maximumSize(100_000).executor(Runnable::run).build();
    long now = sketchClock.now(TimeUnit.MILLISECONDS);
    for (String key : backendKeys) {
      sketchStore.put(key, CacheEntry.of(VALUE, now, now + 3_600_000, now + 3_600_000, Set.of()));
    }
    bulks = new ArrayList<>();
    for (int i = 0; i < Keys.COUNT; i += BULK) {
      bulks.add(Keys.slice(keys, i, BULK));
    }
  }

  /** Closes the manager. */
  @TearDown(Level.Trial)
  public void tearDown() {
    manager.close().block();
    backend.close().block();
  }

  /** Raw Caffeine: the floor, reported for scale, not a target. */
  @Benchmark
  public Object caffeineGetIfPresent(KeyCursor cursor) {
    return caffeine.getIfPresent(keys[cursor.next()]);
  }

  /** Baseline for {@link #cacheGet}: the thinnest reactive wrapper over Caffeine. */
  @Benchmark
  public Object monoFromSupplierGetIfPresent(KeyCursor cursor) {
    String key = keys[cursor.next()];
    return Mono.fromSupplier(() -> caffeine.getIfPresent(key)).block();
  }

  /**
   * Baseline for {@link #cacheGet}: the thinnest reactive wrapper over a Caffeine that also checks TTLs
   * ({@code expireAfterWrite}, which reads the clock on every hit, as a TTL cache must).
   */
  @Benchmark
  public Object monoFromSupplierGetIfPresentExpiring(KeyCursor cursor) {
    String key = keys[cursor.next()];
    return Mono.fromSupplier(() -> caffeineExpiring.getIfPresent(key)).block();
  }

  /** Diagnosis: {@link #monoFromSupplierGetIfPresent} on a Caffeine configured as our ttl store. */
  @Benchmark
  public Object monoFromSupplierGetIfPresentLikeOurs(KeyCursor cursor) {
    String key = keys[cursor.next()];
    return Mono.fromSupplier(() -> caffeineLikeOurs.getIfPresent(key)).block();
  }

  /**
   * Diagnosis: a sketch of the hit path with the fixes proposed in PERFORMANCE.md — the user key checked once and
   * prefixed, a size-bounded Caffeine without {@code expireAfter}, expiry checked on read with one clock read, one
   * {@code Mono}. What {@link #cacheGet} could cost, not a library path.
   */
  @Benchmark
  public Object sketchOfFixedHitPath(KeyCursor cursor) {
    String key = keys[cursor.next()];
    return Mono.fromSupplier(() -> {
      String full = "users:" + checkedKey(key);
      CacheEntry<String> entry = sketchStore.getIfPresent(full);
      return entry != null && sketchClock.now(TimeUnit.MILLISECONDS) < entry.freshUntil() ? entry.value() : null;
    }).block();
  }

  private static String checkedKey(String key) {
    for (int i = 0; i < key.length(); i++) {
      if (Character.isISOControl(key.charAt(i))) {
        throw new IllegalArgumentException("control character in key");
      }
    }
    return key;
  }

  /** Candidate: a memory hit through the public API. */
  @Benchmark
  public Object cacheGet(KeyCursor cursor) {
    return cache.get(keys[cursor.next()]).block();
  }

  /** The memory backend read through the SPI, without the core layer: splits {@link #cacheGet}'s cost in two. */
  @Benchmark
  public Object backendGet(KeyCursor cursor) {
    return backend.get(backendKeys[cursor.next()], TYPE).block();
  }

  /** Baseline for {@link #cacheGetWithLoader}: the usual recipe, an AsyncCache behind Mono.fromFuture. */
  @Benchmark
  public Object asyncCacheFromFuture(KeyCursor cursor) {
    return Mono.fromFuture(asyncCache.get(keys[cursor.next()], asyncLoader)).block();
  }

  /** Candidate: cachedMono on a fresh hit. */
  @Benchmark
  public Object cacheGetWithLoader(KeyCursor cursor) {
    return cache.get(keys[cursor.next()], loader).block();
  }

  /** Baseline for {@link #cachePut}. */
  @Benchmark
  public Object monoFromRunnablePut(KeyCursor cursor) {
    String key = keys[cursor.next()];
    return Mono.fromRunnable(() -> caffeine.put(key, VALUE)).block();
  }

  /** Candidate: a write through the public API (overwrites a present key, so the size stays put). */
  @Benchmark
  public Object cachePut(KeyCursor cursor) {
    return cache.put(keys[cursor.next()], VALUE).block();
  }

  /** Baseline for {@link #cacheGetAll100}. */
  @Benchmark
  public Object monoFromSupplierGetAllPresent100(KeyCursor cursor) {
    List<String> bulk = bulks.get(cursor.next() % bulks.size());
    return Mono.fromSupplier(() -> caffeine.getAllPresent(bulk)).block();
  }

  /** Candidate: getAll of 100 present keys through the public API. */
  @Benchmark
  public Map<String, String> cacheGetAll100(KeyCursor cursor) {
    return cache.getAll(bulks.get(cursor.next() % bulks.size())).block();
  }
}
