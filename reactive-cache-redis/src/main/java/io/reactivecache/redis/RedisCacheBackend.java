package io.reactivecache.redis;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.reactive.RedisClusterReactiveCommands;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.reactivecache.CacheBackendException;
import io.reactivecache.CacheHealth;
import io.reactivecache.CacheStats;
import io.reactivecache.Strategy;
import io.reactivecache.ValueType;
import io.reactivecache.spi.BackendCounters;
import io.reactivecache.spi.CacheBackend;
import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.KeyPattern;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectReader;

/**
 * The Redis backend: entries in Redis under a namespace, shared by every instance that uses the same namespace.
 * Created by {@link RedisCache#builder()}.
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li>One node ({@code url}) or a Redis Cluster ({@code clusterNodes}), through one code path: the commands of both
 *       share Lettuce's {@code RedisClusterReactiveCommands}; every script's keys share one hash slot (see
 *       {@link RedisKeyLayout} for where a namespace lives and {@link LuaScripts} for what is atomic).</li>
 *   <li>One shared Lettuce connection, opened on first use and re-established by Lettuce after a loss; when
 *       the circuit breaker opens on timeouts, the connection is closed and a new one opened on the next call
 *       (a half-open connection is never waited on).</li>
 *   <li>Each command runs under a timeout, inside a circuit breaker (on a cluster, the breaker of the master that
 *       serves its slot), inside a retry (transient failures only).
 *       Every failure reaches the caller as a {@link CacheBackendException} whose message says what to do; a
 *       value that does not decode is a counted miss, never an error, and never counts against the breaker.</li>
 *   <li>{@code LRU} and {@code LFU} bound the namespace's size on the server, atomically, by a Lua script:
 *       every instance sees and enforces the same order.</li>
 *   <li>Tags are kept in one Redis set per tag, so {@link #invalidateTag} never scans the keyspace; on a cluster
 *       {@link #clear} and {@link #deletePattern} scan every master.</li>
 *   <li>Keys are stored whole up to 512 UTF-8 bytes, longer ones under a shortened name no other key can take;
 *       {@link #deletePattern} deletes exactly the keys whose whole key {@link KeyPattern#matches matches}.</li>
 * </ul>
 *
 * <p>Thread-safe; every method is lazy and non-blocking. {@link #toString()} never shows the password.
 */
public final class RedisCacheBackend implements CacheBackend {
  private static final int SCAN_COUNT = 500;
  private static final int TAG_BATCH = 500;
  /** Writes of one {@link #putAll} awaiting their reply at most. */
  static final int BULK_IN_FLIGHT = 16;
  /** Values up to this size are decoded on the thread their reply arrives on; larger ones off it. */
  static final int DECODE_INLINE_BYTES = 16 * 1024;
  /** A GET's reply for a missing key (a Mono cannot carry null); compared by identity. */
  private static final byte[] MISSING = new byte[0];

