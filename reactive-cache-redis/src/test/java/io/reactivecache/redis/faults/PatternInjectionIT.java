package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivecache.InvalidCacheKeyException;
import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.RedisServerProcess;
import io.reactivecache.spi.KeyPattern;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/reliability.md row 18: pattern injection through keys, namespaces and patterns. */
class PatternInjectionIT extends RedisFaultTest {
  private static final String ROW = "row 18 pattern injection";
  private static final List<String> TRICKY_KEYS =
      List.of("a*b", "a?b", "a[b]", "a\\b", "a:b", "axb", "a]b", "plain", "*", "[", "\\");
  private static final List<String> FOREIGN_KEYS = List.of("other:key", "ns*[x]?\\", "nsZ:victim", "ns:victim");

  @Test
  void onlyKeysOfTheOwnNamespaceAreEverDeletedAndKeysIsNeverSent() {
    RedisServerProcess server = startServer();
    RedisCacheBackend tricky = backend(server.uri(), b -> b.namespace("ns*[x]?\\"));
    RedisCacheBackend neighbour = backend(server.uri(), b -> b.namespace("nsA"));
    RedisCacheBackend prefix = backend(server.uri(), b -> b.namespace("ns"));
    for (String foreign : FOREIGN_KEYS) {
      server.command("SET", foreign, "foreign");
    }
    for (String key : TRICKY_KEYS) {
      call(tricky.put(key, entry(valueOf(key, 1))));
      call(neighbour.put(key, entry(valueOf(key, 1))));
      call(prefix.put(key, entry(valueOf(key, 1))));
    }

    // A literal key, escaped, deletes exactly that key.
    assertThat(call(tricky.deletePattern(KeyPattern.of(KeyPattern.escape("a*b")))).get()).isEqualTo(1L);
    assertPresent(tricky, TRICKY_KEYS.stream().filter(k -> !k.equals("a*b")).toList());

    // A glob deletes what it matches among this namespace's keys, as KeyPattern.matches says, and nothing else.
    KeyPattern oneChar = KeyPattern.of("a?b");
    List<String> remaining = TRICKY_KEYS.stream().filter(k -> !k.equals("a*b")).toList();
    long expected = remaining.stream().filter(oneChar::matches).count();
    assertThat(call(tricky.deletePattern(oneChar)).get()).isEqualTo(expected);
    assertPresent(tricky, remaining.stream().filter(k -> !oneChar.matches(k)).toList());

    assertThat(call(tricky.deletePattern(KeyPattern.of("*"))).get()).isPositive();
    call(tricky.clear());
    for (String key : TRICKY_KEYS) {
      assertThat(call(tricky.get(key, STRING)).value()).as("tricky %s after clear", key).isEmpty();
    }

    assertPresent(neighbour, TRICKY_KEYS);
    assertPresent(prefix, TRICKY_KEYS);
    for (String foreign : FOREIGN_KEYS) {
      assertThat(server.command("GET", foreign)).as("foreign key %s", foreign).isEqualTo("foreign");
    }
    assertThat(commandStats(server)).as("commands sent to Redis").doesNotContainKeys("keys", "flushdb",
        "flushall");
    figure(ROW, "keys of other namespaces or foreign keys deleted", 0);
  }

  @Test
  void badPatternsAreRejectedWithAClearError() {
    assertThatThrownBy(() -> KeyPattern.of("")).isInstanceOf(InvalidCacheKeyException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> KeyPattern.of("[")).isInstanceOf(InvalidCacheKeyException.class)
        .hasMessageContaining("[");
    assertThatThrownBy(() -> KeyPattern.of("a\\")).isInstanceOf(InvalidCacheKeyException.class);
    assertThatThrownBy(() -> KeyPattern.of("a]")).isInstanceOf(InvalidCacheKeyException.class);
  }

  private void assertPresent(RedisCacheBackend backend, List<String> keys) {
    for (String key : keys) {
      assertThat(call(backend.get(key, STRING)).get().value()).as("%s in %s", key, backend.name())
          .isEqualTo(valueOf(key, 1));
    }
  }
}
