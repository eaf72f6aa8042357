package io.reactivecache.redis;

import io.reactivecache.ValueType;
import io.reactivecache.spi.CacheEntry;
import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.JsonRecyclerPools;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

/**
 * Turns entries into the bytes stored in Redis and back.
 *
 * <p>Layout (big-endian), chosen so that the Lua scripts can read the key and the tags without JSON:
 * <pre>
 *   'R' 'C'  version(1)  flags(1: bit 0 = absent)
 *   writtenAt(8) freshUntil(8) expiresAt(8)
 *   keyLength(4) key(UTF-8)                   namespace, ':' and the whole key, checked on read
 *   tagCount(4) { tagLength(4) tag(UTF-8) }*
 *   fieldsLength(4) { id(2) length(4) bytes }*    version 2 only: optional fields, see below
 *   payload                                   JSON of the value; empty when absent
 * </pre>
 *
 * <p>How the format grows: a field a reader may ignore (such as the load time, id {@value #FIELD_LOAD_MILLIS},
 * 8 bytes) is added as an optional field; a reader skips the ids it does not know, so a newer writer's entries stay
 * readable here. A change a reader must understand (a flag bit, another layout before the fields) takes a new
 * version, which this reader counts as an invalid payload (a miss), never an error. Version 1, written before the
 * optional fields existed, is still read (load time 0). The fixed part up to the tags is the same in both, so the
 * scripts read both.
 *
 * <p>The payload is decoded into the type the caller gives, never into a type named by the data: the mapper has
 * no default typing, so {@code "@class"} is an ordinary (unknown, hence refused) property. Decoding runs under
 * {@link StreamReadConstraints} (nesting depth, string and document sizes). Anything that does not decode cleanly
 * is reported as {@link Decoded#invalid}, which the backend counts and treats as a miss.
 */
final class EnvelopeCodec {
  static final byte VERSION = 2;
  static final byte VERSION_WITHOUT_FIELDS = 1;
  static final int HEADER_FIXED = 2 + 1 + 1 + 8 + 8 + 8;
  /** Optional field: how long the value took to load, in milliseconds (a long). */
  static final int FIELD_LOAD_MILLIS = 1;
  /** Value types whose reader is kept; past it, readers are made again (each first use off the event loop). */
  static final int MAX_READERS = 1_024;

  private final JsonMapper mapper;
  private final JsonFactory constrained;
  private final int maxValueBytes;
  /**
   * A reader per value type, its root deserializer resolved when it was made. Jackson builds a type's
   * deserializers under a lock ({@code DeserializerCache}); made here, off the event loop, once per type, the
   * reads themselves never take it.
   */
  private final ConcurrentHashMap<Type, ObjectReader> readers = new ConcurrentHashMap<>();

  EnvelopeCodec(JsonMapper borrowedOrNull, int maxNestingDepth, int maxValueBytes) {
    this.maxValueBytes = maxValueBytes;
    StreamReadConstraints constraints = StreamReadConstraints.builder()
        .maxNestingDepth(maxNestingDepth)
        .maxDocumentLength(maxValueBytes)
        .maxStringLength(maxValueBytes)
        .build();
    // Parsers are made on the few threads replies arrive on (Lettuce's event loops, Schedulers.parallel() for
    // large values): a per-thread buffer recycler serves them without the default pool's shared deque, which cost a
    // read about 4 % of its time in the GET benchmark.
    this.constrained = JsonFactory.builder().streamReadConstraints(constraints)
        .recyclerPool(JsonRecyclerPools.threadLocalPool()).build();
    // The mapper writes on the callers' threads, any number of them: its factory keeps the default shared pool.
    JsonMapper base = borrowedOrNull != null ? borrowedOrNull
        : JsonMapper.builder(JsonFactory.builder().streamReadConstraints(constraints).build()).build();
    this.mapper = strict(base);
  }

