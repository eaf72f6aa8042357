package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Key validation, and the hash of a key kept in two parts. */
class KeyRulesTest {
  @Test
  void theHashOfTwoPartsIsTheHashOfTheJoinedKey() {
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < 10_000; i++) {
      String prefix = randomText(random, random.nextInt(0, 40));
      String key = randomText(random, random.nextInt(1, i % 100 == 0 ? 5_000 : 60));
      assertThat(KeyRules.hash(prefix, key)).isEqualTo((prefix + key).hashCode());
    }
  }

  @Test
  void aKeyPartIsCheckedWithoutJoiningIt() {
    KeyRules.checkPart("users:", "42");
    assertThatThrownBy(() -> KeyRules.checkPart("users:", "a\nb")).isInstanceOf(InvalidCacheKeyException.class)
        .hasMessageContaining("U+000A");
    assertThatThrownBy(() -> KeyRules.checkPart("users:", "x".repeat(KeyRules.MAX_KEY_LENGTH)))
        .isInstanceOf(InvalidCacheKeyException.class).hasMessageContaining("at most 65536 characters");
    assertThatThrownBy(() -> KeyRules.checkPart("users:", null)).isInstanceOf(InvalidCacheKeyException.class);
  }

  private static String randomText(SplittableRandom random, int length) {
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append((char) random.nextInt(0x20, 0x3000));
    }
    return text.toString();
  }
}