  private final RedisSettings settings;
  private final RedisKeyLayout layout;
  private final EnvelopeCodec codec;
  private final RedisConnector connector;
  private final RedisFailures failures;
  private final String strategyId;
  private final String accessSet;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** The Reactor bound of one command on a cluster (see {@link #bounded}); null for one node. */
  private final Duration clusterBound;

  private final BackendCounters counters = new BackendCounters();

  RedisCacheBackend(RedisSettings settings) {
    this.settings = settings;
    this.layout = new RedisKeyLayout(settings.namespace(), settings.strategy());
    this.codec = new EnvelopeCodec(settings.jsonMapper(), settings.maxNestingDepth(), settings.maxValueBytes());
    this.failures = new RedisFailures(settings, this::replaceConnection,
        settings.cluster() ? this::topology : null);
    this.connector = new RedisConnector(settings, failures);
    this.strategyId = settings.strategy().id();
    this.accessSet = layout.accessSet(strategyId);
    this.clusterBound = settings.cluster() ? settings.connectTimeout().plus(settings.commandTimeout()) : null;
  }

  @Override
  public String name() {
    return settings.name();
  }

  @Override
  public Optional<Duration> defaultTtl() {
    return settings.defaultTtl();
  }

  /**
   * Returns the namespace every key of this backend lives under.
   *
   * @return the namespace, as configured
   */
  public String namespace() {
    return settings.namespace();
  }

  /**
   * Returns the circuit breaker guarding Redis calls, for metrics or manual control (for example
   * {@code transitionToForcedOpenState()} during maintenance). It belongs to this backend.
   *
   * <p>On a Redis Cluster each master also has a breaker of its own, through which the commands for its slots go
   * (a dead master short-circuits its keys only); this one then guards what is not one master's (connecting,
   * commands over several slots, the scans of {@link #clear} and {@link #deletePattern}), and when forced open or
   * disabled by hand it decides for every call. {@link #health()} names the masters whose breaker is not closed.
   *
   * @return the backend's circuit breaker
   */
  public CircuitBreaker circuitBreaker() {
    return failures.breaker();
  }

  @Override
  public <T> Mono<CacheEntry<T>> get(String key, ValueType<T> type) {
    String stored = layout.entry(key);
    String expected = layout.envelopeKey(key);
    if (settings.strategy() == Strategy.TTL) {
      ObjectReader ready = codec.readyReader(type);
      if (ready != null) {
        return new RedisGet<>(this, stored, expected, type, ready);
      }
      return withReader(type, reader -> getGenerally(stored, expected, type, reader));
    }
    return withReader(type, reader -> readRaw(List.of(stored))
        .flatMap(values -> Mono.justOrEmpty(decodeCounted(expected, values.get(0), type, reader))));
  }

  /** A TTL entry's GET on the general path: connect if needed, the breaker and retry, then decode. */
  <T> Mono<CacheEntry<T>> getGenerally(String stored, String expected, ValueType<T> type, ObjectReader reader) {
    return decoded(guarded("get", stored, asyncGet(stored)), expected, type, reader);
  }

  /** What a {@link RedisGet} whose first attempt failed continues with: the retries, then the decode. */
  <T> Mono<CacheEntry<T>> getAfterFailure(Throwable first, String stored, String expected, ValueType<T> type,
      ObjectReader reader) {
    return decoded(failures.continueAfter("get", stored, first, asyncGet(stored)), expected, type, reader);
  }

  /** A GET's reply, decoded and counted; no reply (a missing key) is a counted miss. */
  private <T> Mono<CacheEntry<T>> decoded(Mono<byte[]> reply, String expected, ValueType<T> type,
      ObjectReader reader) {
    return reply.defaultIfEmpty(MISSING).flatMap(value -> decodeOne(expected, value, type, reader));
  }

  /**
   * One GET through Lettuce's async API: its future is the reply, without the reactive command's publisher. The
   * reply completes on the connection's I/O thread, where a small value is decoded at once (as the caller's work
   * after it runs there too, as with Lettuce's own default); a value over {@link #DECODE_INLINE_BYTES} is decoded
   * on {@link Schedulers#parallel()} instead, so that a large value never holds up the replies behind it.
   * A missing key gives {@link #MISSING}.
   */
  private Mono<byte[]> getOne(String storedKey) {
    return guarded("get", storedKey, asyncGet(storedKey)).defaultIfEmpty(MISSING);
  }

  /** One GET on the connection current at subscription (connecting first if needed), bounded. */
  private Mono<byte[]> asyncGet(String storedKey) {
    return connector.async().flatMap(c -> bounded(Mono.fromCompletionStage(c.get(storedKey))));
  }

  private <T> Mono<CacheEntry<T>> decodeOne(String expected, byte[] value, ValueType<T> type,
      ObjectReader reader) {
    if (value.length > DECODE_INLINE_BYTES) {
      return Mono.fromCallable(() -> decodeCounted(expected, value, type, reader))
          .subscribeOn(Schedulers.parallel());
    }
    return Mono.justOrEmpty(decodeCounted(expected, value == MISSING ? null : value, type, reader));
  }

  /** The connection when one is open, else null (a {@link RedisGet} then goes the general way). */
  StatefulConnection<String, byte[]> openConnection() {
    return connector.openConnection();
  }

  RedisFailures failures() {
    return failures;
  }

  /** The client's timer wheel, where a {@link RedisGet} bounds itself; null once closed. */
  io.netty.util.Timer timer() {
    return connector.timer();
  }

  boolean isClosed() {
    return closed.get();
  }

  /** The Reactor bound of one command where Lettuce's own timeout is not the bound (see {@link #bounded}), else null. */
  Duration commandBound() {
    return clusterBound != null ? clusterBound : settings.redisClient() == null ? null : settings.commandTimeout();
  }

  @Override
  public <T> Mono<Map<String, CacheEntry<T>>> getAll(Collection<String> keys, ValueType<T> type) {
    List<String> distinct = new ArrayList<>(new LinkedHashSet<>(keys));
    if (distinct.isEmpty()) {
      return Mono.defer(() -> closed.get() ? Mono.error(closedException("getAll")) : Mono.just(Map.of()));
    }
    List<String> stored = distinct.stream().map(layout::entry).toList();
    return withReader(type, reader -> readRaw(stored).map(values -> {
      Map<String, CacheEntry<T>> found = new LinkedHashMap<>();
      for (int i = 0; i < distinct.size(); i++) {
        CacheEntry<T> entry = decodeCounted(layout.envelopeKey(distinct.get(i)), values.get(i), type, reader);
        if (entry != null) {
          found.put(distinct.get(i), entry);
        }
      }
      return found;
    }));
  }

  /**
   * Runs a read with the value type's reader. The first read of a type makes the reader on
   * {@link Schedulers#boundedElastic()}: Jackson builds deserializers under a lock, which must not be waited on
   * by an event loop (the reply thread that decodes) or a caller's non-blocking thread. Later reads find it made.
   */
  private <T, R> Mono<R> withReader(ValueType<T> type, Function<ObjectReader, Mono<R>> read) {
    ObjectReader ready = codec.readyReader(type);
    if (ready != null) {
      return read.apply(ready);
    }
    return Mono.fromCallable(() -> codec.reader(type))
        .subscribeOn(Schedulers.boundedElastic())
        .flatMap(read);
  }

  /** Reads values in one round trip, recording the access for LRU / LFU; a missing key gives null. */
  private Mono<List<byte[]>> readRaw(List<String> storedKeys) {
    if (settings.strategy() == Strategy.TTL) {
      if (storedKeys.size() == 1) {
        return getOne(storedKeys.get(0)).map(v -> listOf(v == MISSING ? null : v));
      }
      return run("getAll", null, c -> c.mget(storedKeys.toArray(String[]::new))
          // A list may hold nulls where a Flux may not: misses become null here, after the Flux.
          .map(kv -> kv.hasValue() ? List.of(kv.getValue()) : List.<byte[]>of())
          .collectList()
          .map(rows -> {
            List<byte[]> values = new ArrayList<>(rows.size());
            rows.forEach(row -> values.add(row.isEmpty() ? null : row.get(0)));
            return values;
          }));
    }
    String[] keys = new String[storedKeys.size() + 2];
    keys[0] = accessSet;
    keys[1] = layout.sequence();
    for (int i = 0; i < storedKeys.size(); i++) {
      keys[i + 2] = storedKeys.get(i);
    }
    return run(storedKeys.size() == 1 ? "get" : "getAll", keys[0],
        c -> script(c, LuaScripts.GET_TOUCH, ScriptOutputType.MULTI, keys, bytes(strategyId))
            .collectList()
            .map(RedisCacheBackend::flattenValues));
  }

  private static List<byte[]> listOf(byte[] value) {
    List<byte[]> list = new ArrayList<>(1);
    list.add(value);
    return list;
  }

  private static List<byte[]> flattenValues(List<Object> reply) {
    List<?> items = reply.size() == 1 && reply.get(0) instanceof List<?> nested ? nested : reply;
    List<byte[]> values = new ArrayList<>(items.size());
    for (Object item : items) {
      values.add(item instanceof byte[] b ? b : null);
    }
    return values;
  }

  /** Decodes and counts: a hit, or a miss (absent, expired by the clock, undecodable). */
  <T> CacheEntry<T> decodeCounted(String envelopeKey, byte[] value, ValueType<T> type,
      ObjectReader reader) {
    if (value == null) {
      counters.miss();
      return null;
    }
    EnvelopeCodec.Decoded<T> decoded = codec.decode(envelopeKey, value, type, reader);
    if (!decoded.isValid()) {
      counters.invalidPayload();
      return null;
    }
    if (decoded.entry().freshness(now()) == CacheEntry.Freshness.EXPIRED) {
      counters.miss();
      return null;
    }
    counters.hit();
    return decoded.entry();
  }

  @Override
  public Mono<Void> put(String key, CacheEntry<?> entry) {
    return Mono.defer(() -> {
      if (closed.get()) {
        return Mono.error(closedException("put"));
      }
      long now = now();
      if (entry.freshness(now) == CacheEntry.Freshness.EXPIRED) {
        // Not written; the key's older value must not outlive a newer write, so it goes (as in memory).
        return remove("put", key).then();
      }
      String stored = layout.entry(key);
      byte[] envelope;
      try {
        envelope = codec.encode(layout.envelopeKey(key), entry);
      } catch (RuntimeException e) {
        if (isOversized(e)) {
          // Not written (counted); the older value goes too, or it would be served as if this write had not been.
          counters.rejectedWrite();
          return remove("put", key).then();
        }
        if (e instanceof JacksonException) {
          return Mono.error(new CacheBackendException(settings.name(), "put could not encode a value of type "
              + entry.value().getClass().getName() + " as JSON (" + e.getClass().getSimpleName()
              + "); make the type serializable by Jackson or lend a configured jsonMapper", e));
        }
        throw e;
      }
      long ttl = entry.expiresAt() == CacheEntry.NEVER ? 0 : Math.max(1, entry.millisToExpiry(now));
      Mono<Long> write;
      if (layout.oneSlot()) {
        String[] keys = {stored, accessSet, layout.sequence()};
        write = run("put", stored, c -> script(c, LuaScripts.PUT, ScriptOutputType.INTEGER, keys, envelope,
                bytes(Long.toString(ttl)), bytes(strategyId), bytes(Long.toString(settings.maximumSize())))
                .next())
            .map(n -> ((Number) n).longValue());
      } else {
        SetArgs expiry = ttl > 0 ? SetArgs.Builder.px(ttl) : null;
        write = run("put", stored, c -> expiry == null ? c.set(stored, envelope) : c.set(stored, envelope, expiry))
            .thenReturn(0L);
      }
      if (!entry.tags().isEmpty()) {
        // Memberships before the entry, so that the entry is never in Redis without them (a put failing half-way
        // leaves no tagged entry an invalidation cannot find), and again after it: an invalidation takes its
        // processed members out of the tag set and removes their entries, atomically on one node, in two commands
        // where the set lives on another master (TTL on a cluster). A put whose first memberships land before that
        // and whose entry lands after it would keep its entry, lose its membership, and be missed by the next
        // invalidation of the tag (TagRaceIT). A membership written again for an entry the invalidation removed
        // meanwhile is a stale member: harmless, invalidation checks the entry's current tags.
        byte[] member = bytes(stored);
        byte[] ttlArg = bytes(Long.toString(ttl));
        Mono<Void> memberships = Flux.fromIterable(entry.tags())
            .flatMap(tag -> {
              String tagSet = layout.tagSet(tag);
              return run("put", tagSet, c -> script(c, LuaScripts.TAG_ADD, ScriptOutputType.INTEGER,
                  new String[] {tagSet}, member, ttlArg).next());
            })
            .then();
        write = memberships.then(write).flatMap(evicted -> memberships.thenReturn(evicted));
      }
      return write
          .doOnNext(evicted -> {
            counters.put();
            counters.evicted(evicted);
          })
          .doOnError(e -> {
            if (RedisFailures.classify(e) == RedisFailures.Kind.OOM) {
              counters.rejectedWrite();
            }
          })
          .then();
    });
  }

  private static boolean isOversized(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof EnvelopeCodec.OversizedValueException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Writes the entries with at most {@value #BULK_IN_FLIGHT} writes awaiting their reply: pipelined on the one
   * connection, yet never so many at once that the last replies come after their command timeout. Sent all at
   * once, 20,000 writes with a 100 ms timeout timed out by the hundred on a healthy server and opened the breaker.
   */
  @Override
  public Mono<Void> putAll(Map<String, ? extends CacheEntry<?>> entries) {
    return Flux.fromIterable(List.copyOf(entries.entrySet()))
        .flatMap(e -> put(e.getKey(), e.getValue()), BULK_IN_FLIGHT)
        .then();
  }

  @Override
  public Mono<Boolean> delete(String key) {
    return remove("delete", key);
  }

  /** Removes one key, with its place in the LRU / LFU order in the same step; counts it. */
  private Mono<Boolean> remove(String operation, String key) {
    return removeStored(operation, List.of(layout.entry(key))).map(n -> n > 0);
  }

  /**
   * Removes stored entries in one step: UNLINK for {@code ttl}; for LRU / LFU one script that also takes them out
   * of the order, so that a write of the same key by another instance can never fall between the two and lose its
   * place in the order (the namespace would then outgrow its bound). Counts what was removed.
   */
  private Mono<Long> removeStored(String operation, List<String> storedKeys) {
    if (storedKeys.isEmpty()) {
      return Mono.just(0L);
    }
    Mono<Long> removed;
    if (settings.strategy() == Strategy.TTL) {
      String[] keys = storedKeys.toArray(String[]::new);
      removed = run(operation, keys.length == 1 ? keys[0] : null, c -> c.unlink(keys));
    } else {
      String[] keys = new String[storedKeys.size() + 1];
      keys[0] = accessSet;
      for (int i = 0; i < storedKeys.size(); i++) {
        keys[i + 1] = storedKeys.get(i);
      }
      removed = run(operation, keys[0], c -> script(c, LuaScripts.DELETE, ScriptOutputType.INTEGER, keys).next())
          .map(n -> ((Number) n).longValue());
    }
    return removed.doOnNext(counters::deleted);
  }

  @Override
  public Mono<Boolean> exists(String key) {
    String stored = layout.entry(key);
    String expected = layout.envelopeKey(key);
    return run("exists", stored, c -> c.get(stored))
        .map(value -> {
          EnvelopeCodec.Header header = EnvelopeCodec.header(value);
          return header != null && header.key().equals(expected) && now() < header.expiresAt();
        })
        .defaultIfEmpty(false);
  }

  /**
   * Removes every entry of the namespace (on a cluster, on every master), then tidies the bookkeeping: tag-set and
   * order members whose entry is gone, and the access sequence once no order holds an entry. The bookkeeping is
   * never deleted wholesale: an entry another instance writes meanwhile keeps its tag memberships and its place in
   * the order. A member is pruned only by a script that declares both the set and the member, so where they live in
   * different slots (a {@code ttl} namespace on a cluster) the stale member stays, harmless, until its tag is
   * invalidated or the set expires. Finally the keys an earlier layout wrote under other names for this namespace
   * are removed ({@link RedisKeyLayout#hasLegacyNames()}).
   */
  @Override
  public Mono<Void> clear() {
    Mono<Long> entries = scan("clear", layout.scanEntries())
        .concatMap(batch -> removeStored("clear", batch))
        .reduce(0L, Long::sum);
    Mono<Void> bookkeeping = scan("clear", layout.scanBookkeeping())
        .concatMap(batch -> Flux.fromIterable(batch).concatMap(this::prune))
        .then();
    Mono<Void> done = entries.then(bookkeeping);
    if (layout.oneSlot()) {
      String[] orders = {layout.accessSet(Strategy.LRU.id()), layout.accessSet(Strategy.LFU.id()),
          layout.sequence()};
      done = done.then(run("clear", orders[0],
          c -> script(c, LuaScripts.FORGET_SEQUENCE, ScriptOutputType.INTEGER, orders).next())).then();
    }
    if (layout.hasLegacyNames()) {
      // Layout 1's keys of this namespace: never read by this layout, so removed whole, entries and bookkeeping.
      done = done
          .thenMany(scan("clear", layout.legacyKeys()))
          .concatMap(batch -> run("clear", null, c -> c.unlink(batch.toArray(String[]::new))))
          .then();
    }
    return done;
  }

  /** Removes the members of a tag set or an access order whose entry no longer exists. */
  private Mono<Void> prune(String bookkeepingKey) {
    boolean order = bookkeepingKey.equals(layout.accessSet(Strategy.LRU.id()))
        || bookkeepingKey.equals(layout.accessSet(Strategy.LFU.id()));
    if (!order && !layout.isTagSet(bookkeepingKey)) {
      return Mono.empty();
    }
    ScanArgs args = ScanArgs.Builder.limit(SCAN_COUNT);
    Function<ScanCursor, Mono<Page>> page = order
        ? cursor -> run("clear", bookkeepingKey, c -> c.zscan(bookkeepingKey, cursor, args))
            .map(next -> members(next, next.getValues().stream().map(ScoredValue::getValue).toList()))
        : cursor -> run("clear", bookkeepingKey, c -> c.sscan(bookkeepingKey, cursor, args))
            .map(next -> members(next, next.getValues()));
    byte[] kind = bytes(order ? "zset" : "set");
    return pages(page)
        .concatMap(members -> {
          List<String> local = sameSlotAs(bookkeepingKey, members);
          if (local.isEmpty()) {
            return Mono.empty();
          }
          String[] keys = new String[local.size() + 1];
          keys[0] = bookkeepingKey;
          for (int i = 0; i < local.size(); i++) {
            keys[i + 1] = local.get(i);
          }
          return run("clear", bookkeepingKey,
              c -> script(c, LuaScripts.PRUNE, ScriptOutputType.INTEGER, keys, kind).next());
        })
        .then();
  }

  /**
   * The keys in the same hash slot as {@code key}: all of them on a single node (a script may touch any key
   * there), only those of its slot on a cluster (a script's keys must share one).
   */
  private List<String> sameSlotAs(String key, List<String> keys) {
    if (!settings.cluster()) {
      return keys;
    }
    int slot = RedisKeyLayout.slotOf(key);
    return keys.stream().filter(k -> RedisKeyLayout.slotOf(k) == slot).toList();
  }

  /**
   * Groups keys for scripts that take several: one group on a single node, one per hash slot on a cluster (a
   * script's keys must share a slot there). Keeps the keys' order within each group.
   */
  private Collection<List<String>> bySlot(List<String> keys) {
    if (!settings.cluster() || layout.oneSlot()) {
      return List.of(keys);
    }
    Map<Integer, List<String>> groups = new LinkedHashMap<>();
    for (String key : keys) {
      groups.computeIfAbsent(RedisKeyLayout.slotOf(key), slot -> new ArrayList<>()).add(key);
    }
    return groups.values();
  }

  /** One page of a SCAN-like command: the members, the cursor to go on from (null when finished). */
  private record Page(List<String> items, ScanCursor next) {}

  private static Page members(ScanCursor cursor, List<byte[]> raw) {
    List<String> items = raw.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    return new Page(items, cursor.isFinished() ? null : cursor);
  }

  /** Runs a SCAN-like command to its end, page by page; non-empty pages only. */
  private static Flux<List<String>> pages(Function<ScanCursor, Mono<Page>> command) {
    return command.apply(ScanCursor.INITIAL)
        .expand(page -> page.next() == null ? Mono.empty() : command.apply(page.next()))
        .map(Page::items)
        .filter(items -> !items.isEmpty());
  }

  /**
   * Deletes the entries whose whole key {@link KeyPattern#matches matches}, exactly those the memory backend
   * deletes. Redis finds candidates with a superset glob (it matches bytes, and a long key's stored name holds
   * only its head); each candidate's whole key is then matched here: taken from its stored name, or for a long
   * key from its envelope.
   */
  @Override
  public Mono<Long> deletePattern(KeyPattern pattern) {
    return scan("deletePattern", layout.scanPattern(pattern))
        .concatMap(batch -> matching(batch, pattern))
        .concatMap(chosen -> removeStored("deletePattern", chosen))
        .reduce(0L, Long::sum);
  }

  private Mono<List<String>> matching(List<String> candidates, KeyPattern pattern) {
    List<String> chosen = new ArrayList<>();
    List<String> shortened = new ArrayList<>();
    for (String stored : candidates) {
      if (layout.isShortened(stored)) {
        shortened.add(stored);
      } else {
        String key = layout.inlineKey(stored);
        if (key != null && pattern.matches(key)) {
          chosen.add(stored);
        }
      }
    }
    if (shortened.isEmpty()) {
      return Mono.just(chosen);
    }
    return Flux.fromIterable(bySlot(shortened))
        .concatMap(group -> {
          String[] keys = group.toArray(String[]::new);
          return run("deletePattern", keys[0],
              c -> script(c, LuaScripts.ENVELOPE_KEYS, ScriptOutputType.MULTI, keys).collectList())
              .doOnNext(reply -> {
                List<byte[]> envelopeKeys = flattenValues(reply);
                for (int i = 0; i < group.size() && i < envelopeKeys.size(); i++) {
                  byte[] recorded = envelopeKeys.get(i);
                  String key = recorded == null ? null
                      : layout.keyOfEnvelope(group.get(i), new String(recorded, StandardCharsets.UTF_8));
                  if (key != null && pattern.matches(key)) {
                    chosen.add(group.get(i));
                  }
                }
              });
        })
        .then(Mono.fromSupplier(() -> chosen));
  }

  private Flux<List<String>> scan(String operation, String match) {
    ScanArgs args = ScanArgs.Builder.matches(match.getBytes(StandardCharsets.UTF_8)).limit(SCAN_COUNT);
    return pages(cursor -> run(operation, null, c -> c.scan(cursor, args))
        .map(next -> new Page(next.getKeys(), next.isFinished() ? null : next)));
  }

  /**
   * Removes the entries written with a tag that still carry it: reads the tag's set page by page (SSCAN, never a
   * keyspace scan), groups the members by hash slot, and per group runs one script that declares those entries and
   * removes each whose envelope still names the tag. The processed members leave the set in the same script where
   * the set shares their slot (always on a single node and under {@code lru} / {@code lfu}), else by an SREM of
   * exactly those members just before the script, never a DEL of the set, which would drop a member a concurrent
   * put just added.
   */
  @Override
  public Mono<Long> invalidateTag(String tag) {
    String tagSet = layout.tagSet(tag);
    ScanArgs args = ScanArgs.Builder.limit(TAG_BATCH);
    return pages(cursor -> run("invalidateTag", tagSet, c -> c.sscan(tagSet, cursor, args))
            .map(next -> members(next, next.getValues())))
        .concatMap(members -> Flux.fromIterable(bySlot(members))
            .concatMap(group -> invalidateMembers(tag, tagSet, group)))
        .reduce(0L, Long::sum)
        .doOnNext(counters::deleted);
  }

  private Mono<Long> invalidateMembers(String tag, String tagSet, List<String> members) {
    boolean order = layout.oneSlot();
    boolean setHere = !settings.cluster()
        || RedisKeyLayout.slotOf(tagSet) == RedisKeyLayout.slotOf(members.get(0));
    List<String> keys = new ArrayList<>(members.size() + 2);
    if (order) {
      keys.add(accessSet);
    }
    if (setHere) {
      keys.add(tagSet);
    }
    int first = keys.size() + 1;
    keys.addAll(members);
    String[] keyArray = keys.toArray(String[]::new);
    Mono<Long> removed = run("invalidateTag", keyArray[0], c -> script(c, LuaScripts.INVALIDATE_MEMBERS,
        ScriptOutputType.INTEGER, keyArray, bytes(tag), bytes(Integer.toString(first)), bytes(order ? "1" : "0"),
        bytes(setHere ? Integer.toString(order ? 2 : 1) : "0")).next())
        .map(n -> ((Number) n).longValue());
    if (setHere) {
      return removed;
    }
    // The set lives on another slot: the members leave it first, then their entries go. Removed after the
    // entries instead, a put of one of them that added its membership between the two steps (a put that started
    // after the entries were removed) would lose it. This order loses one only to a put that spans both steps.
    // If removing the entries fails, the members go back, so that the next invalidation still finds them.
    byte[][] processed = members.stream().map(RedisCacheBackend::bytes).toArray(byte[][]::new);
    return run("invalidateTag", tagSet, c -> c.srem(tagSet, processed))
        .then(removed)
        .onErrorResume(e -> run("invalidateTag", tagSet, c -> c.sadd(tagSet, processed))
            .onErrorResume(ignored -> Mono.empty())
            .then(Mono.error(e)));
  }

  private static List<Long> flattenLongs(List<Object> reply) {
    List<?> items = reply.size() == 1 && reply.get(0) instanceof List<?> nested ? nested : reply;
    List<Long> values = new ArrayList<>(items.size());
    for (Object item : items) {
      values.add(item instanceof Number n ? n.longValue() : 0L);
    }
    return values;
  }

  @Override
  public Mono<CacheStats> stats() {
    Mono<Long> size = settings.strategy() == Strategy.TTL || closed.get() ? Mono.just(-1L)
        : connector.commands()
            .flatMap(c -> c.zcard(accessSet))
            .timeout(settings.commandTimeout())
            // A gauge that cannot be read now is "unknown" (-1), as CacheStats documents; stats never fail.
            .onErrorReturn(-1L);
    return size.map(n -> counters.snapshot(n, -1));
  }

  @Override
  public Mono<CacheHealth> health() {
    return Mono.defer(() -> {
      if (closed.get()) {
        return Mono.just(CacheHealth.down("closed: the backend was closed"));
      }
      CircuitBreaker breaker = failures.breaker();
      CircuitBreaker.State state = breaker.getState();
      if (state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN) {
        return Mono.just(CacheHealth.down("circuit breaker " + state + " after "
            + breaker.getMetrics().getNumberOfFailedCalls() + " failures: " + failures.lastFailure()));
      }
      if (failures.breakers().noMasterAnswers()) {
        return Mono.just(CacheHealth.down("circuit breakers of every cluster master open: "
            + describe(failures.breakers().sickMasters())));
      }
      return connector.ping(settings.commandTimeout())
          .map(wrong -> {
            if (state == CircuitBreaker.State.HALF_OPEN) {
              return CacheHealth.degraded("circuit breaker HALF_OPEN: Redis answers again, calls are being"
                  + " probed after: " + failures.lastFailure());
            }
            if (!wrong.isEmpty()) {
              StringBuilder which = new StringBuilder();
              wrong.forEach((address, what) -> which.append(which.isEmpty() ? "" : "; ").append(address)
                  .append(' ').append(settings.scrub(what)));
              return CacheHealth.degraded("cluster master(s) " + which + "; the other masters' keys are served");
            }
            List<Breakers.Sick> sick = failures.breakers().sickMasters();
            if (!sick.isEmpty()) {
              return CacheHealth.degraded("circuit breaker of cluster master(s) " + describe(sick) + ": the keys"
                  + " of their slots fail fast, the other masters' are served");
            }
            failures.recovered();
            return CacheHealth.up();
          })
          .onErrorResume(e -> {
            if (e instanceof RedisConnector.NoMasterServes) {
              return Mono.just(CacheHealth.down("no cluster master serves keys: " + settings.scrub(e.getMessage())));
            }
            if (RedisFailures.masterUnknown(e)) {
              // As for calls (RedisFailures): the next health check, or call, asks the sentinels again.
              connector.reset();
            }
            RedisFailures.Kind kind = failures.kindOf(e);
            String reason = switch (kind) {
              case AUTH -> "auth: credentials rejected by Redis at " + settings.endpoint()
                  + "; check the user name and password in the url"
                  + (settings.sentinel() ? " (the data nodes') and sentinelPassword (the sentinels')" : "");
              case TLS -> "tls: Redis at " + settings.endpoint() + ": "
                  + settings.scrub(RedisConnector.rootMessage(e));
              case TIMEOUT -> "timeout: no reply from Redis at " + settings.endpoint() + " within "
                  + settings.commandTimeout();
              default -> "unreachable: Redis at " + settings.endpoint() + ": "
                  + settings.scrub(RedisConnector.rootMessage(e));
            };
            return Mono.just(CacheHealth.down(reason));
          });
    });
  }

  /**
   * The masters' breakers that are not closed, each with the last failure it counted, e.g.
   * "127.0.0.1:7001 OPEN after 3 failures (last: connection: Connection refused)".
   */
  private String describe(List<Breakers.Sick> sick) {
    StringBuilder text = new StringBuilder();
    for (Breakers.Sick master : sick) {
      if (!text.isEmpty()) {
        text.append("; ");
      }
      String last = failures.lastFailure(master.breaker());
      text.append(master.address()).append(' ').append(master.breaker().getState()).append(" after ")
          .append(master.breaker().getMetrics().getNumberOfFailedCalls()).append(" failures")
          .append(last.isEmpty() ? "" : " (last: " + last + ")");
    }
    return text.toString();
  }

  @Override
  public Mono<Void> close() {
    return Mono.defer(() -> {
      closed.set(true);
      return connector.close();
    });
  }

  RedisSettings settings() {
    return settings;
  }

  /** The cluster's current topology, by which each master's calls get their own breaker; null while not connected. */
  private Partitions topology() {
    return connector.topology();
  }

  /** The breaker opened on timeouts: the connection may be half-open, so the next call gets a new one. */
  private void replaceConnection() {
    connector.reset();
  }

  @Override
  public String toString() {
    return "RedisCacheBackend{" + settings + '}';
  }

  // ---------------------------------------------------------------------------------------------------------

  /**
   * Runs a command under the breaker and retry.
   *
   * @param routingKey the stored key the command is routed by (all of its keys share that key's slot), or null when
   *     it reaches several slots or every master: on a cluster it chooses the breaker ({@link Breakers})
   */
  private <T> Mono<T> run(String operation, String routingKey,
      Function<RedisClusterReactiveCommands<String, byte[]>, ? extends Mono<T>> command) {
    return guarded(operation, routingKey, connector.commands().flatMap(c -> bounded(command.apply(c))));
  }

  /**
   * Runs a command (bounded, and a new request per subscription: a retry subscribes again) under the breaker and
   * retry, unless the backend is closed.
   */
  private <T> Mono<T> guarded(String operation, String routingKey, Mono<T> command) {
    return Mono.defer(() -> {
      if (closed.get()) {
        return Mono.error(closedException(operation));
      }
      return failures.guard(operation, routingKey, command);
    });
  }

  /**
   * Our own client already times every command out (Lettuce's {@code TimeoutOptions}, set to
   * {@code commandTimeout}), so a second, Reactor timeout would only cost a timer and about 1.6 KB per command. A
   * borrowed client comes with its own options, perhaps none: there the Reactor timeout is the bound. On a cluster
   * Lettuce's timeout starts only once the command is written, and a command (or a SCAN step) for a node whose
   * connection is still being opened waits for that connection first, unbounded by it: there the bound is a Reactor
   * timeout of {@code connectTimeout + commandTimeout}.
   */
  private <T> Mono<T> bounded(Mono<T> command) {
    Duration bound = commandBound();
    return bound == null ? command : command.timeout(bound);
  }

  private <T> Flux<T> script(RedisClusterReactiveCommands<String, byte[]> c, LuaScripts.Script script,
      ScriptOutputType type, String[] keys, byte[]... args) {
    return c.<T>evalsha(script.sha(), type, keys, args)
        .onErrorResume(RedisCacheBackend::isNoScript, e -> c.<T>eval(script.body(), type, keys, args));
  }

  private static boolean isNoScript(Throwable e) {
    return e instanceof RedisNoScriptException
        || (e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT"));
  }

  private CacheBackendException closedException(String operation) {
    return new CacheBackendException(settings.name(), operation + " failed: the backend is closed; create a new"
        + " one (closed backends never reopen)");
  }

  private long now() {
    return settings.clock().now(TimeUnit.MILLISECONDS);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