  /**
   * Strict reading makes a value written as one type a miss when read as another, as the memory backend does,
   * instead of a half-filled object (unknown properties) or a silently converted scalar: 1.99 is not the Integer
   * 1, "42" is not a number, 1 is not {@code true}, 42 is not "42", an index is not an enum constant, "" is not a
   * null.
   */
  private static JsonMapper strict(JsonMapper base) {
    JsonMapper.Builder builder = base.rebuild()
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        .disable(DeserializationFeature.UNWRAP_SINGLE_VALUE_ARRAYS)
        .disable(DeserializationFeature.ACCEPT_EMPTY_STRING_AS_NULL_OBJECT)
        .disable(DeserializationFeature.ACCEPT_EMPTY_ARRAY_AS_NULL_OBJECT)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .withCoercionConfig(LogicalType.Integer, config -> config
            .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
        .withCoercionConfig(LogicalType.Float, config -> config
            .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
        .withCoercionConfig(LogicalType.Boolean, config -> config
            .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
        .withCoercionConfig(LogicalType.Textual, config -> config
            .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
        .withCoercionConfig(LogicalType.Enum, config -> config
            .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail));
    // A lent mapper that writes enums as their index must read them back so; otherwise an index is not an enum.
    if (!base.isEnabled(EnumFeature.WRITE_ENUMS_USING_INDEX)) {
      builder.enable(EnumFeature.FAIL_ON_NUMBERS_FOR_ENUMS);
    }
    return builder.build();
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
  byte[] encode(String envelopeKey, CacheEntry<?> entry) {
    BoundedOutput out = new BoundedOutput(maxValueBytes);
    byte[] key = envelopeKey.getBytes(StandardCharsets.UTF_8);
    if ((long) HEADER_FIXED + 4 + key.length > maxValueBytes) {
      throw new OversizedValueException(maxValueBytes);
    }
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
    ByteBuffer fields = ByteBuffer.allocate(4 + 2 + 4 + 8);
    if (entry.loadMillis() > 0) {
      fields.putInt(2 + 4 + 8).putShort((short) FIELD_LOAD_MILLIS).putInt(8).putLong(entry.loadMillis());
    } else {
      fields.putInt(0);
    }
    out.write(fields.array(), 0, fields.position());
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
      long loadMillis, int payloadOffset) {}

  /** Reads the header, or returns null if the bytes are not an envelope of a version this reader knows. */
  static Header header(byte[] bytes) {
    return header(bytes, null);
  }

  /**
   * Reads the header as {@link #header(byte[])} does. Given the key the envelope must record, and that key is
   * ASCII (nearly every key), the stored key is compared in place, byte by byte, instead of being decoded into a
   * new string: the header then carries {@code expectedKey} itself, or is {@link #OTHER_KEY} when the envelope
   * is a valid one of another key. A key that is not ASCII is decoded and compared as before.
   */
  private static Header header(byte[] bytes, String expectedKey) {
    if (bytes == null || bytes.length < HEADER_FIXED + 8 || bytes[0] != 'R' || bytes[1] != 'C'
        || (bytes[2] != VERSION && bytes[2] != VERSION_WITHOUT_FIELDS)) {
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
      int keyLength = in.getInt();
      String key;
      if (expectedKey != null && isAscii(expectedKey)) {
        if (keyLength < 0 || keyLength > in.remaining()) {
          return null;
        }
        if (!asciiEquals(bytes, in.position(), keyLength, expectedKey)) {
          // Rare: say whether it is another key's envelope or no envelope at all, as the full read would.
          return header(bytes, null) == null ? null : OTHER_KEY;
        }
        in.position(in.position() + keyLength);
        key = expectedKey;
      } else {
        key = utf8(in, keyLength);
      }
      int tagCount = in.getInt();
      if (tagCount < 0 || tagCount > in.remaining() / 4) {
        return null;
      }
      Set<String> tags;
      if (tagCount == 0) {
        tags = Set.of();
      } else {
        tags = new LinkedHashSet<>();
        for (int i = 0; i < tagCount; i++) {
          tags.add(utf8(in, in.getInt()));
        }
      }
      long loadMillis = bytes[2] == VERSION_WITHOUT_FIELDS ? 0 : readFields(in);
      if (loadMillis < 0) {
        return null;
      }
      return new Header(key, (flags & 1) != 0, writtenAt, freshUntil, expiresAt, tags, loadMillis, in.position());
    } catch (BufferUnderflowException | IllegalArgumentException | CharacterCodingException e) {
      return null;
    }
  }

  /** A valid envelope of a key other than the expected one; only compared by identity. */
  private static final Header OTHER_KEY = new Header("", false, 0, 0, 0, Set.of(), 0, 0);

  private static boolean isAscii(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code length} bytes at {@code offset} are the (ASCII) text's UTF-8 encoding. */
  private static boolean asciiEquals(byte[] bytes, int offset, int length, String ascii) {
    if (length != ascii.length()) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (bytes[offset + i] != (byte) ascii.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Reads the optional fields, skipping those this reader does not know, and leaves {@code in} at the payload.
   *
   * @return the load time (0 when absent), or -1 if the fields are malformed
   */
  private static long readFields(ByteBuffer in) {
    int length = in.getInt();
    if (length < 0 || length > in.remaining()) {
      return -1;
    }
    ByteBuffer fields = in.slice();
    fields.limit(length);
    in.position(in.position() + length);
    long loadMillis = 0;
    while (fields.hasRemaining()) {
      int id = Short.toUnsignedInt(fields.getShort());
      int size = fields.getInt();
      if (size < 0 || size > fields.remaining()) {
        return -1;
      }
      if (id == FIELD_LOAD_MILLIS) {
        if (size != 8) {
          return -1;
        }
        loadMillis = fields.getLong();
        if (loadMillis < 0) {
          return -1;
        }
      } else {
        fields.position(fields.position() + size);
      }
    }
    return loadMillis;
  }

  /**
   * Returns the reader of a type if one was made already, so that a read can decode without building
   * deserializers; null otherwise.
   */
  ObjectReader readyReader(ValueType<?> type) {
    return readers.get(type.type());
  }

  /**
   * Makes (or returns) the reader of a type, resolving its deserializers now. May wait on Jackson's
   * deserializer cache: call it where waiting is allowed, never on an event loop.
   */
  ObjectReader reader(ValueType<?> type) {
    ObjectReader ready = readers.get(type.type());
    if (ready != null) {
      return ready;
    }
    ObjectReader made = mapper.readerFor(mapper.getTypeFactory().constructType(type.type()));
    if (readers.size() >= MAX_READERS) {
      readers.clear();
    }
    ObjectReader raced = readers.putIfAbsent(type.type(), made);
    return raced != null ? raced : made;
  }

  /**
   * Decodes stored bytes for a key and a type, making the type's reader if needed (tests; the backend passes a
   * reader made beforehand).
   */
  <T> Decoded<T> decode(String envelopeKey, byte[] bytes, ValueType<T> type) {
    return decode(envelopeKey, bytes, type, reader(type));
  }

  /**
   * Decodes stored bytes for a key and a type.
   *
   * @param envelopeKey the key the envelope must record (namespace, ':' and the whole key)
   * @param bytes the stored bytes
   * @param type the caller's type
   * @param reader the type's reader, from {@link #reader}
   * @return the entry, or why the bytes are unusable
   */
  <T> Decoded<T> decode(String envelopeKey, byte[] bytes, ValueType<T> type, ObjectReader reader) {
    Header header = header(bytes, envelopeKey);
    if (header == null) {
      return Decoded.invalid("not an envelope of version " + VERSION_WITHOUT_FIELDS + " or " + VERSION
          + " (corrupt, truncated or another format)");
    }
    if (header == OTHER_KEY || !header.key().equals(envelopeKey)) {
      return Decoded.invalid("the envelope belongs to another key");
    }
    if (header.absent()) {
      if (header.payloadOffset() != bytes.length) {
        return Decoded.invalid("an absent marker with a payload");
      }
      return new Decoded<T>(CacheEntry.<T>absent(header.writtenAt(), header.freshUntil(), header.expiresAt(),
          header.tags()).withLoadMillis(header.loadMillis()), null);
    }
    try {
      Object value;
      // The parser comes from our constrained factory, so the limits hold even with a borrowed mapper.
      try (JsonParser parser = constrained.createParser(ObjectReadContext.empty(), bytes,
          header.payloadOffset(), bytes.length - header.payloadOffset())) {
        value = reader.readValue(parser);
      }
      if (value == null || !type.isInstance(value)) {
        return Decoded.invalid("the payload is not a " + type);
      }
      return new Decoded<>(CacheEntry.of(type.cast(value), header.writtenAt(), header.freshUntil(),
          header.expiresAt(), header.tags()).withLoadMillis(header.loadMillis()), null);
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
