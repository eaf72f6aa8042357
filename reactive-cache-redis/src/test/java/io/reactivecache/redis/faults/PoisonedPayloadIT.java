package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.ValueType;
import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.RedisServerProcess;
import io.reactivecache.redis.support.RespConnection;
import io.reactivecache.spi.CacheEntry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docs/reliability.md row 19: poisoned or corrupt payloads written straight into Redis under the backend's namespace.
 * Envelopes are crafted byte by byte after the backend's version-1 layout ({@code EnvelopeCodec}).
 */
class PoisonedPayloadIT extends RedisFaultTest {
  private static final String ROW = "row 19 poisoned payload";
  private static final String NAMESPACE = "ns-poison";
  private static final ValueType<Person> PERSON = ValueType.of(Person.class);
  private static final ValueType<Object> ANYTHING = ValueType.of(Object.class);
  private static final ValueType<List<Object>> LIST = new ValueType<List<Object>>() {};
  private static final String GADGET_JSON =
      "{\"@class\":\"" + Gadget.class.getName() + "\",\"name\":\"x\",\"age\":1,\"armed\":true}";

  /** A user's value. */
  public record Person(String name, int age) {}

  /** A class a payload names: instantiating it is the attack. */
  public static final class Gadget {
    static final AtomicInteger INSTANCES = new AtomicInteger();
    private boolean armed;

    /** Counts every instance. */
    public Gadget() {
      INSTANCES.incrementAndGet();
    }

    /** Jackson would call it. */
    public void setArmed(boolean armed) {
      this.armed = armed;
    }

    /** Jackson would call it. */
    public boolean isArmed() {
      return armed;
    }
  }

  private RedisServerProcess server;
  private RedisCacheBackend backend;

  @BeforeEach
  void startServerAndBackend() {
    server = startServer();
    backend = backend(server.uri(), b -> b.namespace(NAMESPACE));
    Gadget.INSTANCES.set(0);
  }

  @Test
  void aClassNamedByThePayloadIsNeverInstantiated() {
    assertMissThenReload("@class envelope read as Person", PERSON, envelope("p", 1, bytes(GADGET_JSON)));
    assertMissThenReload("@class without envelope", PERSON, bytes(GADGET_JSON));
    // Read as Object, the payload may decode, but only into plain JSON types, never into the named class.
    write("o", envelope("o", 1, bytes(GADGET_JSON)));
    Outcome<CacheEntry<Object>> asObject = call(backend.get("o", ANYTHING));
    assertThat(asObject.failed()).isFalse();
    asObject.value().ifPresent(found -> assertThat(found.value()).isInstanceOf(Map.class));
    assertThat(Gadget.INSTANCES).as("instances of the class the payload named").hasValue(0);
    figure(ROW, "instances of a class named by a payload", Gadget.INSTANCES.get());
  }

  @Test
  void truncatedDeepAndOldFormatPayloadsAreCountedMissesThenReloaded() {
    call(backend.put("p", CacheEntry.of(new Person("Ada", 36), now(), now() + 60_000, now() + 60_000,
        java.util.Set.of())));
    byte[] good;
    try (RespConnection admin = server.admin()) {
      good = admin.getBytes(NAMESPACE + ":p");
    }
    assertThat(good).as("the backend's own envelope, where the layout puts it").isNotNull();
    assertMissThenReload("truncated envelope", PERSON, Arrays.copyOf(good, good.length / 2));
    assertMissThenReload("truncated JSON payload", PERSON, envelope("p", 1, bytes("{\"name\":\"Ada\",\"ag")));

    String deep = "[".repeat(5_000) + "]".repeat(5_000);
    assertMissThenReload("5,000-deep nesting as List", LIST, envelope("p", 1, bytes(deep)));
    assertMissThenReload("5,000-deep nesting as Object", ANYTHING, envelope("p", 1, bytes(deep)));

    assertMissThenReload("old envelope version 0", PERSON, envelope("p", 0, bytes("{\"name\":\"Ada\",\"age\":36}")));
    assertMissThenReload("plain JSON (no envelope)", PERSON, bytes("{\"name\":\"Ada\",\"age\":36}"));
    assertMissThenReload("random bytes", PERSON, new byte[] {0, 1, 2, (byte) 0xff, 'R', 'C'});
  }

  /** Writes poison under {@code p}, reads it (a counted miss, no error), then writes and reads a good value. */
  private <T> void assertMissThenReload(String what, ValueType<T> type, byte[] poison) {
    write("p", poison);
    long invalidBefore = ResetAndSlicingIT.stats(backend).invalidPayloads();
    Outcome<CacheEntry<T>> read = call(backend.get("p", type));
    assertThat(read.failed()).as("%s: no exception", what).isFalse();
    assertThat(read.value()).as("%s: a miss", what).isEmpty();
    assertThat(ResetAndSlicingIT.stats(backend).invalidPayloads()).as("%s: counted", what)
        .isGreaterThan(invalidBefore);
    figure(ROW, what, "miss, counted, reloaded");

    call(backend.put("p", CacheEntry.of(new Person("Bob", 40), now(), now() + 60_000, now() + 60_000,
        java.util.Set.of())));
    assertThat(call(backend.get("p", PERSON)).get().value()).isEqualTo(new Person("Bob", 40));
    assertThat(Gadget.INSTANCES).hasValue(0);
  }

  private void write(String key, byte[] raw) {
    try (RespConnection admin = server.admin()) {
      admin.commandBytes(bytes("SET"), bytes(NAMESPACE + ":" + key), raw);
    }
  }

  /** A version-{@code version} envelope for a key, fresh for a minute, without tags. */
  private static byte[] envelope(String key, int version, byte[] payload) {
    byte[] fullKey = bytes(NAMESPACE + ":" + key);
    long now = now();
    return ByteBuffer.allocate(4 + 24 + 4 + fullKey.length + 4 + payload.length)
        .put((byte) 'R').put((byte) 'C').put((byte) version).put((byte) 0)
        .putLong(now).putLong(now + 60_000).putLong(now + 60_000)
        .putInt(fullKey.length).put(fullKey).putInt(0).put(payload)
        .array();
  }

  private static long now() {
    return reactor.core.scheduler.Schedulers.parallel().now(java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
