package io.reactivecache.redis;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
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
import tools.jackson.core.JacksonException;

/**
 * The Redis backend: entries in Redis under a namespace, shared by every instance that uses the same namespace.
 * Created by {@link RedisCache#builder()}.
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li>One shared Lettuce connection, opened on first use and re-established by Lettuce after a loss; when
 *       the circuit breaker opens on timeouts, the connection is closed and a new one opened on the next call
 *       (a half-open connection is never waited on).</li>
 *   <li>Each command runs under a timeout, inside a circuit breaker, inside a retry (transient failures only).
 *       Every failure reaches the caller as a {@link CacheBackendException} whose message says what to do; a
 *       value that does not decode is a counted miss, never an error, and never counts against the breaker.</li>
 *   <li>{@code LRU} and {@code LFU} bound the namespace's size on the server, atomically, by a Lua script:
 *       every instance sees and enforces the same order.</li>
 *   <li>Tags are kept in one Redis set per tag, so {@link #invalidateTag} never scans the keyspace.</li>
 * </ul>
 *
 * <p>Thread-safe; every method is lazy and non-blocking. {@link #toString()} never shows the password.
 */
public final class RedisCacheBackend implements CacheBackend {
  private static final int SCAN_COUNT = 500;
  private static final int TAG_BATCH = 500;

  private final RedisSettings settings;
  private final RedisKeyLayout layout;
  private final EnvelopeCodec codec;
  private final RedisConnector connector;
  private final RedisFailures failures;
  private final String strategyId;
  private final String accessSet;
  private final AtomicBoolean closed = new AtomicBoolean();

  private final BackendCounters counters = new BackendCounters();

