package io.reactivecache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Validation of keys. Keys reach backends whole: a backend that must bound its stored keys (Redis) shortens them
 * itself, in a form no other key can take, and still matches patterns against the whole key.
 */
final class KeyRules {
  /** The longest key accepted, in characters; longer ones are refused as a likely mistake or an attack. */
  static final int MAX_KEY_LENGTH = 65_536;

  private KeyRules() {}

  /**
   * Validates a caller's key and puts an already-checked prefix in front.
   *
   * @param checkedPrefix a prefix validated before (a view's escaped name and ':')
   * @param key the key a caller gave
   * @return the key to store under
   */
  static String prefixed(String checkedPrefix, String key) {
    validated(key);
    String full = checkedPrefix + key;
    if (full.length() > MAX_KEY_LENGTH) {
      throw tooLong(full);
    }
    return full;
  }

  /**
   * Validates a caller's key that will be stored after an already-checked prefix, without joining them.
   *
   * @param checkedPrefix a prefix validated before
   * @param key the key a caller gave
   * @throws InvalidCacheKeyException if the key is invalid or the joined key would be too long
   */
  static void checkPart(String checkedPrefix, String key) {
    validated(key);
    if (checkedPrefix.length() + key.length() > MAX_KEY_LENGTH) {
      throw tooLong(checkedPrefix + key);
    }
  }

  /**
   * Returns {@code (prefix + key).hashCode()} without joining them, from the two strings' cached hashes.
   *
   * @param prefix the first part
   * @param key the second part
   * @return the joined string's hash code
   */
  static int hash(String prefix, String key) {
    if (prefix.isEmpty()) {
      return key.hashCode();
    }
    int power = 1;
    int base = 31;
    for (int n = key.length(); n > 0; n >>= 1) {
      if ((n & 1) != 0) {
        power *= base;
      }
      base *= base;
    }
    return prefix.hashCode() * power + key.hashCode();
  }

  /**
   * Refuses null, empty, control-character and over-long keys.
   *
   * @param key the key a caller gave
   * @return the key to store under: the key itself
   */
  static String checked(String key) {
    return validated(key);
  }

  private static String validated(String key) {
    if (key == null) {
      throw new InvalidCacheKeyException("A cache key must not be null");
    }
    if (key.isEmpty()) {
      throw new InvalidCacheKeyException("A cache key must not be empty");
    }
    if (key.length() > MAX_KEY_LENGTH) {
      throw tooLong(key);
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

  private static InvalidCacheKeyException tooLong(String key) {
    return new InvalidCacheKeyException("A cache key must be at most " + MAX_KEY_LENGTH + " characters; this one has "
        + key.length() + " and starts '" + printable(key) + "' (hash long parts yourself, or use CacheKey, which hashes"
        + " parameters)");
  }

  /**
   * Escapes a key component so that joining components with ':' cannot collide: ':' becomes "\:" and '\' becomes
   * "\\".
   *
   * @param component the component
   * @return the escaped component
   */
  static String escapeComponent(String component) {
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
  static String sha256(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  private static String printable(String key) {
    String head = key.length() > 40 ? key.substring(0, 40) : key;
    return head.replaceAll("\\p{Cntrl}", "?");
  }
}
