package io.reactivecache.memory;

import org.jspecify.annotations.Nullable;

/**
 * A key in two parts (a view's prefix and the caller's key) used to look up an entry stored under the joined
 * {@code String}, without building it: a hit then allocates no key. It hashes as the joined string does, and equals
 * a {@code String} with the same characters.
 *
 * <p>Only a lookup key: {@code HashMap} and {@code ConcurrentHashMap} (Caffeine's store) call
 * {@code lookupKey.equals(storedKey)}, never the reverse, which is what lets it find a {@code String} key even though
 * {@code String.equals} would not return true for it. {@link #worksWith} checks that at start-up, so a map that
 * compared the other way round only costs the backend its fast path (keys are joined again), never a wrong hit.
 */
final class KeyParts {
  private final String prefix;
  private final String key;
  private final int hash;

  KeyParts(String prefix, String key) {
    this.prefix = prefix;
    this.key = key;
    this.hash = joinedHash(prefix, key);
  }

  /** Returns what to look a key up with: the key itself when there is no prefix, else its parts. */
  static Object of(String prefix, String key) {
    return prefix.isEmpty() ? key : new KeyParts(prefix, key);
  }

  /** Tells whether a store finds {@code String} keys through parts: it must call the lookup key's equals. */
  static boolean worksWith(java.util.function.Function<Object, @Nullable Object> lookup,
      java.util.function.BiConsumer<String, Object> insert) {
    Object marker = new Object();
    insert.accept("reactive-cache:self-check", marker);
    return lookup.apply(new KeyParts("reactive-cache:", "self-check")) == marker;
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public boolean equals(Object other) {
    if (other instanceof String joined) {
      int split = prefix.length();
      return joined.length() == split + key.length() && joined.startsWith(prefix)
          && joined.regionMatches(split, key, 0, key.length());
    }
    return other instanceof KeyParts parts && parts.prefix.equals(prefix) && parts.key.equals(key);
  }

  @Override
  public String toString() {
    return prefix + key;
  }

  /** {@code (prefix + key).hashCode()} from the two strings' cached hash codes. */
  private static int joinedHash(String prefix, String key) {
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
}
