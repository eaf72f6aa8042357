package io.reactivecache.redis;

import io.lettuce.core.cluster.SlotHash;
import io.reactivecache.Strategy;
import io.reactivecache.spi.KeyPattern;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where each piece of a namespace lives in the Redis keyspace: layout version 2, one layout for a single node and
 * for a Redis Cluster.
 *
 * <pre>
 *   strategy ttl                     strategy lru / lfu           what
 *   ns:KEY                           {ns}:KEY                     an entry (envelope)
 *   ns:HEAD U+0001 SHA256(KEY)       {ns}:HEAD U+0001 ...         an entry with a long KEY (HEAD = first 100 chars)
 *   ns#tag:TAG                       {ns}#tag:TAG                 the set of stored entry names written with TAG
 *   -                                {ns}#lru or {ns}#lfu         sorted set of entries (LRU / LFU score)
 *   -                                {ns}#seq                     access sequence feeding the scores
 * </pre>
 *
 * {@code ns} is the namespace with {@code '%'}, {@code ':'}, {@code '#'}, <code>'{'</code> and <code>'}'</code>
 * percent-escaped.
 *
 * <p>Why two shapes, and the trade-off: on a Redis Cluster a key's slot (and so its master) is the CRC16 of its
 * hash tag, the text between its first <code>'{'</code> and the next <code>'}'</code>, or of the whole name without
 * one. Under {@code ttl} every entry stands alone, so entries carry no hash tag and a namespace spreads over every
 * master (no single-shard hot spot). Under {@code lru} / {@code lfu} the server-side bound is one atomic script
 * over the entry, the order and the sequence, and evicting a victim touches another entry: so the whole namespace
 * shares the hash tag <code>{ns}</code>, one slot, and therefore one master. A bounded namespace is limited to what
 * one master holds and serves; spread the load over several namespaces, or use {@code ttl}, to use every master.
 * On a single node the hash tag changes nothing but the names.
 *
 * <p>Braces: the namespace's braces are escaped, so no namespace can choose a hash tag (and put a {@code ttl}
 * namespace in one slot, or a bounded one in another's). A caller's key may contain braces: under {@code ttl} its
 * entry then lands in the slot of that tag, which is harmless (an entry is read, written and removed alone, never
 * together with another key in one script); under {@code lru} / {@code lfu} the first brace pair is the
 * namespace's own, so the key's braces mean nothing. A tag may contain braces too: its tag set then lives in that
 * tag's slot under {@code ttl}, equally harmless (a tag set is always addressed alone).
 *
 * <p>Versions: layout 1 (releases before Cluster support) named everything {@code ns...} without a hash tag and
 * escaped no brace. A {@code ttl} namespace keeps its names unless the namespace has a brace, so its entries and
 * tag sets are read as before; a bounded namespace (or one with a brace) has new names, so its old entries are
 * never read (misses) and stay until they expire, or until {@link RedisCacheBackend#clear()}, which also removes
 * the layout-1 names of the namespace ({@link #legacyKeys()}).
 *
 * <p>Why the escaping: with a raw namespace, namespace {@code "a"} would own the entries of namespace
 * {@code "a:b"} ({@code a:b:key} matches {@code a:*}), and a clear of one would delete the other's data. After
 * escaping, the first {@code ':'} or {@code '#'} always ends the namespace, so the mapping is injective and the
 * glob {@code escape(ns) + ":*"} reaches this namespace's entries only; a name starting with a brace is always a
 * bounded namespace's. A namespace without those five characters is used as is, so common layouts read naturally
 * ({@code myapp:user:1}).
 *
 * <p>Why long keys are shortened, and how: a key whose UTF-8 form exceeds {@value #MAX_INLINE_KEY_BYTES} bytes
 * (keys reach the backend whole, up to 65,536 characters) would cost its full length in every command, sorted-set
 * member and tag-set member. It is stored under its first {@value #HEAD_CHARS} characters, the marker U+0001 and the
 * SHA-256 of the whole key. Valid keys never contain a control character (the cache refuses them), so no key is
 * stored under a name that contains the marker except a shortened one: a crafted short key can never take a long
 * key's stored name. (A key that does contain a control character, or an unpaired surrogate that UTF-8 would turn
 * into '?', possible only through direct use of the SPI, is always shortened, which keeps the rule.) The envelope
 * keeps the whole key and is checked on every read, and pattern deletes match the whole key read from the
 * envelope, never the shortened name.
 */
final class RedisKeyLayout {
  /** Keys longer than this, in UTF-8 bytes, are stored shortened. */
  static final int MAX_INLINE_KEY_BYTES = 512;
  /** How much of a long key stays readable in its stored name, in characters. */
  static final int HEAD_CHARS = 100;
  /** Separates a long key's readable head from its digest; no valid key contains it. */
  static final char LONG_KEY_MARKER = '\u0001';

  private final String base;
  private final boolean oneSlot;
  private final String entryPrefix;
  private final String tagPrefix;
  private final String scanEntries;
  private final String scanBookkeeping;
  private final String legacyBase;

  RedisKeyLayout(String namespace, Strategy strategy) {
    String escaped = encodeNamespace(namespace);
    this.oneSlot = strategy != Strategy.TTL;
    this.base = oneSlot ? "{" + escaped + "}" : escaped;
    this.entryPrefix = base + ":";
    this.tagPrefix = base + "#tag:";
    this.scanEntries = KeyPattern.escape(base) + ":";
    this.scanBookkeeping = KeyPattern.escape(base) + "#*";
    this.legacyBase = legacyEncodeNamespace(namespace);
  }

  /** Tells whether every key of the namespace shares one hash slot ({@code lru} / {@code lfu}). */
  boolean oneSlot() {
    return oneSlot;
  }

  /** Tells whether layout 1 named this namespace's keys differently, so that a clear must look for them too. */
  boolean hasLegacyNames() {
    return !legacyBase.equals(base);
  }

  /**
   * The SCAN MATCH glob for every key layout 1 wrote for this namespace, entries ({@code ns:}) and bookkeeping
   * ({@code ns#}) in one pass: each pass of a clear walks the whole keyspace of every master.
   */
  String legacyKeys() {
    return KeyPattern.escape(legacyBase) + "[:#]*";
  }

  /** Layout 1's escaping: '%', ':' and '#' only. */
  /**
   * The hash slot of a stored key, as Redis and Lettuce's routing compute it: over the key's UTF-8 bytes (the
   * connection's key codec). Lettuce's {@code SlotHash.getSlot(String)} encodes with the JVM's default charset,
   * which on Java 17 under {@code LANG=C} is US-ASCII: every non-ASCII character becomes {@code ?}, and keys grouped
   * by that slot for one script land in different slots (CROSSSLOT).
   */
  static int slotOf(String storedKey) {
    return SlotHash.getSlot(storedKey.getBytes(StandardCharsets.UTF_8));
  }

  static String legacyEncodeNamespace(String namespace) {
    return percentEscape(namespace, "%:#");
  }

  static String encodeNamespace(String namespace) {
    return percentEscape(namespace, "%:#{}");
  }

  /** Replaces each of {@code specials} in {@code text} by '%' and its two hex digits ({@code ':'} becomes %3A). */
  private static String percentEscape(String text, String specials) {
    StringBuilder out = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (specials.indexOf(c) >= 0) {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** The Redis key an entry is stored under: the whole key, or its shortened form for a long key. */
  String entry(String key) {
    if (!isLong(key)) {
      return entryPrefix + key;
    }
    return entryPrefix + key.substring(0, headLength(key)) + LONG_KEY_MARKER + sha256(key);
  }

  /** What an envelope records as its key, and what a read checks: the namespace and the whole key. */
  String envelopeKey(String key) {
    return entryPrefix + key;
  }

  /**
   * Returns the caller's key recorded in an envelope's key, or null if the envelope does not belong to this
   * namespace's entry stored under {@code storedKey}.
   */
  String keyOfEnvelope(String storedKey, String envelopeKey) {
    if (envelopeKey == null || !envelopeKey.startsWith(entryPrefix)) {
      return null;
    }
    String key = envelopeKey.substring(entryPrefix.length());
    return entry(key).equals(storedKey) ? key : null;
  }

  /** Returns the caller's key of a stored entry key whose name holds it whole, or null otherwise. */
  String inlineKey(String storedKey) {
    if (!storedKey.startsWith(entryPrefix) || isShortened(storedKey)) {
      return null;
    }
    return storedKey.substring(entryPrefix.length());
  }

  /** Tells whether a stored entry key is a long key's shortened form (its whole key is in the envelope only). */
  boolean isShortened(String storedKey) {
    return storedKey.startsWith(entryPrefix) && storedKey.indexOf(LONG_KEY_MARKER, entryPrefix.length()) >= 0;
  }

  boolean isTagSet(String redisKey) {
    return redisKey.startsWith(tagPrefix);
  }

  String tagSet(String tag) {
    return tagPrefix + tag;
  }

  String tagPrefix() {
    return tagPrefix;
  }

  String accessSet(String strategyId) {
    return base + "#" + strategyId;
  }

  String sequence() {
    return base + "#seq";
  }

  /**
   * The SCAN MATCH glob that finds every entry whose whole key may match {@code pattern}: a superset, which the
   * caller narrows with {@link KeyPattern#matches}. Redis matches bytes where the pattern means characters
   * ({@code ?} is one byte, a set holds bytes, {@code [a-]} is read differently), and a long key's stored name
   * holds only its head; so the glob keeps the pattern's literal start only, cut to {@value #HEAD_CHARS}
   * characters, and matches anything after it.
   */
  String scanPattern(KeyPattern pattern) {
    String literal = literalStart(pattern.glob());
    String head = literal.substring(0, headLength(literal));
    return scanEntries + KeyPattern.escape(head) + "*";
  }

  /** The SCAN MATCH glob for every entry of the namespace. */
  String scanEntries() {
    return scanEntries + "*";
  }

  /** The SCAN MATCH glob for the namespace's bookkeeping (tag sets, access order, sequence). */
  String scanBookkeeping() {
    return scanBookkeeping;
  }

  /** The characters a glob's matches all start with: everything before its first wildcard or set. */
  static String literalStart(String glob) {
    StringBuilder literal = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*' || c == '?' || c == '[') {
        break;
      }
      if (c == '\\' && i + 1 < glob.length()) {
        c = glob.charAt(++i);
      }
      literal.append(c);
    }
    return literal.toString();
  }

  private static boolean isLong(String key) {
    // A UTF-16 char is at most 3 UTF-8 bytes: most keys are known to be short without encoding them.
    if (key.length() * 3 > MAX_INLINE_KEY_BYTES && bytes(key).length > MAX_INLINE_KEY_BYTES) {
      return true;
    }
    return !storableWhole(key);
  }

  /**
   * Tells whether a key's stored name can hold it whole: no control character (the marker's kind) and no unpaired
   * surrogate (UTF-8 would turn it into '?', the name of another key).
   */
  private static boolean storableWhole(String key) {
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (Character.isISOControl(c)) {
        return false;
      }
      if (Character.isHighSurrogate(c) && i + 1 < key.length() && Character.isLowSurrogate(key.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** {@value #HEAD_CHARS} characters, one less if that would split a surrogate pair. */
  private static int headLength(String text) {
    if (text.length() <= HEAD_CHARS) {
      return text.length();
    }
    return Character.isHighSurrogate(text.charAt(HEAD_CHARS - 1)) ? HEAD_CHARS - 1 : HEAD_CHARS;
  }

  /** The digest of the key's UTF-16 code units, which (unlike UTF-8) keeps unpaired surrogates apart. */
  private static String sha256(String key) {
    byte[] units = new byte[key.length() * 2];
    for (int i = 0; i < key.length(); i++) {
      units[2 * i] = (byte) (key.charAt(i) >> 8);
      units[2 * i + 1] = (byte) key.charAt(i);
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(units));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
