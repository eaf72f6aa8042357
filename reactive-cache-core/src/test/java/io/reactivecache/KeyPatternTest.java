package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivecache.spi.KeyPattern;
import org.junit.jupiter.api.Test;

/** {@link KeyPattern}: Redis glob syntax, escaping, and refusal of malformed patterns. */
class KeyPatternTest {

  @Test
  void starMatchesAnyRunIncludingNoneAndTheWholeKeyMustMatch() {
    KeyPattern users = KeyPattern.of("user:*");
    assertThat(users.matches("user:")).isTrue();
    assertThat(users.matches("user:42")).isTrue();
    assertThat(users.matches("user:42:profile")).isTrue();
    assertThat(users.matches("xuser:42")).isFalse();
    assertThat(users.matches("users:42")).isFalse();
    assertThat(KeyPattern.of("*:profile").matches("user:1:profile")).isTrue();
    assertThat(KeyPattern.of("*").matches("")).isTrue();
    assertThat(KeyPattern.of("a*b*c").matches("a-x-b-y-c")).isTrue();
    assertThat(KeyPattern.of("a*b*c").matches("a-x-c-y-b")).isFalse();
  }

  @Test
  void questionMarkMatchesExactlyOneCharacter() {
    KeyPattern pattern = KeyPattern.of("h?llo");
    assertThat(pattern.matches("hello")).isTrue();
    assertThat(pattern.matches("hallo")).isTrue();
    assertThat(pattern.matches("hllo")).isFalse();
    assertThat(pattern.matches("heello")).isFalse();
  }

  @Test
  void setsRangesAndNegation() {
    KeyPattern set = KeyPattern.of("h[ae]llo");
    assertThat(set.matches("hello")).isTrue();
    assertThat(set.matches("hallo")).isTrue();
    assertThat(set.matches("hillo")).isFalse();

    KeyPattern negated = KeyPattern.of("h[^e]llo");
    assertThat(negated.matches("hallo")).isTrue();
    assertThat(negated.matches("hello")).isFalse();

    KeyPattern range = KeyPattern.of("v[a-c]");
    assertThat(range.matches("va")).isTrue();
    assertThat(range.matches("vb")).isTrue();
    assertThat(range.matches("vc")).isTrue();
    assertThat(range.matches("vd")).isFalse();
    assertThat(range.matches("v-")).isFalse();

    KeyPattern digits = KeyPattern.of("id:[0-9][0-9]");
    assertThat(digits.matches("id:42")).isTrue();
    assertThat(digits.matches("id:4x")).isFalse();
  }

  @Test
  void dashAtTheEdgeOfASetIsLiteral() {
    assertThat(KeyPattern.of("[a-]").matches("-")).isTrue();
    assertThat(KeyPattern.of("[a-]").matches("b")).isFalse();
    assertThat(KeyPattern.of("[-a]").matches("-")).isTrue();
  }

  @Test
  void escapesTakeTheNextCharacterLiterally() {
    assertThat(KeyPattern.of("a\\*b").matches("a*b")).isTrue();
    assertThat(KeyPattern.of("a\\*b").matches("axb")).isFalse();
    assertThat(KeyPattern.of("a\\?").matches("a?")).isTrue();
    assertThat(KeyPattern.of("a\\?").matches("ab")).isFalse();
    assertThat(KeyPattern.of("\\[x\\]").matches("[x]")).isTrue();
    assertThat(KeyPattern.of("\\[x\\]").matches("x")).isFalse();
    assertThat(KeyPattern.of("back\\\\slash").matches("back\\slash")).isTrue();
    assertThat(KeyPattern.of("[\\]]").matches("]")).isTrue();
    assertThat(KeyPattern.of("[\\^]").matches("^")).isTrue();
  }

  @Test
  void escapedLetterInASetIsTheLetterNotARegexClass() {
    KeyPattern pattern = KeyPattern.of("[\\d]");
    assertThat(pattern.matches("d")).isTrue();
    assertThat(pattern.matches("1")).isFalse();
    assertThat(KeyPattern.of("[\\w]").matches("a")).isFalse();
    assertThat(KeyPattern.of("\\d").matches("d")).isTrue();
    assertThat(KeyPattern.of("\\d").matches("7")).isFalse();
  }

  @Test
  void regexCharactersOutsideGlobSyntaxAreLiteral() {
    assertThat(KeyPattern.of("a.b").matches("axb")).isFalse();
    assertThat(KeyPattern.of("a.b").matches("a.b")).isTrue();
    assertThat(KeyPattern.of("(x|y)+$").matches("(x|y)+$")).isTrue();
    assertThat(KeyPattern.of("(x|y)+$").matches("x")).isFalse();
    assertThat(KeyPattern.of("\\Qa\\E").matches("Qa\\E")).isFalse();
    assertThat(KeyPattern.of("[.]").matches("x")).isFalse();
  }

