package io.reactivecache.redis;

import io.reactivecache.spi.KeyPattern;
import java.nio.charset.StandardCharsets;

/**
 * Where each piece of a namespace lives in the Redis keyspace.
 *
 * <pre>
 *   ns:KEY        an entry (envelope)                     ns = the namespace with '%', ':' and '#' percent-escaped
 *   ns#tag:TAG    the set of entry keys written with TAG
 *   ns#lru        sorted set of entry keys (LRU / LFU score), only for those strategies
 *   ns#lfu
 *   ns#seq        access sequence feeding the LRU / LFU scores
 * </pre>
 *
 * <p>Why the escaping: with a raw namespace, namespace {@code "a"} would own the entries of namespace
 * {@code "a:b"} ({@code a:b:key} matches {@code a:*}), and a clear of one would delete the other's data. After
 * escaping, the first {@code ':'} or {@code '#'} always ends the namespace, so the mapping is injective and the
 * glob {@code escape(ns) + ":*"} reaches this namespace's entries only. A namespace without those three
 * characters is used as is, so common layouts read naturally ({@code myapp:user:1}).
 */
final class RedisKeyLayout {
  private final String prefix;
  private final String entryPrefix;
  private final String tagPrefix;
  private final String scanEntries;
  private final String scanAll;

  RedisKeyLayout(String namespace) {
    this.prefix = encodeNamespace(namespace);
    this.entryPrefix = prefix + ":";
    this.tagPrefix = prefix + "#tag:";
    this.scanEntries = KeyPattern.escape(prefix) + ":";
    this.scanAll = KeyPattern.escape(prefix) + "[:#]*";
  }

  static String encodeNamespace(String namespace) {
    StringBuilder out = new StringBuilder(namespace.length() + 8);
    for (int i = 0; i < namespace.length(); i++) {
      char c = namespace.charAt(i);
      switch (c) {
        case '%' -> out.append("%25");
        case ':' -> out.append("%3A");
        case '#' -> out.append("%23");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  String entry(String key) {
    return entryPrefix + key;
  }

  /** Returns the caller's key of a full entry key, or null if the key is not one of this namespace's entries. */
  String userKey(String fullKey) {
    return fullKey.startsWith(entryPrefix) ? fullKey.substring(entryPrefix.length()) : null;
  }

  String tagSet(String tag) {
    return tagPrefix + tag;
  }

  String tagPrefix() {
    return tagPrefix;
  }

  String accessSet(String strategyId) {
    return prefix + "#" + strategyId;
  }

  String sequence() {
    return prefix + "#seq";
  }

  /** The SCAN MATCH glob for the entries whose caller key matches {@code pattern}. */
  String scanPattern(KeyPattern pattern) {
    return scanEntries + pattern.glob();
  }

  /** The SCAN MATCH glob for every key of the namespace, entries and bookkeeping. */
  String scanEverything() {
    return scanAll;
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
