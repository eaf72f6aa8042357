package io.reactivecache.memory;

import io.reactivecache.CacheBackendException;
import io.reactivecache.CacheConfigurationException;
import io.reactivecache.CacheHealth;
import io.reactivecache.CacheStats;
import io.reactivecache.Strategy;
import io.reactivecache.ValueType;
import io.reactivecache.spi.BackendCounters;
import io.reactivecache.spi.BackendSettings;
import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.CacheEvent;
import io.reactivecache.spi.KeyPattern;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A cache backend that keeps entries on the heap of this process.
 *
 * <pre>{@code
 * CacheBackend memory = MemoryCacheBackend.builder()
 *     .maximumSize(10_000)
 *     .strategy(Strategy.LRU)
 *     .build();
 * }</pre>
 *
 * <h2>Strategies</h2>
 * <ul>
 *   <li>{@link Strategy#TTL} (default): Caffeine's W-TinyLFU bounded by {@code maximumSize} (or
 *       {@code maximumWeight}), each entry expiring at its own {@link CacheEntry#expiresAt()}. Usually the best hit
 *       ratio; the bound is enforced after each write, possibly a little later under heavy concurrent writes.</li>
 *   <li>{@link Strategy#LRU}: exact least-recently-used. A read or a write makes a key the most recent; past the
 *       bound the least recent is evicted.</li>
 *   <li>{@link Strategy#LFU}: exact least-frequently-used. A key's count starts at 1 when it is admitted and grows by
 *       one per read or overwrite; the lowest count is evicted, ties going to the least recently used.</li>
 * </ul>
 * For LRU and LFU the bound is never exceeded; expired entries are evicted before any live one.
 *
 * <h2>Bound: entries or weight</h2>
 * A backend counts either entries ({@link Builder#maximumSize(long)}, the default) or weight
 * ({@link Builder#maximumWeight(long)} with a {@link Weigher}). An entry heavier than the whole bound is not
 * stored (counted in {@link CacheStats#rejectedWrites()}), and the key's older value is removed. The bound can be
 * changed while the backend is in use with {@link #resize(long)}.
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li>Every method is lazy and non-blocking: the work runs on the subscribing thread, in short critical sections
 *       (monitors, never parking locks). {@link #resize(long)} is the exception: it may wait briefly for the
 *       store's maintenance lock, so it moves itself off Reactor's non-blocking threads.</li>
 *   <li>Time comes only from the {@linkplain Builder#clock(Scheduler) clock}. An entry at or past its expiry is never
 *       returned; expired entries are also removed in the background every
 *       {@linkplain Builder#expiryCleanupInterval(Duration) cleanup interval} while some entry can expire.</li>
 *   <li>Values are stored by reference, not copied: callers must not mutate a value after writing it. Writing an
 *       entry that is already expired writes nothing and removes the key's older value.</li>
 *   <li>A value read with a type it does not have is a miss counted in {@link CacheStats#invalidPayloads()}, never
 *       a {@link ClassCastException}: type arguments are checked too for collections, maps, {@code Optional}s and
 *       arrays ({@code List<Integer>} read as {@code List<String>} misses), once per written value and type.</li>
 *   <li>Keys are stored exactly as given, whatever their length.</li>
 *   <li>Tag invalidation uses an index (tag to keys) kept in step with writes, deletes, evictions and expiry.</li>
 *   <li>{@link #events()} publishes the evictions and expiries the backend carries out by itself.</li>
 *   <li>{@link CacheStats#estimatedBytes()} is a rough estimate: a fixed overhead per entry plus key and tags, and
 *       the value's size only for strings, byte arrays and boxed primitives (64 bytes for any other value).</li>
 *   <li>After {@link #close()} every operation fails with a {@link CacheBackendException}.</li>
 * </ul>
 */
public final class MemoryCacheBackend implements CacheBackend {
  /** Whether the stores find {@code String} keys through {@link KeyParts}; checked once against both maps used. */
  private static final boolean LOOKUP_BY_PARTS = lookupByPartsWorks();

  /**
   * The longest cleanup interval used: longer ones act as this. Keeps the period within what every scheduler
   * (virtual time included) can add to its clock without overflowing.
   */
  private static final Duration LONGEST_CLEANUP_INTERVAL = Duration.ofDays(365);

  private final Builder config;
  private final Scheduler clock;
  private final BackendCounters counters = new BackendCounters();
  private final TagIndex tags = new TagIndex();
  private final EventPublisher events;
  private final Bookkeeping bookkeeping;
  private final EntryStore store;
  private final ExpiryCleanup cleanup;
  private final @Nullable Weigher weigher;
  private volatile boolean closed;

  private MemoryCacheBackend(Builder config, Scheduler clock) {
    this.config = config;
    this.clock = clock;
    this.events = new EventPublisher(config.name, clock);
    this.bookkeeping = new Bookkeeping(tags, counters, events);
    this.weigher = config.weigher;
    long maximum = config.maximumWeightSet ? config.maximumWeight : config.maximumSize;
    switch (config.strategy) {
      case LRU:
        store = LockedStore.lru(maximum, bookkeeping);
        break;
      case LFU:
        store = LockedStore.lfu(maximum, bookkeeping);
        break;
      default:
        store = new CaffeineStore(maximum, config.maximumWeightSet, clock, bookkeeping);
        break;
    }
    long intervalMillis = config.expiryCleanupInterval.compareTo(LONGEST_CLEANUP_INTERVAL) > 0
        ? LONGEST_CLEANUP_INTERVAL.toMillis() : config.expiryCleanupInterval.toMillis();
    cleanup = new ExpiryCleanup(clock, intervalMillis, () -> store.cleanUp(now()), bookkeeping::expiringEntries);
  }

  /**
   * Returns a builder with the defaults: name {@code "memory"}, {@link BackendSettings#DEFAULT_MAXIMUM_SIZE}
   * entries, no default time to live, {@link Strategy#TTL}, {@link Schedulers#parallel()} as the clock, cleanup every
   * second.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder holding this backend's configuration, its current bound included (after a
   * {@link #resize(long)}), to build a similar one.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder copy = new Builder(config);
    if (config.maximumWeightSet) {
      copy.maximumWeight = store.maximum();
    } else {
      copy.maximumSize = store.maximum();
    }
    return copy;
  }

  @Override
  public String name() {
    return config.name;
  }

  @Override
  public Optional<Duration> defaultTtl() {
    return Optional.ofNullable(config.defaultTtl);
  }

  /**
   * Returns the eviction strategy.
   *
   * @return the strategy
   */
  public Strategy strategy() {
    return config.strategy;
  }

  /**
   * Returns the largest number of entries held, as built or last {@linkplain #resize(long) resized}.
   *
   * @return the bound, or empty for a backend bounded by {@linkplain #maximumWeight() weight}
   */
  public OptionalLong maximumSize() {
    return config.maximumWeightSet ? OptionalLong.empty() : OptionalLong.of(store.maximum());
  }

  /**
   * Returns the largest total weight held, as built or last {@linkplain #resize(long) resized}.
   *
   * @return the bound, or empty for a backend bounded by {@linkplain #maximumSize() size}
   */
  public OptionalLong maximumWeight() {
    return config.maximumWeightSet ? OptionalLong.of(store.maximum()) : OptionalLong.empty();
  }

  /**
   * Changes the bound while the backend is in use: the largest number of entries for a backend built with
   * {@code maximumSize}, the largest total weight for one built with {@code maximumWeight} (a backend keeps its
   * kind of bound). Growing takes effect at once. Shrinking evicts, in the strategy's order and expired entries
   * first, until what is held fits; those evictions are counted in {@link CacheStats#evictions()} and published on
   * {@link #events()} like any other. Safe while other calls are in flight: the bound holds for every write that
   * completes after the returned {@code Mono} does. Concurrent resizes end with one of the requested bounds.
   *
   * <p>The work may wait briefly for the store's maintenance lock (Caffeine's, for the {@code ttl} strategy), so
   * when subscribed on a Reactor non-blocking thread it runs on {@link Schedulers#boundedElastic()}.
   *
   * @param maximum the new bound, at least 1
   * @return completes once the backend holds no more than the new bound; fails with a
   *     {@link CacheConfigurationException} naming the option for a bound below 1, or with a
   *     {@link CacheBackendException} after {@link #close()}
   */
  public Mono<Void> resize(long maximum) {
    Mono<Void> resize = Mono.fromRunnable(() -> {
      checkOpen();
      if (maximum < 1) {
        throw CacheConfigurationException.invalid(config.maximumWeightSet ? "maximumWeight" : "maximumSize",
            maximum, "a bound of at least 1");
      }
      store.resize(maximum, now());
    });
    return Mono.defer(() -> Schedulers.isInNonBlockingThread()
        ? resize.subscribeOn(Schedulers.boundedElastic()) : resize);
  }

  /**
   * Publishes the evictions ({@link CacheEvent.Type#EVICTED}, cause {@link CacheEvent.Cause#SIZE}) and expiries
   * ({@link CacheEvent.Type#EXPIRED}, cause {@link CacheEvent.Cause#TTL}) this backend carries out by itself, each
   * with the key. An expiry is published when the entry is removed: when an operation on its key finds it expired,
   * or when the cleanup sweeps it out. Deletes, overwrites and clears are not published here (a cache manager publishes
   * what it is asked to do).
   *
   * <p>Hot: a subscriber sees what happens after it subscribed. Bounded and best effort: events are handed to each
   * subscriber on the backend's clock scheduler; up to 256 wait for a subscriber that has not requested them, and
   * further ones are dropped for that subscriber. The backend never waits for a subscriber, and with none it does
   * not even create the events. Completes when the backend is closed; subscribing after that fails with a
   * {@link CacheBackendException}.
   *
   * @return the backend's own events
   */
  @Override
  public Flux<CacheEvent> events() {
    return events.flux();
  }

  @Override
  public <T> Mono<CacheEntry<T>> get(String key, ValueType<T> type) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(type, "type");
    // The hottest path: one lambda, not operation(...)'s two.
    return Mono.fromCallable(() -> {
      checkOpen();
      return read(key, type, now());
    });
  }

  /** Reads happen in memory, on the calling thread, without blocking. */
  @Override
  public boolean readsSynchronously() {
    return true;
  }

  @Override
  public <T> Optional<CacheEntry<T>> getNow(String key, ValueType<T> type) {
    checkOpen();
    Stored stored = readStored(key, type, now());
    return stored == null ? Optional.empty() : stored.asOptional();
  }

  /**
   * The engine's hit path: the key is looked up from its two parts (nothing is built), expiry is checked at the
   * time the engine already read, and the {@code Optional} returned is the one the holder keeps: a hit allocates
   * nothing here.
   */
  @Override
  public <T> Optional<CacheEntry<T>> getNow(String prefix, String key, ValueType<T> type, long now) {
    checkOpen();
    Stored stored = readStored(LOOKUP_BY_PARTS ? KeyParts.of(prefix, key) : prefix.concat(key), type, now);
    return stored == null ? Optional.empty() : stored.asOptional();
  }

  @Override
  public <T> Mono<Map<String, CacheEntry<T>>> getAll(Collection<String> keys, ValueType<T> type) {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(type, "type");
    return operation(() -> {
      long now = now();
      Map<String, CacheEntry<T>> found = new LinkedHashMap<>();
      for (String key : keys) {
        if (!found.containsKey(key)) {
          CacheEntry<T> entry = read(key, type, now);
          if (entry != null) {
            found.put(key, entry);
          }
        }
      }
      return found;
    });
  }

  @Override
  public Mono<Void> put(String key, CacheEntry<?> entry) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(entry, "entry");
    return operation(() -> {
      write(key, entry, now());
      return null;
    });
  }

  @Override
  public Mono<Void> putAll(Map<String, ? extends CacheEntry<?>> entries) {
    Objects.requireNonNull(entries, "entries");
    return operation(() -> {
      long now = now();
      entries.forEach((key, entry) -> write(key, entry, now));
      return null;
    });
  }

  @Override
  public Mono<Boolean> delete(String key) {
    Objects.requireNonNull(key, "key");
    return operation(() -> {
      boolean removed = store.remove(key, now()) != null;
      if (removed) {
        counters.deleted(1);
      }
      return removed;
    });
  }

  @Override
  public Mono<Boolean> exists(String key) {
    Objects.requireNonNull(key, "key");
    return operation(() -> store.peek(key, now()) != null);
  }

  @Override
  public Mono<Void> clear() {
    return operation(() -> {
      counters.deleted(store.removeAll(now()).size());
      return null;
    });
  }

  @Override
  public Mono<Long> deletePattern(KeyPattern pattern) {
    Objects.requireNonNull(pattern, "pattern");
    return operation(() -> {
      long now = now();
      long removed = 0;
      for (Stored stored : store.entries(now)) {
        // Conditional on the holder seen: a key rewritten since the scan is a write that came after the delete.
        if (pattern.matches(stored.key()) && store.remove(stored.key(), stored, now)) {
          removed++;
        }
      }
      counters.deleted(removed);
      return removed;
    });
  }

  @Override
  public Mono<Long> invalidateTag(String tag) {
    Objects.requireNonNull(tag, "tag");
    return operation(() -> {
      long now = now();
      long removed = 0;
      for (Map.Entry<String, Stored> indexed : tags.take(tag).entrySet()) {
        if (store.remove(indexed.getKey(), indexed.getValue(), now)) {
          removed++;
        }
      }
      counters.deleted(removed);
      return removed;
    });
  }

  @Override
  public Mono<CacheStats> stats() {
    return operation(() -> counters.snapshot(store.size(), bookkeeping.estimatedBytes()));
  }

  /**
   * Reports UP while open, DOWN with the reason "closed" after {@link #close()}.
   *
   * @return the health
   */
  @Override
  public Mono<CacheHealth> health() {
    return Mono.fromSupplier(() -> closed ? CacheHealth.down("the backend is closed") : CacheHealth.up());
  }

  /**
   * Stops the background cleanup and drops every entry. The clock is borrowed and left alone. Closing twice is
   * harmless; every other operation fails afterwards.
   *
   * @return completes once closed
   */
  @Override
  public Mono<Void> close() {
    return Mono.fromRunnable(() -> {
      if (closed) {
        return;
      }
      closed = true;
      cleanup.stop();
      events.close();
      store.removeAll(now());
      tags.clear();
    });
  }

  @Override
  public String toString() {
    return "MemoryCacheBackend{name=" + config.name + ", strategy=" + config.strategy.id()
        + (config.maximumWeightSet ? ", maximumWeight=" : ", maximumSize=") + store.maximum()
        + (closed ? ", closed" : "") + '}';
  }

  /** Runs the cleanup now, as the periodic task does. For tests of the index after evictions. */
  void cleanUpNow() {
    store.cleanUp(now());
  }

  /** Tells whether the tag index holds exactly the tags of the live entries. For consistency tests. */
  boolean tagIndexMatchesStore() {
    long expected = 0;
    for (Stored stored : store.entries(now())) {
      for (String tag : stored.entry().tags()) {
        if (!tags.contains(tag, stored)) {
          return false;
        }
        expected++;
      }
    }
    return tags.pairs() == expected;
  }

  /** Returns the total weight held (1 per entry under maximumSize), expired entries not yet removed included. */
  long weightHeld() {
    return store.weight();
  }

  /** Tells whether the background cleanup is scheduled. */
  boolean cleanupRunning() {
    return cleanup.isRunning();
  }

  private <T> @Nullable CacheEntry<T> read(String key, ValueType<T> type, long now) {
    Stored stored = readStored(key, type, now);
    return stored == null ? null : stored.entry().retype();
  }

  private @Nullable Stored readStored(Object key, ValueType<?> type, long now) {
    Stored stored = store.get(key, now);
    if (stored == null) {
      counters.miss();
      return null;
    }
    if (!stored.entry().isAbsent() && !stored.holds(type)) {
      counters.invalidPayload();
      return null;
    }
    counters.hit();
    return stored;
  }

  private void write(String key, CacheEntry<?> entry, long now) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(entry, "entry");
    if (now >= entry.expiresAt()) {
      removeOlder(key, now);
      return;
    }
    // The rare paths (weighing, refusal) live in their own methods, to keep this one small enough to inline.
    Stored stored = new Stored(key, entry, weigher == null ? 1 : weigh(key, entry, now));
    if (!store.put(stored, now)) {
      counters.rejectedWrite();
      removeOlder(key, now);
      return;
    }
    counters.put();
    if (entry.expiresAt() != CacheEntry.NEVER) {
      cleanup.ensureRunning();
    }
  }

  /** A write that is not stored still replaces: the key's older value must not outlive a newer write. */
  private void removeOlder(String key, long now) {
    if (store.remove(key, now) != null) {
      counters.deleted(1);
    }
  }

  /**
   * Returns what an entry counts against {@code maximumWeight}: the weigher's answer, 0 counting as 1 so that the
   * bound also bounds the number of entries; 1 for an absent marker (no value to weigh). Called outside every lock:
   * the weigher is the caller's code. When it fails, the key's older value goes (the write was meant to replace
   * it) and the write fails.
   */
  private int weigh(String key, CacheEntry<?> entry, long now) {
    if (weigher == null || entry.isAbsent()) {
      return 1;
    }
    Object value = entry.value();
    String failure;
    Throwable cause = null;
    try {
      int weight = weigher.weigh(key, value);
      if (weight >= 0) {
        return Math.max(1, weight);
      }
      failure = "the weigher returned " + weight + " for a value of type " + value.getClass().getName()
          + "; a weigher must return a weight of at least 0";
    } catch (RuntimeException e) {
      failure = "the weigher failed on a value of type " + value.getClass().getName()
          + "; fix the weigher given to MemoryCacheBackend.Builder.weigher";
      cause = e;
    }
    removeOlder(key, now);
    throw new CacheBackendException(config.name, failure, cause);
  }

  private long now() {
    return clock.now(TimeUnit.MILLISECONDS);
  }

  private <R> Mono<R> operation(Callable<R> body) {
    return Mono.fromCallable(() -> {
      checkOpen();
      return body.call();
    });
  }

  private void checkOpen() {
    if (closed) {
      throw new CacheBackendException(config.name,
          "the backend is closed; build a new MemoryCacheBackend (or stop using this one)");
    }
  }

  /**
   * Computes what a value counts against {@link Builder#maximumWeight(long)}, as Caffeine's {@code Weigher} does:
   * for example {@code (key, value) -> ((byte[]) value).length}. Weights have no unit; they only need to be
   * comparable with each other and with the bound.
   *
   * <p>Called once per write, on the writing thread, outside every lock of the backend; never for an absent
   * marker (negative caching), which weighs 1. Must be quick, must not block and must not call the backend.
   */
  @FunctionalInterface
  public interface Weigher {
    /**
     * Weighs a value about to be written.
     *
     * @param key the key, as written
     * @param value the value, never null
     * @return the weight, at least 0; 0 counts as 1, so that the bound also bounds the number of entries. A
     *     negative weight, or an exception, fails the write with a {@link CacheBackendException} (and removes the
     *     key's older value, which the write was meant to replace)
     */
    int weigh(String key, Object value);
  }

  /**
   * Configures a {@link MemoryCacheBackend}. Setters record values; {@link #build()} validates all of them and fails
   * with a {@link CacheConfigurationException} naming the first bad option. Not thread-safe; the backend it builds
   * keeps its own copy.
   */
  public static final class Builder {
    private @Nullable String name = "memory";
    private long maximumSize = BackendSettings.DEFAULT_MAXIMUM_SIZE;
    private boolean maximumSizeSet;
    private long maximumWeight;
    private boolean maximumWeightSet;
    private @Nullable Weigher weigher;
    private boolean weigherSet;
    private @Nullable Duration defaultTtl;
    private boolean defaultTtlSet;
    private @Nullable Strategy strategy = Strategy.TTL;
    private @Nullable Scheduler clock;
    private boolean clockSet;
    private @Nullable Duration expiryCleanupInterval = Duration.ofSeconds(1);

    private Builder() {}

    private Builder(Builder other) {
      name = other.name;
      maximumSize = other.maximumSize;
      maximumSizeSet = other.maximumSizeSet;
      maximumWeight = other.maximumWeight;
      maximumWeightSet = other.maximumWeightSet;
      weigher = other.weigher;
      weigherSet = other.weigherSet;
      defaultTtl = other.defaultTtl;
      defaultTtlSet = other.defaultTtlSet;
      strategy = other.strategy;
      clock = other.clock;
      clockSet = other.clockSet;
      expiryCleanupInterval = other.expiryCleanupInterval;
    }

    /**
     * Sets the backend's name (default {@code "memory"}), unique within a cache manager.
     *
     * @param name a non-blank name
     * @return this builder
     */
    public Builder name(@Nullable String name) {
      this.name = name;
      return this;
    }

    /**
     * Bounds the backend by its number of entries (default {@link BackendSettings#DEFAULT_MAXIMUM_SIZE}). Not
     * together with {@link #maximumWeight(long)}.
     *
     * @param maximumSize at least 1; {@code Long.MAX_VALUE} for no practical bound
     * @return this builder
     */
    public Builder maximumSize(long maximumSize) {
      this.maximumSize = maximumSize;
      this.maximumSizeSet = true;
      return this;
    }

    /**
     * Bounds the backend by the total weight of its entries instead of their number, each entry weighing what the
     * {@linkplain #weigher(Weigher) weigher} says (at least 1). With every strategy: {@code ttl} gives the weights to
     * Caffeine's W-TinyLFU; {@code lru} and {@code lfu} evict in their exact order until the newcomer fits, and
     * never hold more than this weight. An entry heavier than the whole bound is not stored. Requires a weigher;
     * not together with {@link #maximumSize(long)}.
     *
     * @param maximumWeight at least 1
     * @return this builder
     */
    public Builder maximumWeight(long maximumWeight) {
      this.maximumWeight = maximumWeight;
      this.maximumWeightSet = true;
      return this;
    }

    /**
     * Sets how values are weighed for {@link #maximumWeight(long)}, which requires it (and only it).
     *
     * @param weigher the weigher
     * @return this builder
     */
    public Builder weigher(@Nullable Weigher weigher) {
      this.weigher = weigher;
      this.weigherSet = true;
      return this;
    }

    /**
     * Sets the time to live the cache applies to values written without one (default: none, values live until
     * evicted). The backend stores entries with the expiry they carry; this is what {@link #defaultTtl()} reports
     * to the layer that builds entries. Any positive duration is accepted, however long.
     *
     * @param defaultTtl a positive duration
     * @return this builder
     */
    public Builder defaultTtl(@Nullable Duration defaultTtl) {
      this.defaultTtl = defaultTtl;
      this.defaultTtlSet = true;
      return this;
    }

    /**
     * Sets the eviction strategy (default {@link Strategy#TTL}).
     *
     * @param strategy the strategy
     * @return this builder
     */
    public Builder strategy(@Nullable Strategy strategy) {
      this.strategy = strategy;
      return this;
    }

    /**
     * Sets the clock (default {@link Schedulers#parallel()}): all time — freshness, expiry, Caffeine's ticker — is
     * read from {@link Scheduler#now(TimeUnit)}; the cleanup task is scheduled on it, and {@linkplain #events()
     * events} are delivered on it. The scheduler is borrowed: the backend never disposes it.
     *
     * @param clock the scheduler
     * @return this builder
     */
    public Builder clock(@Nullable Scheduler clock) {
      this.clock = clock;
      this.clockSet = true;
      return this;
    }

    /**
     * Sets how often expired entries are removed without waiting for a reader (default 1 second). The task runs only
     * while some entry can expire. Reads never return an expired entry whatever this interval. Intervals longer
     * than 365 days are accepted and act as 365 days (a sweep that, in practice, never runs).
     *
     * @param expiryCleanupInterval at least 1 millisecond
     * @return this builder
     */
    public Builder expiryCleanupInterval(@Nullable Duration expiryCleanupInterval) {
      this.expiryCleanupInterval = expiryCleanupInterval;
      return this;
    }

    /**
     * Validates the options and builds the backend.
     *
     * @return a new backend, empty
     * @throws CacheConfigurationException naming the option and the value when one is invalid
     */
    public MemoryCacheBackend build() {
      if (name == null || name.isBlank()) {
        throw CacheConfigurationException.invalid("name", name == null ? "null" : "'" + name + "'",
            "a non-blank backend name");
      }
      if (maximumSizeSet && maximumSize < 1) {
        throw CacheConfigurationException.invalid("maximumSize", maximumSize, "a size of at least 1");
      }
      if (maximumWeightSet && maximumWeight < 1) {
        throw CacheConfigurationException.invalid("maximumWeight", maximumWeight, "a weight of at least 1");
      }
      if (maximumSizeSet && maximumWeightSet) {
        throw CacheConfigurationException.invalid("maximumWeight", maximumWeight,
            "either maximumSize or maximumWeight, not both (maximumSize is " + maximumSize + ")");
      }
      if (maximumWeightSet && weigher == null) {
        throw CacheConfigurationException.invalid("weigher", "null",
            "a weigher, which maximumWeight requires: weigher((key, value) -> weight)");
      }
      if (weigherSet && !maximumWeightSet) {
        throw CacheConfigurationException.invalid("weigher", weigher == null ? "null" : "a weigher",
            "a weigher only with maximumWeight (maximumSize counts entries)");
      }
      if (defaultTtlSet && (defaultTtl == null || defaultTtl.isNegative() || defaultTtl.isZero())) {
        throw CacheConfigurationException.invalid("defaultTtl", defaultTtl,
            "a positive duration (leave it unset for no default time to live)");
      }
      if (strategy == null) {
        throw CacheConfigurationException.invalid("strategy", null, "one of ttl, lru, lfu");
      }
      if (clockSet && clock == null) {
        throw CacheConfigurationException.invalid("clock", null,
            "a Reactor Scheduler (leave it unset for Schedulers.parallel())");
      }
      if (expiryCleanupInterval == null || expiryCleanupInterval.compareTo(Duration.ofMillis(1)) < 0) {
        throw CacheConfigurationException.invalid("expiryCleanupInterval", expiryCleanupInterval,
            "a duration of at least 1 millisecond");
      }
      return new MemoryCacheBackend(new Builder(this), clock == null ? Schedulers.parallel() : clock);
    }
  }

  private static boolean lookupByPartsWorks() {
    java.util.HashMap<Object, Object> plain = new java.util.HashMap<>();
    com.github.benmanes.caffeine.cache.Cache<Object, Object> caffeine =
        com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(10).executor(Runnable::run).build();
    return KeyParts.worksWith(plain::get, plain::put) && KeyParts.worksWith(caffeine.asMap()::get, caffeine::put);
  }
}
