package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.InvalidCacheKeyException;
import io.reactivecache.ValueType;
import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.RedisServerProcess;
import io.reactivecache.spi.CacheEntry;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** docs/reliability.md row 20: oversized input (10 KB key, 20 MB value, one key read with two types). */
class OversizedInputIT extends RedisFaultTest {
  private static final String ROW = "row 20 oversized input";

  @Test
  void aTenKilobyteKeyWorksOrIsRejectedClearlyAndNeverCollides() {
    RedisServerProcess server = startServer();
    RedisCacheBackend backend = backend(server.uri());
    String common = "k".repeat(10_240);
    String first = common + "1";
    String second = common + "2";
    Outcome<Void> put = call(backend.put(first, entry(valueOf("first", 1))));
    if (put.failed()) {
      assertThat(put.error()).isInstanceOf(InvalidCacheKeyException.class);
      assertThat(put.error().getMessage()).containsIgnoringCase("long");
      figure(ROW, "10 KB key", "rejected: " + put.error().getMessage());
      return;
    }
    call(backend.put(second, entry(valueOf("second", 1))));
    assertThat(call(backend.get(first, STRING)).get().value()).isEqualTo(valueOf("first", 1));
    assertThat(call(backend.get(second, STRING)).get().value()).isEqualTo(valueOf("second", 1));
    figure(ROW, "10 KB key", "stored and read back; two keys differing in the last character stay apart");
  }

  @Test
  void aTwentyMegabyteValueIsNotWrittenAndIsCounted() {
    RedisServerProcess server = startServer();
    RedisCacheBackend backend = backend(server.uri());
    call(backend.put("big", entry(valueOf("big", 1))));
    long rejectedBefore = ResetAndSlicingIT.stats(backend).rejectedWrites();

    String twentyMegabytes = "v".repeat(20 * 1024 * 1024);
    Outcome<Void> put = call(backend.put("big", entry(twentyMegabytes)));
    figure(ROW, "20 MB value with maxValueBytes 1 MiB", put.failed() ? "rejected: " + put.error().getMessage()
        : "completed without writing");

    long usedMemory = usedMemory(server);
    assertThat(usedMemory).as("Redis memory: the 20 MB did not land").isLessThan(10L * 1024 * 1024);
    assertThat(ResetAndSlicingIT.stats(backend).rejectedWrites()).isGreaterThan(rejectedBefore);
    // Whatever the put did, the key never holds a cut value: the old one, or nothing.
    call(backend.get("big", STRING)).value().map(CacheEntry::value)
        .ifPresent(value -> assertThat(value).isEqualTo(valueOf("big", 1)));
  }

  @Test
  void oneKeyReadWithTwoTypesIsACountedMissNeverAClassCastException() {
    RedisServerProcess server = startServer();
    RedisCacheBackend backend = backend(server.uri());
    long now = entry("x").writtenAt();
    call(backend.put("k", CacheEntry.of(List.of("a", "b"), now, now + 60_000, now + 60_000, Set.of())));
    long invalidBefore = ResetAndSlicingIT.stats(backend).invalidPayloads();

    Outcome<CacheEntry<Integer>> asInteger = call(backend.get("k", ValueType.of(Integer.class)));
    Outcome<CacheEntry<PoisonedPayloadIT.Person>> asPerson =
        call(backend.get("k", ValueType.of(PoisonedPayloadIT.Person.class)));
    assertThat(asInteger.failed()).isFalse();
    assertThat(asInteger.value()).isEmpty();
    assertThat(asPerson.failed()).isFalse();
    assertThat(asPerson.value()).isEmpty();
    assertThat(ResetAndSlicingIT.stats(backend).invalidPayloads()).isGreaterThanOrEqualTo(invalidBefore + 2);
    List<String> back = call(backend.get("k", new ValueType<List<String>>() {})).get().value();
    assertThat(back).containsExactly("a", "b");
  }

  private static long usedMemory(RedisServerProcess server) {
    String info = (String) server.command("INFO", "memory");
    return info.lines().filter(line -> line.startsWith("used_memory:"))
        .mapToLong(line -> Long.parseLong(line.substring("used_memory:".length()).trim()))
        .findFirst().orElseThrow();
  }
}