  RedisCacheBackend(RedisSettings settings) {
    this.settings = settings;
    this.layout = new RedisKeyLayout(settings.namespace());
    this.codec = new EnvelopeCodec(settings.jsonMapper(), settings.maxNestingDepth(), settings.maxValueBytes());
    this.failures = new RedisFailures(settings, this::replaceConnection);
    this.connector = new RedisConnector(settings, failures);
    this.strategyId = settings.strategy().id();
    this.accessSet = layout.accessSet(strategyId);
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
   * @return the circuit breaker
   */
  public CircuitBreaker circuitBreaker() {
    return failures.breaker();
  }

  @Override
  public <T> Mono<CacheEntry<T>> get(String key, ValueType<T> type) {
    String full = layout.entry(key);
    return readRaw(List.of(full))
        .flatMap(values -> Mono.justOrEmpty(decodeCounted(full, values.get(0), type)));
  }

  @Override
  public <T> Mono<Map<String, CacheEntry<T>>> getAll(Collection<String> keys, ValueType<T> type) {
    List<String> distinct = new ArrayList<>(new LinkedHashSet<>(keys));
    if (distinct.isEmpty()) {
      return Mono.defer(() -> closed.get() ? Mono.error(closedException("getAll")) : Mono.just(Map.of()));
    }
    List<String> full = distinct.stream().map(layout::entry).toList();
    return readRaw(full).map(values -> {
      Map<String, CacheEntry<T>> found = new LinkedHashMap<>();
      for (int i = 0; i < distinct.size(); i++) {
        CacheEntry<T> entry = decodeCounted(full.get(i), values.get(i), type);
        if (entry != null) {
          found.put(distinct.get(i), entry);
        }
      }
      return found;
    });
  }

  /** Reads values in one round trip, recording the access for LRU / LFU; a missing key gives null. */
  private Mono<List<byte[]>> readRaw(List<String> fullKeys) {
    if (settings.strategy() == Strategy.TTL) {
      if (fullKeys.size() == 1) {
        return run("get", c -> c.get(fullKeys.get(0)))
            .map(v -> listOf(v))
            .defaultIfEmpty(listOf(null));
      }
      return run("getAll", c -> c.mget(fullKeys.toArray(String[]::new))
          // A list may hold nulls where a Flux may not: misses become null here, after the Flux.
          .map(kv -> kv.hasValue() ? List.of(kv.getValue()) : List.<byte[]>of())
          .collectList()
          .map(rows -> {
            List<byte[]> values = new ArrayList<>(rows.size());
            rows.forEach(row -> values.add(row.isEmpty() ? null : row.get(0)));
            return values;
          }));
    }
    String[] keys = new String[fullKeys.size() + 2];
    keys[0] = accessSet;
    keys[1] = layout.sequence();
    for (int i = 0; i < fullKeys.size(); i++) {
      keys[i + 2] = fullKeys.get(i);
    }
    return run(fullKeys.size() == 1 ? "get" : "getAll",
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
  private <T> CacheEntry<T> decodeCounted(String fullKey, byte[] value, ValueType<T> type) {
    if (value == null) {
      counters.miss();
      return null;
    }
    EnvelopeCodec.Decoded<T> decoded = codec.decode(fullKey, value, type);
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
        return Mono.empty();
      }
      String full = layout.entry(key);
      byte[] envelope;
      try {
        envelope = codec.encode(full, entry);
      } catch (RuntimeException e) {
        if (isOversized(e)) {
          counters.rejectedWrite();
          return Mono.empty();
        }
        if (e instanceof JacksonException) {
          return Mono.error(new CacheBackendException(settings.name(), "put could not encode a value of type "
              + entry.value().getClass().getName() + " as JSON (" + e.getClass().getSimpleName()
              + "); make the type serializable by Jackson or lend a configured jsonMapper", e));
        }
        throw e;
      }
      long ttl = entry.expiresAt() == CacheEntry.NEVER ? 0 : Math.max(1, entry.millisToExpiry(now));
      List<String> keys = new ArrayList<>(3 + entry.tags().size());
      keys.add(full);
      keys.add(accessSet);
      keys.add(layout.sequence());
      for (String tag : entry.tags()) {
        keys.add(layout.tagSet(tag));
      }
      String[] keyArray = keys.toArray(String[]::new);
      return run("put", c -> script(c, LuaScripts.PUT, ScriptOutputType.INTEGER, keyArray, envelope,
              bytes(Long.toString(ttl)), bytes(layout.tagPrefix()), bytes(strategyId),
              bytes(Long.toString(settings.maximumSize())))
              .next())
          .doOnNext(evicted -> {
            counters.put();
            counters.evicted(((Number) evicted).longValue());
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

  @Override
  public Mono<Void> putAll(Map<String, ? extends CacheEntry<?>> entries) {
    // Every put is sent without waiting for the previous reply: Lettuce pipelines them on the one connection.
    return Flux.fromIterable(List.copyOf(entries.entrySet()))
        .flatMap(e -> put(e.getKey(), e.getValue()), Math.max(1, entries.size()))
        .then();
  }

  @Override
  public Mono<Boolean> delete(String key) {
    String full = layout.entry(key);
    return run("delete", c -> {
      Mono<Long> unlink = c.unlink(full);
      return settings.strategy() == Strategy.TTL ? unlink
          : unlink.flatMap(n -> c.zrem(accessSet, bytes(full)).thenReturn(n));
    }).map(n -> {
      counters.deleted(n);
      return n > 0;
    });
  }

  @Override
  public Mono<Boolean> exists(String key) {
    String full = layout.entry(key);
    return run("exists", c -> c.get(full))
        .map(value -> {
          EnvelopeCodec.Header header = EnvelopeCodec.header(value);
          return header != null && header.key().equals(full) && now() < header.expiresAt();
        })
        .defaultIfEmpty(false);
  }

  @Override
  public Mono<Void> clear() {
    return scan(layout.scanEverything())
        .concatMap(batch -> {
          List<String> entries = batch.stream().filter(k -> layout.userKey(k) != null).toList();
          List<String> others = batch.stream().filter(k -> layout.userKey(k) == null).toList();
          Mono<Long> removed = entries.isEmpty() ? Mono.just(0L)
              : run("clear", c -> c.unlink(entries.toArray(String[]::new)));
          Mono<Long> bookkeeping = others.isEmpty() ? Mono.just(0L)
              : run("clear", c -> c.unlink(others.toArray(String[]::new)));
          return removed.flatMap(n -> bookkeeping.thenReturn(n));
        })
        .doOnNext(counters::deleted)
        .then();
  }

  @Override
  public Mono<Long> deletePattern(KeyPattern pattern) {
    String match = layout.scanPattern(pattern);
    return scan(match)
        .concatMap(batch -> {
          // Redis matched the glob; checking again here keeps the guarantee even if a server's glob dialect
          // differed from ours: nothing outside the namespace or the pattern is ever deleted.
          List<String> chosen = batch.stream()
              .filter(k -> {
                String userKey = layout.userKey(k);
                return userKey != null && pattern.matches(userKey);
              })
              .toList();
          if (chosen.isEmpty()) {
            return Mono.just(0L);
          }
          String[] keys = chosen.toArray(String[]::new);
          return run("deletePattern", c -> {
            Mono<Long> unlink = c.unlink(keys);
            if (settings.strategy() == Strategy.TTL) {
              return unlink;
            }
            byte[][] members = chosen.stream().map(RedisKeyLayout::bytes).toArray(byte[][]::new);
            return unlink.flatMap(n -> c.zrem(accessSet, members).thenReturn(n));
          });
        })
        .reduce(0L, Long::sum)
        .doOnNext(counters::deleted);
  }

  private Flux<List<String>> scan(String match) {
    ScanArgs args = ScanArgs.Builder.matches(match.getBytes(StandardCharsets.UTF_8)).limit(SCAN_COUNT);
    return run("scan", c -> c.scan(ScanCursor.INITIAL, args))
        .expand(cursor -> cursor.isFinished() ? Mono.empty() : run("scan", c -> c.scan(cursor, args)))
        .map(KeyScanCursor::getKeys)
        .filter(keys -> !keys.isEmpty());
  }

  @Override
  public Mono<Long> invalidateTag(String tag) {
    String[] keys = {layout.tagSet(tag), accessSet};
    Mono<List<Long>> batch = run("invalidateTag",
        c -> script(c, LuaScripts.INVALIDATE_TAG, ScriptOutputType.MULTI, keys, bytes(tag),
            bytes(Integer.toString(TAG_BATCH)))
            .collectList()
            .map(RedisCacheBackend::flattenLongs));
    return batch
        .expand(result -> result.get(1) > 0 ? batch : Mono.empty())
        .map(result -> result.get(0))
        .reduce(0L, Long::sum)
        .doOnNext(counters::deleted);
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
      return connector.commands()
          .flatMap(RedisReactiveCommands::ping)
          .timeout(settings.commandTimeout())
          .map(pong -> {
            if (state == CircuitBreaker.State.HALF_OPEN) {
              return CacheHealth.degraded("circuit breaker HALF_OPEN: Redis answers again, calls are being"
                  + " probed after: " + failures.lastFailure());
            }
            failures.recovered();
            return CacheHealth.up();
          })
          .onErrorResume(e -> {
            RedisFailures.Kind kind = failures.kindOf(e);
            String reason = switch (kind) {
              case AUTH -> "auth: credentials rejected by Redis at " + settings.endpoint()
                  + "; check the user name and password in the url";
              case TLS -> "tls: Redis at " + settings.endpoint() + ": "
                  + settings.scrub(String.valueOf(rootMessage(e)));
              case TIMEOUT -> "timeout: no reply from Redis at " + settings.endpoint() + " within "
                  + settings.commandTimeout();
              default -> "unreachable: Redis at " + settings.endpoint() + ": "
                  + settings.scrub(String.valueOf(rootMessage(e)));
            };
            return Mono.just(CacheHealth.down(reason));
          });
    });
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
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

  /** The breaker opened on timeouts: the connection may be half-open, so the next call gets a new one. */
  private void replaceConnection() {
    connector.reset();
  }

  @Override
  public String toString() {
    return "RedisCacheBackend{" + settings + '}';
  }

  // ---------------------------------------------------------------------------------------------------------

  private <T> Mono<T> run(String operation,
      Function<RedisReactiveCommands<String, byte[]>, ? extends Mono<T>> command) {
    return Mono.defer(() -> {
      if (closed.get()) {
        return Mono.error(closedException(operation));
      }
      return failures.guard(operation, connector.commands().flatMap(c -> bounded(command.apply(c))));
    });
  }

  /**
   * Our own client already times every command out (Lettuce's {@code TimeoutOptions}, set to
   * {@code commandTimeout}), so a second, Reactor timeout would only cost a timer and about 1.6 KB per command. A
   * borrowed client comes with its own options, perhaps none: there the Reactor timeout is the bound.
   */
  private <T> Mono<T> bounded(Mono<T> command) {
    return settings.redisClient() == null ? command : command.timeout(settings.commandTimeout());
  }

  private <T> Flux<T> script(RedisReactiveCommands<String, byte[]> c, LuaScripts.Script script,
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
