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
  void theKeyIsComparedWholeInEveryAlphabetWithoutDecodingForAsciiKeys() {
    ValueType<String> text = ValueType.of(String.class);
    for (String key : List.of(KEY, "ns:clé:ü", "ns:名前:1", "ns:emoji:\uD83D\uDE00", "ns:")) {
      byte[] bytes = codec.encode(key, entry("v"));
      assertThat(codec.decode(key, bytes, text).entry().value()).as(key).isEqualTo("v");
      for (String other : List.of(key + "x", key.substring(0, key.length() - 1), key.toUpperCase(), "ns:user:x")) {
        if (!other.equals(key)) {
          assertThat(codec.decode(other, bytes, text).invalid()).as("%s read as %s", key, other)
              .contains("another key");
        }
      }
    }
    // Same byte length, one byte apart, and an ASCII key against a stored non-ASCII key of equal byte length.
    byte[] accented = codec.encode("ns:é", entry("v"));
    assertThat(codec.decode("ns:ab", accented, text).invalid()).contains("another key");
    assertThat(codec.decode("ns:user:2", codec.encode("ns:user:1", entry("v")), text).invalid())
        .contains("another key");
    // A stored key that is not UTF-8 at all: not an envelope, whatever the expected key.
    byte[] broken = codec.encode("ns:ab", entry("v"));
    int keyAt = EnvelopeCodec.HEADER_FIXED + 4;
    broken[keyAt + 3] = (byte) 0xC3;
    broken[keyAt + 4] = (byte) 0x28;
    assertThat(codec.decode("ns:ab", broken, text).invalid()).contains("not an envelope");
    assertThat(codec.decode("ns:é", broken, text).invalid()).contains("not an envelope");
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

  /**
   * An envelope built by hand, byte by byte, as a writer of the given version lays it out: version 1 has no
   * optional fields; version 2 has them, each {@code id(2) length(4) bytes}.
   */
  private static byte[] handBuilt(int version, String key, List<String> tags, byte[][] fields, String json) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.DataOutputStream data = new java.io.DataOutputStream(out);
    try {
      data.writeByte('R');
      data.writeByte('C');
      data.writeByte(version);
      data.writeByte(0);
      data.writeLong(1_000);
      data.writeLong(2_000);
      data.writeLong(3_000);
      byte[] k = key.getBytes(StandardCharsets.UTF_8);
      data.writeInt(k.length);
      data.write(k);
      data.writeInt(tags.size());
      for (String tag : tags) {
        byte[] t = tag.getBytes(StandardCharsets.UTF_8);
        data.writeInt(t.length);
        data.write(t);
      }
      if (fields != null) {
        int length = 0;
        for (byte[] field : fields) {
          length += field.length;
        }
        data.writeInt(length);
        for (byte[] field : fields) {
          data.write(field);
        }
      }
      data.write(json.getBytes(StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] field(int id, byte[] value) {
    return java.nio.ByteBuffer.allocate(6 + value.length).putShort((short) id).putInt(value.length).put(value)
        .array();
  }

  private static byte[] longValue(long value) {
    return java.nio.ByteBuffer.allocate(8).putLong(value).array();
  }

  @Test
  void anEnvelopeOfTheFormatBeforeOptionalFieldsStillReadsWithLoadTimeZero() {
    byte[] old = handBuilt(1, KEY, List.of("people"), null, "{\"name\":\"Ada\",\"age\":36}");
    CacheEntry<Person> read = codec.decode(KEY, old, ValueType.of(Person.class)).entry();
    assertThat(read.value()).isEqualTo(new Person("Ada", 36));
    assertThat(read.tags()).containsExactly("people");
    assertThat(read.expiresAt()).isEqualTo(3_000);
    assertThat(read.loadMillis()).isZero();
  }

  @Test
  void theLoadTimeRoundTripsAndIsLeftOutWhenUnknown() {
    byte[] bytes = codec.encode(KEY, entry(new Person("Ada", 36), "t").withLoadMillis(1_234));
    assertThat(codec.decode(KEY, bytes, ValueType.of(Person.class)).entry().loadMillis()).isEqualTo(1_234);
    byte[] hand = handBuilt(2, KEY, List.of("t"), new byte[][] {field(1, longValue(1_234))},
        "{\"name\":\"Ada\",\"age\":36}");
    assertThat(bytes).isEqualTo(hand);
    byte[] without = codec.encode(KEY, entry("v"));
    assertThat(without).isEqualTo(handBuilt(2, KEY, List.of(), new byte[0][], "\"v\""));
    assertThat(codec.decode(KEY, without, ValueType.of(String.class)).entry().loadMillis()).isZero();
  }

  @Test
  void fieldsOfANewerWriterAreSkippedNotFailed() {
    byte[] newer = handBuilt(2, KEY, List.of("a", "b"), new byte[][] {
        field(77, "something this reader does not know".getBytes(StandardCharsets.UTF_8)),
        field(1, longValue(42)),
        field(65_535, new byte[0]),
        field(300, new byte[] {1, 2, 3})}, "{\"name\":\"Ada\",\"age\":36}");
    CacheEntry<Person> read = codec.decode(KEY, newer, ValueType.of(Person.class)).entry();
    assertThat(read.value()).isEqualTo(new Person("Ada", 36));
    assertThat(read.tags()).containsExactlyInAnyOrder("a", "b");
    assertThat(read.loadMillis()).isEqualTo(42);
    assertThat(EnvelopeCodec.header(newer).tags()).containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void malformedOptionalFieldsAreInvalidNeverAnException() {
    String json = "\"v\"";
    // A field longer than the fields, a load time of the wrong size, a negative load time, fields past the end.
    byte[] overlong = handBuilt(2, KEY, List.of(), new byte[][] {
        java.nio.ByteBuffer.allocate(6).putShort((short) 9).putInt(1_000).array()}, json);
    byte[] shortLoad = handBuilt(2, KEY, List.of(), new byte[][] {field(1, new byte[4])}, json);
    byte[] negative = handBuilt(2, KEY, List.of(), new byte[][] {field(1, longValue(-5))}, json);
    for (byte[] bad : List.of(overlong, shortLoad, negative)) {
      assertThat(codec.decode(KEY, bad, ValueType.of(String.class)).isValid()).isFalse();
    }
    byte[] pastTheEnd = handBuilt(2, KEY, List.of(), null, "");
    pastTheEnd = Arrays.copyOf(pastTheEnd, pastTheEnd.length + 4);
    java.nio.ByteBuffer.wrap(pastTheEnd, pastTheEnd.length - 4, 4).putInt(1 << 20);
    assertThat(codec.decode(KEY, pastTheEnd, ValueType.of(String.class)).isValid()).isFalse();
  }

  enum Colour { RED, GREEN }

  /**
   * A value that does not decode exactly into the requested type is a miss, as in memory: every lossy or
   * type-changing coercion Jackson would otherwise apply.
   */
  @Test
  void lossyCoercionsAreMissesNotConversions() {
    Map<String, ValueType<?>> cases = new java.util.LinkedHashMap<>();
    cases.put("1.99 as Integer", ValueType.of(Integer.class));
    cases.put("1.99 as Long", ValueType.of(Long.class));
    cases.put("1.99 as BigInteger", ValueType.of(java.math.BigInteger.class));
    cases.put("2.0 as Integer", ValueType.of(Integer.class));
    cases.put("\"42\" as Integer", ValueType.of(Integer.class));
    cases.put("\"42\" as Long", ValueType.of(Long.class));
    cases.put("\"4.2\" as Double", ValueType.of(Double.class));
    cases.put("\"4.2\" as BigDecimal", ValueType.of(java.math.BigDecimal.class));
    cases.put("\"true\" as Boolean", ValueType.of(Boolean.class));
    cases.put("1 as Boolean", ValueType.of(Boolean.class));
    cases.put("0 as Boolean", ValueType.of(Boolean.class));
    cases.put("true as Integer", ValueType.of(Integer.class));
    cases.put("true as String", ValueType.of(String.class));
    cases.put("42 as String", ValueType.of(String.class));
    cases.put("4.2 as String", ValueType.of(String.class));
    cases.put("1 as Colour", ValueType.of(Colour.class));
    cases.put("\"\" as Integer", ValueType.of(Integer.class));
    cases.put("\"\" as Colour", ValueType.of(Colour.class));
    cases.put("\"\" as Person", ValueType.of(Person.class));
    cases.put("42 as List", new ValueType<List<Integer>>() {});
    cases.put("[42] as Integer", ValueType.of(Integer.class));
    cases.put("{\"name\":\"Ada\",\"age\":36.5} as Person", ValueType.of(Person.class));
    cases.put("{\"name\":\"Ada\",\"age\":\"36\"} as Person", ValueType.of(Person.class));
    cases.put("3000000000 as Integer", ValueType.of(Integer.class));
    List<String> coerced = new java.util.ArrayList<>();
    cases.forEach((text, type) -> {
      String json = text.substring(0, text.lastIndexOf(" as "));
      if (codec.decode(KEY, withPayload(json), type).isValid()) {
        coerced.add(text);
      }
    });
    assertThat(coerced).as("payloads decoded into a type they were not written as").isEmpty();
    // Exact values still read: numbers widen where nothing is lost, as written by the same type.
    assertThat(codec.decode(KEY, withPayload("42"), ValueType.of(Long.class)).entry().value()).isEqualTo(42L);
    assertThat(codec.decode(KEY, withPayload("1.5"), ValueType.of(Double.class)).entry().value()).isEqualTo(1.5);
    assertThat(codec.decode(KEY, codec.encode(KEY, entry(new java.math.BigDecimal("42"))),
        ValueType.of(java.math.BigDecimal.class)).entry().value()).isEqualTo(new java.math.BigDecimal("42"));
    assertThat(codec.decode(KEY, codec.encode(KEY, entry(Colour.GREEN)), ValueType.of(Colour.class)).entry()
        .value()).isEqualTo(Colour.GREEN);
  }
}
