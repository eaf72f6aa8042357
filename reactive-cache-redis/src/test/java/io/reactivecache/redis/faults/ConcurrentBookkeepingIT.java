package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.Strategy;
import io.reactivecache.redis.RedisCache;
import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.RedisServerProcess;
import io.reactivecache.redis.support.RespConnection;
import io.reactivecache.spi.CacheEntry;
import io.reactivecache.spi.KeyPattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Row 26 of docs/reliability.md: two instances (two backends on one namespace) put, delete, clear and pattern-delete the same
 * keys concurrently under {@code lru} / {@code lfu}. At every instant the namespace holds at most
 * {@code maximumSize} entries and every entry has its place in the server-side order.
 *
 * <p>"At every instant" is checked for real: a sampler runs a Lua script on the test's own server that counts the
 * namespace's entries, the order's size and the entries missing from the order in one atomic step (a snapshot no
 * command can interleave with), about every 5 ms while the instances work.
 */
class ConcurrentBookkeepingIT extends RedisFaultTest {
  private static final String ROW = "row 26 concurrent bookkeeping";
  private static final int MAXIMUM_SIZE = 200;
  private static final int KEYS = 400;
  private static final int OPERATIONS = 20_000;

  /** Returns {entries, entries missing from the order, order size}, atomically. */
  private static final String SNAPSHOT = """
      local seen, entries, missing = {}, 0, 0
      local cursor = '0'
      repeat
        local page = redis.call('SCAN', cursor, 'MATCH', ARGV[1], 'COUNT', 1000)
        cursor = page[1]
        for _, k in ipairs(page[2]) do
          if not seen[k] then
            seen[k] = true
            entries = entries + 1
            if not redis.call('ZSCORE', KEYS[1], k) then missing = missing + 1 end
          end
        end
      until cursor == '0'
      return {entries, missing, redis.call('ZCARD', KEYS[1])}
      """;

  @ParameterizedTest
  @EnumSource(value = Strategy.class, names = {"LRU", "LFU"})
  void twoInstancesNeverExceedTheBoundAndNeverLoseAnEntryFromTheOrder(Strategy strategy) throws Exception {
    RedisServerProcess server = startServer();
    String namespace = "shared-" + strategy.id();
    // A healthy server and a loaded machine: timeouts generous enough that no call fails for being slow.
    UnaryOperator<RedisCache.Builder> config = b -> b.namespace(namespace).strategy(strategy)
        .maximumSize(MAXIMUM_SIZE).defaultTtl(null).commandTimeout(Duration.ofSeconds(5));
    RedisCacheBackend one = backend(server.uri(), config);
    RedisCacheBackend two = backend(server.uri(), config);
    // Layout 2: a bounded namespace lives in one hash slot, {namespace} (see RedisKeyLayout).
    String order = "{" + namespace + "}#" + strategy.id();

    List<long[]> samples = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean running = new AtomicBoolean(true);
    Thread sampler = new Thread(() -> {
      try (RespConnection admin = server.admin()) {
        while (running.get()) {
          samples.add(snapshot(admin, order, namespace));
          sleep(Duration.ofMillis(5));
        }
      }
    }, "bookkeeping-sampler");
    sampler.start();
    try {
      Flux.range(0, OPERATIONS)
          // From plain worker threads: this test is about the bookkeeping, BlockHoundWithShippedIntegrationsIT
          // about calls from non-blocking threads.
          .flatMap(i -> operation(i % 2 == 0 ? one : two, i).subscribeOn(Schedulers.boundedElastic()), 32)
          .then()
          .block(Duration.ofMinutes(3));
    } finally {
      running.set(false);
      sampler.join(10_000);
    }
    long[] last;
    try (RespConnection admin = server.admin()) {
      last = snapshot(admin, order, namespace);
    }
    samples.add(last);

    long mostEntries = samples.stream().mapToLong(s -> s[0]).max().orElse(0);
    long mostMissing = samples.stream().mapToLong(s -> s[1]).max().orElse(0);
    figure(ROW, strategy.id() + ": operations / snapshots / most entries (bound " + MAXIMUM_SIZE
        + ") / most entries missing from the order", OPERATIONS + " / " + samples.size() + " / " + mostEntries
        + " / " + mostMissing);
    assertThat(samples).as("snapshots taken while the instances worked").hasSizeGreaterThan(10);
    assertThat(mostMissing).as("entries without a place in the server-side order, at any snapshot").isZero();
    assertThat(mostEntries).as("entries in the namespace, at any snapshot").isLessThanOrEqualTo(MAXIMUM_SIZE);

    // Quiet now: filling the namespace again still holds the bound exactly.
    Flux.range(0, KEYS).concatMap(i -> one.put("fill" + i, entry("v"))).then().block(Duration.ofMinutes(1));
    try (RespConnection admin = server.admin()) {
      long[] filled = snapshot(admin, order, namespace);
      assertThat(filled[0]).as("entries after filling").isEqualTo(MAXIMUM_SIZE);
      assertThat(filled[1]).as("entries missing from the order after filling").isZero();
    }
  }

  /** One step of an instance: mostly puts and deletes of a shared key set, some pattern deletes and clears. */
  private static Mono<?> operation(RedisCacheBackend backend, int i) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String key = "k" + random.nextInt(KEYS);
    int dice = random.nextInt(1_000);
    if (dice < 700) {
      long now = entry("x").writtenAt();
      return backend.put(key, CacheEntry.of("v" + i, now, CacheEntry.NEVER, CacheEntry.NEVER, Set.of()));
    }
    if (dice < 960) {
      return backend.delete(key);
    }
    if (dice < 997) {
      return backend.deletePattern(KeyPattern.of("k" + random.nextInt(10) + "*"));
    }
    return backend.clear();
  }

  private static long[] snapshot(RespConnection admin, String order, String namespace) {
    Object reply = admin.command("EVAL", SNAPSHOT, "1", order, KeyPattern.escape("{" + namespace + "}") + ":*");
    List<?> values = (List<?>) reply;
    return new long[] {(Long) values.get(0), (Long) values.get(1), (Long) values.get(2)};
  }

}
