package io.reactivecache.spi;

import io.reactivecache.InvalidCacheKeyException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A validated glob pattern over cache keys, in Redis {@code SCAN MATCH} syntax: {@code *} any run of characters,
 * {@code ?} one character, {@code [abc]}, {@code [^abc]} and {@code [a-z]} a set, {@code \x} the literal
 * {@code x}.
 *
 * <p>A pattern is matched against the keys a caller wrote (without any backend namespace); a backend that adds a
 * namespace puts the {@linkplain #escape(String) escaped} namespace in front, so a pattern can never reach keys
 * outside it. Malformed patterns (empty, unclosed {@code [}, trailing {@code \}, control characters) are refused
 * at creation.
 *
 * <p>Immutable and thread-safe.
 */
public final class KeyPattern {
  private final String glob;
  private final Pattern regex;

  private KeyPattern(String glob, Pattern regex) {
    this.glob = glob;
    this.regex = regex;
  }

  /**
   * Parses and validates a glob pattern.
   *
   * @param glob the pattern
   * @return the validated pattern
   * @throws InvalidCacheKeyException if the pattern is null, empty, contains control characters or is malformed
   */
  public static KeyPattern of(String glob) {
    if (glob == null || glob.isEmpty()) {
      throw new InvalidCacheKeyException("A key pattern must not be " + (glob == null ? "null" : "empty")
          + "; use \"*\" to match every key");
    }
    return new KeyPattern(glob, Pattern.compile(toRegex(glob), Pattern.DOTALL));
  }

  /**
   * Returns a pattern that matches every key starting with a literal prefix.
   *
   * @param prefix the prefix, taken literally (glob characters in it are escaped)
   * @return the pattern {@code escape(prefix) + "*"}
   */
  public static KeyPattern prefix(String prefix) {
    return of(escape(prefix) + "*");
  }

  /**
   * Escapes glob characters ({@code * ? [ ] \}) so the text matches only itself.
   *
   * @param literal the text
   * @return the escaped text
   */
  public static String escape(String literal) {
    Objects.requireNonNull(literal, "literal");
    StringBuilder out = new StringBuilder(literal.length() + 8);
    for (int i = 0; i < literal.length(); i++) {
      char c = literal.charAt(i);
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }

  /**
   * Tells whether a key matches.
   *
   * @param key the key as written by the caller
   * @return true if it matches the whole pattern
   */
  public boolean matches(String key) {
    return regex.matcher(key).matches();
  }

  /**
   * Returns the glob text, in Redis syntax.
   *
   * @return the pattern as given
   */
  public String glob() {
    return glob;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof KeyPattern && ((KeyPattern) other).glob.equals(glob);
  }

  @Override
  public int hashCode() {
    return glob.hashCode();
  }

  @Override
  public String toString() {
    return glob;
  }

  private static String toRegex(String glob) {
    StringBuilder regex = new StringBuilder(glob.length() * 2);
    int i = 0;
    while (i < glob.length()) {
      char c = glob.charAt(i);
      if (Character.isISOControl(c)) {
        throw malformed(glob, "it contains the control character U+"
            + String.format("%04X", (int) c) + " at index " + i);
      }
      switch (c) {
        case '*' -> regex.append(".*");
        case '?' -> regex.append('.');
        case '\\' -> {
          if (i + 1 >= glob.length()) {
            throw malformed(glob, "it ends with an unpaired '\\'");
          }
          regex.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
        }
        case '[' -> i = appendSet(glob, i, regex);
        case ']' -> throw malformed(glob, "']' at index " + i + " closes no '['; write \\] for a literal ]");
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
      i++;
    }
    return regex.toString();
  }

  /** Translates the set starting at {@code start} ('['); returns the index of its closing ']'. */
  private static int appendSet(String glob, int start, StringBuilder regex) {
    int i = start + 1;
    StringBuilder set = new StringBuilder("[");
    if (i < glob.length() && glob.charAt(i) == '^') {
      set.append('^');
      i++;
    }
    boolean empty = true;
    while (i < glob.length() && glob.charAt(i) != ']') {
      char c = glob.charAt(i);
      if (Character.isISOControl(c)) {
        throw malformed(glob, "it contains a control character at index " + i);
      }
      if (c == '\\') {
        if (i + 1 >= glob.length()) {
          throw malformed(glob, "it ends with an unpaired '\\'");
        }
        appendSetMember(set, glob.charAt(++i));
      } else if (c == '-' && !empty && i + 1 < glob.length() && glob.charAt(i + 1) != ']') {
        char from = glob.charAt(i - 1);
        char to = glob.charAt(i + 1);
        if (to < from) {
          throw malformed(glob, "the range " + from + "-" + to + " at index " + (i - 1) + " runs backwards; write "
              + to + "-" + from);
        }
        set.append('-');
      } else {
        appendSetMember(set, c);
      }
      empty = false;
      i++;
    }
    if (i >= glob.length()) {
      throw malformed(glob, "the '[' at index " + start + " is never closed; write \\[ for a literal [");
    }
    if (empty) {
      throw malformed(glob, "the set at index " + start + " is empty");
    }
    regex.append(set).append(']');
    return i;
  }

  private static void appendSetMember(StringBuilder set, char c) {
    // Letters and digits are never escaped: in a regex, \d or \w would become a class.
    if (Character.isLetterOrDigit(c)) {
      set.append(c);
    } else {
      set.append('\\').append(c);
    }
  }

  private static InvalidCacheKeyException malformed(String glob, String why) {
    String shown = glob.length() > 64 ? glob.substring(0, 64) + "…" : glob;
    return new InvalidCacheKeyException("Malformed key pattern '" + shown.replaceAll("\\p{Cntrl}", "?")
        + "': " + why);
  }
}