  @Test
  void escapedLiteralMatchesOnlyItself() {
    String literal = "a*b?c[d]e\\f[^g]-h";
    KeyPattern pattern = KeyPattern.of(KeyPattern.escape(literal));
    assertThat(pattern.matches(literal)).isTrue();
    assertThat(pattern.matches("aXb?c[d]e\\f[^g]-h")).isFalse();
    assertThat(pattern.matches("a*bXc[d]e\\f[^g]-h")).isFalse();
    assertThat(pattern.matches("a*b?cde\\f[^g]-h")).isFalse();
    assertThat(pattern.matches("a*b?c[d]ef[^g]-h")).isFalse();
    assertThat(pattern.matches(literal + "x")).isFalse();
    assertThat(KeyPattern.escape("plain:key")).isEqualTo("plain:key");
  }

  @Test
  void prefixMatchesKeysStartingWithTheLiteralPrefix() {
    KeyPattern prefix = KeyPattern.prefix("a[1]*:");
    assertThat(prefix.glob()).isEqualTo("a\\[1\\]\\*:*");
    assertThat(prefix.matches("a[1]*:x")).isTrue();
    assertThat(prefix.matches("a1:x")).isFalse();
    assertThat(prefix.matches("a[1]x:x")).isFalse();
  }

  @Test
  void equalityIsByGlobText() {
    assertThat(KeyPattern.of("a*")).isEqualTo(KeyPattern.of("a*")).hasSameHashCodeAs(KeyPattern.of("a*"));
    assertThat(KeyPattern.of("a*")).isNotEqualTo(KeyPattern.of("a?"));
    assertThat(KeyPattern.of("a*").toString()).isEqualTo("a*");
  }

  @Test
  void nullAndEmptyPatternsAreRefused() {
    assertThatThrownBy(() -> KeyPattern.of(null)).isInstanceOf(InvalidCacheKeyException.class)
        .hasMessageContaining("null");
    assertThatThrownBy(() -> KeyPattern.of("")).isInstanceOf(InvalidCacheKeyException.class)
        .hasMessageContaining("empty").hasMessageContaining("\"*\"");
  }

  @Test
  void unclosedAndEmptySetsAreRefused() {
    assertThatThrownBy(() -> KeyPattern.of("[")).isInstanceOf(InvalidCacheKeyException.class)
        .hasMessageContaining("never closed");
    assertThatThrownBy(() -> KeyPattern.of("user:[abc")).isInstanceOf(InvalidCacheKeyException.class)
        .hasMessageContaining("'user:[abc'").hasMessageContaining("index 5");
    assertThatThrownBy(() -> KeyPattern.of("[]")).isInstanceOf(InvalidCacheKeyException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> KeyPattern.of("[^]")).isInstanceOf(InvalidCacheKeyException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void unbalancedClosingBracketIsRefused() {
    assertThatThrownBy(() -> KeyPattern.of("a]")).isInstanceOf(InvalidCacheKeyException.class)
        .hasMessageContaining("']' at index 1").hasMessageContaining("\\]");
  }

  @Test
  void trailingBackslashIsRefused() {
    assertThatThrownBy(() -> KeyPattern.of("abc\\")).isInstanceOf(InvalidCacheKeyException.class)
        .hasMessageContaining("unpaired");
    assertThatThrownBy(() -> KeyPattern.of("[a\\")).isInstanceOf(InvalidCacheKeyException.class)
        .hasMessageContaining("unpaired");
  }

  @Test
  void controlCharactersAreRefusedAndNotEchoed() {
    assertThatThrownBy(() -> KeyPattern.of("a\nb*")).isInstanceOf(InvalidCacheKeyException.class)
        .hasMessageContaining("U+000A").hasMessageContaining("index 1").hasMessageNotContaining("\n");
    assertThatThrownBy(() -> KeyPattern.of("[a\u0000]")).isInstanceOf(InvalidCacheKeyException.class)
        .hasMessageContaining("control character").hasMessageNotContaining("\u0000");
  }

  @Test
  void reversedRangeIsEitherRefusedOrMatchedAsRedisDoes() {
    // Redis swaps the ends of a reversed range; a regex engine throws. Either answer is acceptable, a
    // java.util.regex exception escaping the library is not.
    KeyPattern reversed;
    try {
      reversed = KeyPattern.of("[z-a]");
    } catch (InvalidCacheKeyException refused) {
      assertThat(refused).hasMessageContaining("[z-a]");
      return;
    }
    assertThat(reversed.matches("m")).isTrue();
    assertThat(reversed.matches("A")).isFalse();
  }

  @Test
  void veryLongMalformedPatternIsShortenedInTheMessage() {
    String longPattern = "k".repeat(500) + "[";
    assertThatThrownBy(() -> KeyPattern.of(longPattern)).isInstanceOf(InvalidCacheKeyException.class)
        .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(300));
  }
}
