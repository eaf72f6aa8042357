package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheStats;
import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.RedisServerProcess;
import io.reactivecache.redis.support.RespConnection;
import io.reactivecache.redis.support.TcpProxy;
import io.reactivecache.spi.CacheEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** docs/reliability.md row 5: a reset or slicing mid-reply. */
class ResetAndSlicingIT extends RedisFaultTest {
  private static final String ROW = "row 5 reset or slicing mid-reply";

  @Test
  void repliesSlicedOneByteAtATimeDecodeRight() {
    RedisServerProcess server = startServer();
    TcpProxy proxy = closeLater(TcpProxy.start(server.host(), server.port()));
    RedisCacheBackend backend = backend("redis://127.0.0.1:" + proxy.port() + "/0",
        b -> b.commandTimeout(Duration.ofSeconds(2)));
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String key = "key-" + i;
      keys.add(key);
      call(backend.put(key, entry(bigValue(key, 50 * i))));
    }

    proxy.slice();
    int wrong = 0;
    for (String key : keys) {
      String expected = bigValue(key, 50 * keys.indexOf(key));
      if (!expected.equals(call(backend.get(key, STRING)).get().value())) {
        wrong++;
      }
    }
    Map<String, CacheEntry<String>> all = call(backend.getAll(keys, STRING)).get();
    for (String key : keys) {
      if (!all.containsKey(key) || !all.get(key).value().equals(bigValue(key, 50 * keys.indexOf(key)))) {
        wrong++;
      }
    }
    figure(ROW, "sliced replies: wrong values", wrong);
    assertThat(wrong).isZero();
    assertThat(proxy.bytesToClient()).as("the replies did go through the slicing proxy").isPositive();
  }

  @Test
  void resetsMidReplyNeverYieldAnotherKeysValue() {
    RedisServerProcess server = startServer();
    TcpProxy proxy = closeLater(TcpProxy.start(server.host(), server.port()));
    // A breaker that does not open keeps every call going to the network, where the resets happen.
    RedisCacheBackend backend = backend("redis://127.0.0.1:" + proxy.port() + "/0",
        b -> b.circuitBreakerThreshold(10_000));
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String key = "key-" + i;
      keys.add(key);
      call(backend.put(key, entry(bigValue(key, 8_000))));
    }

    Random random = new Random(42);
    int wrong = 0;
    int failed = 0;
    int served = 0;
    for (int round = 0; round < 15; round++) {
      proxy.resetAfter(1 + random.nextInt(7_000));
      for (String key : keys) {
        Outcome<CacheEntry<String>> outcome = call(backend.get(key, STRING));
        if (outcome.failed()) {
          failed++;
        } else if (outcome.value().isPresent()) {
          served++;
          if (!outcome.value().get().value().equals(bigValue(key, 8_000))) {
            wrong++;
          }
        }
      }
      await("reconnected after the reset", RECOVERY_BOUND, () -> works(backend, "probe"));
    }
    figure(ROW, "resets injected", proxy.resets());
    figure(ROW, "reads served / failed around resets", served + " / " + failed);
    figure(ROW, "reads around resets that returned a wrong value", wrong);
    assertThat(proxy.resets()).as("resets really happened").isPositive();
    assertThat(wrong).isZero();
    assertThat(served).isPositive();
  }

  @Test
  void anEnvelopeStoredUnderAnotherKeyIsAMissNeverThatKeysValue() {
    RedisServerProcess server = startServer();
    String namespace = "ns-swap";
    RedisCacheBackend backend = backend(server.uri(), b -> b.namespace(namespace));
    call(backend.put("a", entry(valueOf("a", 1))));
    call(backend.put("b", entry(valueOf("b", 1))));
    long invalidBefore = stats(backend).invalidPayloads();

    try (RespConnection admin = server.admin()) {
      byte[] envelopeOfB = admin.getBytes(namespace + ":b");
      assertThat(envelopeOfB).as("the entry of b, where the key layout puts it").isNotNull();
      admin.commandBytes(bytes("SET"), bytes(namespace + ":a"), envelopeOfB);
    }

    assertThat(call(backend.get("a", STRING)).value()).as("b's envelope under a's key").isEmpty();
    assertThat(stats(backend).invalidPayloads()).isGreaterThan(invalidBefore);
    assertThat(call(backend.get("b", STRING)).get().value()).isEqualTo(valueOf("b", 1));
  }

  static CacheStats stats(RedisCacheBackend backend) {
    return backend.stats().block(Duration.ofSeconds(10));
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** A value of about {@code size} characters that names its key. */
  static String bigValue(String key, int size) {
    StringBuilder value = new StringBuilder(valueOf(key, 1)).append(':');
    while (value.length() < size) {
      value.append(key).append('.');
    }
    return value.toString();
  }
}
