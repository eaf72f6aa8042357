package io.reactivecache.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivecache.ValueType;
import io.reactivecache.spi.CacheEntry;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class EnvelopeCodecTest {
  record Person(String name, int age) {}

  private static final String KEY = "ns:user:1";
  private final EnvelopeCodec codec = new EnvelopeCodec(null, 500, 1_048_576);

  private static CacheEntry<Object> entry(Object value, String... tags) {
    return CacheEntry.of(value, 1_000, 2_000, 3_000, Set.of(tags));
  }

  /** An envelope for KEY whose payload is replaced by the given JSON text. */
  private byte[] withPayload(String json) {
    byte[] valid = codec.encode(KEY, entry("x"));
    int offset = EnvelopeCodec.header(valid).payloadOffset();
    byte[] payload = json.getBytes(StandardCharsets.UTF_8);
    byte[] out = Arrays.copyOf(valid, offset + payload.length);
    System.arraycopy(payload, 0, out, offset, payload.length);
    return out;
  }

  @Test
  void roundTripKeepsValueTimesAndTags() {
    byte[] bytes = codec.encode(KEY, entry(new Person("Ada", 36), "people", "res.partner"));
    EnvelopeCodec.Decoded<Person> decoded = codec.decode(KEY, bytes, ValueType.of(Person.class));
    assertThat(decoded.isValid()).isTrue();
    CacheEntry<Person> read = decoded.entry();
    assertThat(read.value()).isEqualTo(new Person("Ada", 36));
    assertThat(read.writtenAt()).isEqualTo(1_000);
    assertThat(read.freshUntil()).isEqualTo(2_000);
    assertThat(read.expiresAt()).isEqualTo(3_000);
    assertThat(read.tags()).containsExactlyInAnyOrder("people", "res.partner");
  }

  @Test
  void absentMarkerRoundTrips() {
    byte[] bytes = codec.encode(KEY, CacheEntry.absent(1, 2, CacheEntry.NEVER, Set.of()));
    CacheEntry<String> read = codec.decode(KEY, bytes, ValueType.of(String.class)).entry();
    assertThat(read.isAbsent()).isTrue();
    assertThat(read.expiresAt()).isEqualTo(CacheEntry.NEVER);
  }

  @Test
  void genericListOfRecordsDecodesWithTheCallersType() {
    byte[] bytes = codec.encode(KEY, entry(List.of(new Person("Ada", 36), new Person("Alan", 41))));
    ValueType<List<Person>> people = new ValueType<List<Person>>() {};
    List<Person> read = codec.decode(KEY, bytes, people).entry().value();
    assertThat(read).containsExactly(new Person("Ada", 36), new Person("Alan", 41));
    assertThat(read.get(0)).isInstanceOf(Person.class);
  }

  @Test
  void envelopeOfAnotherKeyIsInvalid() {
    byte[] bytes = codec.encode("ns:user:2", entry("someone else's"));
    EnvelopeCodec.Decoded<String> decoded = codec.decode(KEY, bytes, ValueType.of(String.class));
    assertThat(decoded.isValid()).isFalse();
    assertThat(decoded.invalid()).contains("another key");
  }

  @Test
  void everyTruncationIsInvalidNeverAnException() {
    byte[] bytes = codec.encode(KEY, entry(new Person("Ada", 36), "t"));
    for (int length = 0; length < bytes.length; length++) {
      byte[] cut = Arrays.copyOf(bytes, length);
      assertThat(codec.decode(KEY, cut, ValueType.of(Person.class)).isValid())
          .as("truncated to %d of %d bytes", length, bytes.length).isFalse();
    }
  }

  @Test
  void corruptPayloadAndForeignBytesAreInvalid() {
    assertThat(codec.decode(KEY, withPayload("{\"name\":\"Ada\",\"age\":"), ValueType.of(Person.class))
        .isValid()).isFalse();
    assertThat(codec.decode(KEY, withPayload("{\"name\":\"Ada\",\"age\":36} trailing"),
        ValueType.of(Person.class)).isValid()).isFalse();
    assertThat(codec.decode(KEY, "plain text someone SET".getBytes(StandardCharsets.UTF_8),
        ValueType.of(String.class)).isValid()).isFalse();
    assertThat(codec.decode(KEY, new byte[0], ValueType.of(String.class)).isValid()).isFalse();
  }

  @Test
  void oldOrFutureFormatVersionIsInvalid() {
    byte[] bytes = codec.encode(KEY, entry("v"));
    for (byte version : new byte[] {0, 3, (byte) 0xFF}) {
      byte[] other = bytes.clone();
      other[2] = version;
      assertThat(codec.decode(KEY, other, ValueType.of(String.class)).isValid()).isFalse();
    }
  }

  @Test
  void classNameInThePayloadIsNeverInstantiated() {
    String poisoned = "{\"@class\":\"java.lang.ProcessBuilder\",\"command\":[\"touch\",\"/tmp/pwned\"]}";
    // Into the caller's type: "@class" is an unknown property, so the payload is refused.
    assertThat(codec.decode(KEY, withPayload(poisoned), ValueType.of(Person.class)).isValid()).isFalse();
    // Into Object: a plain map, never a ProcessBuilder.
    Object read = codec.decode(KEY, withPayload(poisoned), ValueType.of(Object.class)).entry().value();
    assertThat(read).isInstanceOf(Map.class);
    // Array-wrapped polymorphic form, as default typing would write it.
    String wrapped = "[\"java.lang.ProcessBuilder\",{\"command\":[\"touch\",\"/tmp/pwned\"]}]";
    Object list = codec.decode(KEY, withPayload(wrapped), ValueType.of(Object.class)).entry().value();
    assertThat(list).isInstanceOf(List.class);
    assertThat(((List<?>) list).get(1)).isInstanceOf(Map.class);
  }

  @Test
  void deepNestingIsRefusedWithOwnAndBorrowedMapper() {
    String deep = "[".repeat(5_000) + "]".repeat(5_000);
    assertThat(codec.decode(KEY, withPayload(deep), ValueType.of(Object.class)).isValid()).isFalse();
    EnvelopeCodec borrowed = new EnvelopeCodec(JsonMapper.builder().build(), 500, 1_048_576);
    assertThat(borrowed.decode(KEY, withPayload(deep), ValueType.of(Object.class)).isValid()).isFalse();
    String shallow = "[".repeat(100) + "]".repeat(100);
    assertThat(codec.decode(KEY, withPayload(shallow), ValueType.of(Object.class)).isValid()).isTrue();
  }

  @Test
  void valueOfAnotherTypeIsInvalidNotCoerced() {
    assertThat(codec.decode(KEY, codec.encode(KEY, entry(42)), ValueType.of(String.class)).isValid()).isFalse();
    assertThat(codec.decode(KEY, codec.encode(KEY, entry("42")), ValueType.of(Integer.class)).isValid())
        .isFalse();
    assertThat(codec.decode(KEY, codec.encode(KEY, entry("a string")), ValueType.of(Person.class)).isValid())
        .isFalse();
    assertThat(codec.decode(KEY, codec.encode(KEY, entry(Map.of("name", "Ada", "age", 36, "extra", 1))),
        ValueType.of(Person.class)).isValid()).isFalse();
  }

  @Test
  void valueLargerThanTheLimitIsRefusedAtEncoding() {
    String twentyMegabytes = "x".repeat(20 * 1024 * 1024);
    assertThatThrownBy(() -> codec.encode(KEY, entry(twentyMegabytes)))
        .satisfies(e -> assertThat(isOversized(e)).as("oversized, got %s", e).isTrue());
    assertThat(codec.encode(KEY, entry("x".repeat(1_000)))).hasSizeGreaterThan(1_000);
  }

  private static boolean isOversized(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof EnvelopeCodec.OversizedValueException) {
        return true;
      }
    }
    return false;
  }

  @Test
  void headerIsReadableWithoutThePayload() {
    byte[] bytes = codec.encode(KEY, entry("v", "a"));
    EnvelopeCodec.Header header = EnvelopeCodec.header(bytes);
    assertThat(header.key()).isEqualTo(KEY);
    assertThat(header.expiresAt()).isEqualTo(3_000);
    assertThat(header.tags()).containsExactly("a");
  }
}
