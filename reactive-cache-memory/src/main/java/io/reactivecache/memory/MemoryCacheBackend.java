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
import io.reactivecache.spi.KeyPattern;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
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
 *   <li>{@link Strategy#TTL} (default): Caffeine's W-TinyLFU bounded by {@code maximumSize}, each entry expiring at
 *       its own {@link CacheEntry#expiresAt()}. Usually the best hit ratio; the size bound is enforced after each
 *       write, possibly a little later under heavy concurrent writes.</li>
 *   <li>{@link Strategy#LRU}: exact least-recently-used. A read or a write makes a key the most recent; past
 *       {@code maximumSize} the least recent is evicted.</li>
 *   <li>{@link Strategy#LFU}: exact least-frequently-used. A key's count starts at 1 when it is admitted and grows by
 *       one per read or overwrite; the lowest count is evicted, ties going to the least recently used.</li>
 * </ul>
 * For LRU and LFU the size never exceeds {@code maximumSize}; expired entries are evicted before any live one.
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li>Every method is lazy and non-blocking: the work runs on the subscribing thread, in short critical sections
 *       (monitors, never parking locks).</li>
 *   <li>Time comes only from the {@linkplain Builder#clock(Scheduler) clock}. An entry at or past its expiry is never
 *       returned; expired entries are also removed in the background every
 *       {@linkplain Builder#expiryCleanupInterval(Duration) cleanup interval} while some entry can expire.</li>
 *   <li>Values are stored by reference, not copied: callers must not mutate a value after writing it. Writing an
 *       entry that is already expired writes nothing and removes the key's older value.</li>
 *   <li>A value read with a type it is not an instance of is a miss counted in
 *       {@link CacheStats#invalidPayloads()}.</li>
 *   <li>Tag invalidation uses an index (tag to keys) kept in step with writes, deletes, evictions and expiry.</li>
 *   <li>{@link CacheStats#estimatedBytes()} is a rough estimate: a fixed overhead per entry plus key and tags, and
 *       the value's size only for strings, byte arrays and boxed primitives (64 bytes for any other value).</li>
 *   <li>After {@link #close()} every operation fails with a {@link CacheBackendException}.</li>
 * </ul>
 */
public final class MemoryCacheBackend implements CacheBackend {
  private final Builder config;
  private final Scheduler clock;
  private final BackendCounters counters = new BackendCounters();
  private final TagIndex tags = new TagIndex();
  private final Bookkeeping bookkeeping = new Bookkeeping(tags, counters);
  private final EntryStore store;
  private final ExpiryCleanup cleanup;
  private volatile boolean closed;

  private MemoryCacheBackend(Builder config) {
    this.config = config;
    this.clock = config.clock;
    switch (config.strategy) {
      case LRU:
        store = LockedStore.lru(config.maximumSize, bookkeeping);
        break;
      case LFU:
        store = LockedStore.lfu(config.maximumSize, bookkeeping);
        break;
      default:
        store = new CaffeineStore(config.maximumSize, clock, bookkeeping);
        break;
    }
    cleanup = new ExpiryCleanup(clock, config.expiryCleanupInterval.toMillis(), () -> store.cleanUp(now()),
        bookkeeping::expiringEntries);
  }

  /**
   * Returns a builder with the defaults: name {@code "memory"}, {@link BackendSettings#DEFAULT_MAXIMUM_SIZE} entries, no default time to live,
   * {@link Strategy#TTL}, {@link Schedulers#parallel()} as the clock, cleanup every second.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder holding this backend's configuration, to build a similar one.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    return new Builder(config);
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
   * Returns the largest number of entries held.
   *
   * @return the maximum size
   */
  public long maximumSize() {
    return config.maximumSize;
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
    return Optional.ofNullable(read(key, type, now()));
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
      store.removeAll(now());
      tags.clear();
    });
  }

  @Override
  public String toString() {
    return "MemoryCacheBackend{name=" + config.name + ", strategy=" + config.strategy.id() + ", maximumSize="
        + config.maximumSize + (closed ? ", closed" : "") + '}';
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

  /** Tells whether the background cleanup is scheduled. */
  boolean cleanupRunning() {
    return cleanup.isRunning();
  }

  private <T> CacheEntry<T> read(String key, ValueType<T> type, long now) {
    Stored stored = store.get(key, now);
    if (stored == null) {
      counters.miss();
      return null;
    }
    CacheEntry<?> entry = stored.entry();
    if (!entry.isAbsent() && !stored.holds(type)) {
      counters.invalidPayload();
      return null;
    }
    counters.hit();
    return entry.retype();
  }

  private void write(String key, CacheEntry<?> entry, long now) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(entry, "entry");
    if (now >= entry.expiresAt()) {
      // Not written; the key's older value must not outlive a newer write, so it goes.
      if (store.remove(key, now) != null) {
        counters.deleted(1);
      }
      return;
    }
    store.put(new Stored(key, entry, 1), now);
    counters.put();
    if (entry.expiresAt() != CacheEntry.NEVER) {
      cleanup.ensureRunning();
    }
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
   * Configures a {@link MemoryCacheBackend}. Setters record values; {@link #build()} validates all of them and fails
   * with a {@link CacheConfigurationException} naming the first bad option. Not thread-safe; the backend it builds
   * keeps its own copy.
   */
  public static final class Builder {
    private String name = "memory";
    private long maximumSize = BackendSettings.DEFAULT_MAXIMUM_SIZE;
    private Duration defaultTtl;
    private boolean defaultTtlSet;
    private Strategy strategy = Strategy.TTL;
    private Scheduler clock;
    private boolean clockSet;
    private Duration expiryCleanupInterval = Duration.ofSeconds(1);

    private Builder() {}

    private Builder(Builder other) {
      name = other.name;
      maximumSize = other.maximumSize;
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
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /**
     * Sets the largest number of entries (default 1,000).
     *
     * @param maximumSize at least 1
     * @return this builder
     */
    public Builder maximumSize(long maximumSize) {
      this.maximumSize = maximumSize;
      return this;
    }

    /**
     * Sets the time to live the cache applies to values written without one (default: none, values live until
     * evicted). The backend stores entries with the expiry they carry; this is what {@link #defaultTtl()} reports
     * to the layer that builds entries.
     *
     * @param defaultTtl a positive duration
     * @return this builder
     */
    public Builder defaultTtl(Duration defaultTtl) {
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
    public Builder strategy(Strategy strategy) {
      this.strategy = strategy;
      return this;
    }

    /**
     * Sets the clock (default {@link Schedulers#parallel()}): all time — freshness, expiry, Caffeine's ticker — is
     * read from {@link Scheduler#now(TimeUnit)}, and the cleanup task is scheduled on it. The scheduler is borrowed:
     * the backend never disposes it.
     *
     * @param clock the scheduler
     * @return this builder
     */
    public Builder clock(Scheduler clock) {
      this.clock = clock;
      this.clockSet = true;
      return this;
    }

    /**
     * Sets how often expired entries are removed without waiting for a reader (default 1 second). The task runs only
     * while some entry can expire. Reads never return an expired entry whatever this interval.
     *
     * @param expiryCleanupInterval at least 1 millisecond
     * @return this builder
     */
    public Builder expiryCleanupInterval(Duration expiryCleanupInterval) {
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
      if (maximumSize < 1) {
        throw CacheConfigurationException.invalid("maximumSize", maximumSize, "a size of at least 1");
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
      Builder frozen = new Builder(this);
      if (frozen.clock == null) {
        frozen.clock = Schedulers.parallel();
      }
      return new MemoryCacheBackend(frozen);
    }
  }
}
