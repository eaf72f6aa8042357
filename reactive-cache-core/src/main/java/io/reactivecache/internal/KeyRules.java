package io.reactivecache.internal;

import io.reactivecache.InvalidCacheKeyException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Validation and shortening of rendered keys. Internal: may change without notice.
 */
public final class KeyRules {
  /** Keys longer than this are replaced by a readable prefix and the digest of the whole key. */
  public static final int MAX_KEY_LENGTH = 256;
  private static final int READABLE_PREFIX = 120;

  private KeyRules() {}

  /**
   * Validates a caller's key and puts an already-checked prefix in front; hashes the result if over-long.
   *
   * @param checkedPrefix a prefix validated before (a view's escaped name and ':')
   * @param key the key a caller gave
   * @return the key to store under
   */
  public static String prefixed(String checkedPrefix, String key) {
    String full = checkedPrefix + validated(key);
    return full.length() <= MAX_KEY_LENGTH ? full : shortened(full);
  }

  /**
   * Refuses null, empty and control-character keys; hashes over-long ones.
   *
   * @param key the key a caller gave
   * @return the key to store under
   */
  public static String checked(String key) {
    String valid = validated(key);
    return valid.length() <= MAX_KEY_LENGTH ? valid : shortened(valid);
  }

  private static String validated(String key) {
    if (key == null) {
      throw new InvalidCacheKeyException("A cache key must not be null");
    }
    if (key.isEmpty()) {
      throw new InvalidCacheKeyException("A cache key must not be empty");
    }
    for (int i = 0; i < key.length(); i++) {
      if (Character.isISOControl(key.charAt(i))) {
        throw new InvalidCacheKeyException("A cache key must not contain control characters: U+"
            + String.format("%04X", (int) key.charAt(i)) + " at index " + i + " of the key starting '"
            + printable(key) + "'");
      }
    }
    return key;
  }

  /**
   * Escapes a key component so that joining components with ':' cannot collide: ':' becomes "\:" and '\' becomes
   * "\\".
   *
   * @param component the component
   * @return the escaped component
   */
  public static String escapeComponent(String component) {
    if (component.indexOf(':') < 0 && component.indexOf('\\') < 0) {
      return component;
    }
    StringBuilder out = new StringBuilder(component.length() + 4);
    for (int i = 0; i < component.length(); i++) {
      char c = component.charAt(i);
      if (c == ':' || c == '\\') {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }

  /**
   * Returns the full SHA-256 digest of a text, in hex (64 characters).
   *
   * @param text the text
   * @return the digest
   */
  public static String sha256(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  private static String shortened(String key) {
    String prefix = key.substring(0, READABLE_PREFIX);
    // Do not end the prefix between a surrogate pair or right after an escaping backslash.
    if (Character.isHighSurrogate(prefix.charAt(prefix.length() - 1))) {
      prefix = prefix.substring(0, prefix.length() - 1);
    }
    return prefix + "#sha256:" + sha256(key);
  }

  private static String printable(String key) {
    String head = key.length() > 40 ? key.substring(0, 40) : key;
    return head.replaceAll("\\p{Cntrl}", "?");
  }
}
