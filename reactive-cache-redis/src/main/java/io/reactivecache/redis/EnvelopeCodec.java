package io.reactivecache.redis;

import io.reactivecache.ValueType;
import io.reactivecache.spi.CacheEntry;
import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

/**
 * Turns entries into the bytes stored in Redis and back.
 *
 * <p>Layout (version 1, big-endian), chosen so that the Lua scripts can read the tags without JSON:
 * <pre>
 *   'R' 'C'  version(1)  flags(1: bit 0 = absent)
 *   writtenAt(8) freshUntil(8) expiresAt(8)
 *   keyLength(4) key(UTF-8)                   the full Redis key, checked on read
 *   tagCount(4) { tagLength(4) tag(UTF-8) }*
 *   payload                                   JSON of the value; empty when absent
 * </pre>
 *
 * <p>The payload is decoded into the type the caller gives, never into a type named by the data: the mapper has
 * no default typing, so {@code "@class"} is an ordinary (unknown, hence refused) property. Decoding runs under
 * {@link StreamReadConstraints} (nesting depth, string and document sizes). Anything that does not decode cleanly
 * is reported as {@link Decoded#invalid}, which the backend counts and treats as a miss.
 */
final class EnvelopeCodec {
  static final byte VERSION = 1;
  static final int HEADER_FIXED = 2 + 1 + 1 + 8 + 8 + 8;

  private final JsonMapper mapper;
  private final JsonFactory constrained;
  private final int maxValueBytes;

  EnvelopeCodec(JsonMapper borrowedOrNull, int maxNestingDepth, int maxValueBytes) {
    this.maxValueBytes = maxValueBytes;
    StreamReadConstraints constraints = StreamReadConstraints.builder()
        .maxNestingDepth(maxNestingDepth)
        .maxDocumentLength(maxValueBytes)
        .maxStringLength(maxValueBytes)
        .build();
    this.constrained = JsonFactory.builder().streamReadConstraints(constraints).build();
    JsonMapper base = borrowedOrNull != null ? borrowedOrNull : JsonMapper.builder(constrained).build();
    // Strict reading makes a value written as one type a miss when read as another, instead of a half-filled
    // object (unknown properties) or a silently converted scalar (coercion).
    this.mapper = base.rebuild()
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        // Numbers and booleans are not text: a value written as 42 is a miss when read as a String.
        .withCoercionConfig(LogicalType.Textual, config -> config
            .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
        .build();
  }

  /** A value whose encoding is larger than {@code maxValueBytes}. */
  static final class OversizedValueException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OversizedValueException(int limit) {
      super("the encoded value is larger than maxValueBytes (" + limit + " bytes)", null, false, false);
    }
  }

  /**
   * Encodes an entry.
   *
   * @throws OversizedValueException when the result would exceed the limit
   * @throws JacksonException when the value cannot be written as JSON
   */
  byte[] encode(String fullKey, CacheEntry<?> entry) {
    BoundedOutput out = new BoundedOutput(maxValueBytes);
    byte[] key = fullKey.getBytes(StandardCharsets.UTF_8);
    ByteBuffer head = ByteBuffer.allocate(HEADER_FIXED + 4 + key.length + 4);
    head.put((byte) 'R').put((byte) 'C').put(VERSION).put((byte) (entry.isAbsent() ? 1 : 0));
    head.putLong(entry.writtenAt()).putLong(entry.freshUntil()).putLong(entry.expiresAt());
    head.putInt(key.length).put(key).putInt(entry.tags().size());
    out.write(head.array(), 0, head.position());
    for (String tag : entry.tags()) {
      byte[] t = tag.getBytes(StandardCharsets.UTF_8);
      out.write(ByteBuffer.allocate(4).putInt(t.length).array(), 0, 4);
      out.write(t, 0, t.length);
    }
    if (!entry.isAbsent()) {
      mapper.writeValue(out, entry.value());
    }
    return out.toByteArray();
  }

  /** What a read produced: an entry, or the reason the stored bytes were unusable. */
  record Decoded<T>(CacheEntry<T> entry, String invalid) {
    static <T> Decoded<T> invalid(String why) {
      return new Decoded<>(null, why);
    }

    boolean isValid() {
      return entry != null;
    }
  }

  /** Header fields, read without touching the payload. */
  record Header(String key, boolean absent, long writtenAt, long freshUntil, long expiresAt, Set<String> tags,
      int payloadOffset) {}

  /** Reads the header, or returns null if the bytes are not a version-1 envelope. */
  static Header header(byte[] bytes) {
    if (bytes == null || bytes.length < HEADER_FIXED + 8 || bytes[0] != 'R' || bytes[1] != 'C'
        || bytes[2] != VERSION) {
      return null;
    }
    try {
      ByteBuffer in = ByteBuffer.wrap(bytes);
      in.position(3);
      byte flags = in.get();
      long writtenAt = in.getLong();
      long freshUntil = in.getLong();
      long expiresAt = in.getLong();
      if (writtenAt > freshUntil || freshUntil > expiresAt || (flags & ~1) != 0) {
        return null;
      }
      String key = utf8(in, in.getInt());
      int tagCount = in.getInt();
      if (tagCount < 0 || tagCount > in.remaining() / 4) {
        return null;
      }
      Set<String> tags = new LinkedHashSet<>();
      for (int i = 0; i < tagCount; i++) {
        tags.add(utf8(in, in.getInt()));
      }
      return new Header(key, (flags & 1) != 0, writtenAt, freshUntil, expiresAt, tags, in.position());
    } catch (BufferUnderflowException | IllegalArgumentException | CharacterCodingException e) {
      return null;
    }
  }

  /**
   * Decodes stored bytes for a key and a type.
   *
   * @param fullKey the Redis key the bytes were read from
   * @param bytes the stored bytes
   * @param type the caller's type
   * @return the entry, or why the bytes are unusable
   */
  <T> Decoded<T> decode(String fullKey, byte[] bytes, ValueType<T> type) {
    Header header = header(bytes);
    if (header == null) {
      return Decoded.invalid("not a version-" + VERSION + " envelope (corrupt, truncated or another format)");
    }
    if (!header.key().equals(fullKey)) {
      return Decoded.invalid("the envelope belongs to another key");
    }
    if (header.absent()) {
      if (header.payloadOffset() != bytes.length) {
        return Decoded.invalid("an absent marker with a payload");
      }
      return new Decoded<>(
          CacheEntry.absent(header.writtenAt(), header.freshUntil(), header.expiresAt(), header.tags()), null);
    }
    try {
      JavaType javaType = mapper.getTypeFactory().constructType(type.type());
      Object value;
      // The parser comes from our constrained factory, so the limits hold even with a borrowed mapper.
      try (JsonParser parser = constrained.createParser(ObjectReadContext.empty(), bytes,
          header.payloadOffset(), bytes.length - header.payloadOffset())) {
        value = mapper.readValue(parser, javaType);
      }
      if (value == null || !type.isInstance(value)) {
        return Decoded.invalid("the payload is not a " + type);
      }
      return new Decoded<>(CacheEntry.of(type.cast(value), header.writtenAt(), header.freshUntil(),
          header.expiresAt(), header.tags()), null);
    } catch (JacksonException | IllegalArgumentException e) {
      return Decoded.invalid("the payload does not decode as " + type + ": " + e.getClass().getSimpleName());
    }
  }

  private static String utf8(ByteBuffer in, int length) throws CharacterCodingException {
    if (length < 0 || length > in.remaining()) {
      throw new IllegalArgumentException("length out of range");
    }
    ByteBuffer slice = in.slice();
    slice.limit(length);
    in.position(in.position() + length);
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(slice)
        .toString();
  }

  /** Fails as soon as the limit is passed, so a 20 MB value is never fully buffered twice. */
  private static final class BoundedOutput extends ByteArrayOutputStream {
    private final int limit;

    BoundedOutput(int limit) {
      super(256);
      this.limit = limit;
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      check(len);
      super.write(b, off, len);
    }

    @Override
    public synchronized void write(int b) {
      check(1);
      super.write(b);
    }

    private void check(int more) {
      if ((long) count + more > limit) {
        throw new OversizedValueException(limit);
      }
    }
  }
}
