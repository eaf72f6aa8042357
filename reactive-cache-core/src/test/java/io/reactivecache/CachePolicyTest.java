package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** {@link CachePolicy}: documented defaults, and every bad option named with its value. */
class CachePolicyTest {

  private static void refused(UnaryOperator<CachePolicy.Builder> bad, String option, String value) {
    assertThatThrownBy(() -> bad.apply(CachePolicy.builder()).build())
        .isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'" + option + "'")
        .hasMessageContaining(": " + value + " ");
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    CachePolicy policy = CachePolicy.defaults();
    assertThat(policy.ttl()).isEmpty();
    assertThat(policy.staleWhileRevalidate()).isZero();
    assertThat(policy.staleIfError()).isZero();
    assertThat(policy.emptyTtl()).isZero();
    assertThat(policy.errorTtl()).isZero();
    assertThat(policy.ttlJitter()).isZero();
    assertThat(policy.preventStampede()).isTrue();
    assertThat(policy.tags()).isEmpty();
    assertThat(policy.maxElements()).isEqualTo(10_000);
    assertThat(policy.recordStats()).isTrue();
    assertThat(policy.staleWindow()).isZero();
    assertThat(CachePolicy.builder().build().toString()).isEqualTo(policy.toString());
  }

  @Test
  void everyOptionIsKeptAndToBuilderCopiesThem() {
    CachePolicy policy = CachePolicy.builder().ttl(Duration.ofMinutes(5))
        .staleWhileRevalidate(Duration.ofMinutes(1)).staleIfError(Duration.ofMinutes(10))
        .emptyTtl(Duration.ofSeconds(30)).errorTtl(Duration.ofSeconds(2)).ttlJitter(0.1)
        .preventStampede(false).tags(Set.of("res.partner")).maxElements(50).recordStats(false).build();
    assertThat(policy.ttl()).contains(Duration.ofMinutes(5));
    assertThat(policy.staleWhileRevalidate()).isEqualTo(Duration.ofMinutes(1));
    assertThat(policy.staleIfError()).isEqualTo(Duration.ofMinutes(10));
    assertThat(policy.emptyTtl()).isEqualTo(Duration.ofSeconds(30));
    assertThat(policy.errorTtl()).isEqualTo(Duration.ofSeconds(2));
    assertThat(policy.ttlJitter()).isEqualTo(0.1);
    assertThat(policy.preventStampede()).isFalse();
    assertThat(policy.tags()).containsExactly("res.partner");
    assertThat(policy.maxElements()).isEqualTo(50);
    assertThat(policy.recordStats()).isFalse();
    assertThat(policy.staleWindow()).isEqualTo(Duration.ofMinutes(10));
    assertThat(policy.toBuilder().build().toString()).isEqualTo(policy.toString());
    CachePolicy derived = policy.toBuilder().ttl(Duration.ofMinutes(1)).build();
    assertThat(derived.ttl()).contains(Duration.ofMinutes(1));
    assertThat(policy.ttl()).contains(Duration.ofMinutes(5));
    assertThat(derived.maxElements()).isEqualTo(50);
  }

  @Test
  void staleWindowIsTheLargerOfTheTwo() {
    assertThat(CachePolicy.builder().staleWhileRevalidate(Duration.ofMinutes(3)).staleIfError(Duration.ofMinutes(1))
        .build().staleWindow()).isEqualTo(Duration.ofMinutes(3));
  }

  @Test
  void ttlMustBePositive() {
    refused(b -> b.ttl(Duration.ZERO), "ttl", "PT0S");
    refused(b -> b.ttl(Duration.ofSeconds(-1)), "ttl", "PT-1S");
    assertThat(CachePolicy.builder().ttl((Duration) null).build().ttl()).isEmpty();
  }

  @Test
  void windowsMustNotBeNegativeOrNull() {
    refused(b -> b.staleWhileRevalidate(Duration.ofSeconds(-1)), "staleWhileRevalidate", "PT-1S");
    refused(b -> b.staleWhileRevalidate(null), "staleWhileRevalidate", "null");
    refused(b -> b.staleIfError(Duration.ofMinutes(-2)), "staleIfError", "PT-2M");
    refused(b -> b.staleIfError(null), "staleIfError", "null");
    refused(b -> b.emptyTtl(Duration.ofMillis(-5)), "emptyTtl", "PT-0.005S");
    refused(b -> b.emptyTtl(null), "emptyTtl", "null");
    refused(b -> b.errorTtl(Duration.ofHours(-1)), "errorTtl", "PT-1H");
    refused(b -> b.errorTtl(null), "errorTtl", "null");
    assertThat(CachePolicy.builder().staleIfError(Duration.ZERO).emptyTtl(Duration.ZERO).build().emptyTtl())
        .isZero();
  }

  @Test
  void jitterMustBeAFractionFromZeroToOne() {
    refused(b -> b.ttlJitter(1.5), "ttlJitter", "1.5");
    refused(b -> b.ttlJitter(-0.1), "ttlJitter", "-0.1");
    refused(b -> b.ttlJitter(Double.NaN), "ttlJitter", "NaN");
    assertThat(CachePolicy.builder().ttlJitter(1.0).build().ttlJitter()).isEqualTo(1.0);
  }

  @Test
  void maxElementsMustBeAtLeastOne() {
    refused(b -> b.maxElements(0), "maxElements", "0");
    refused(b -> b.maxElements(-3), "maxElements", "-3");
  }

  @Test
  void tagsMustBeNamed() {
    Set<String> withNull = new HashSet<>();
    withNull.add(null);
    refused(b -> b.tags(withNull), "tags", "\\[null\\]".replace("\\", ""));
    assertThatThrownBy(() -> CachePolicy.builder().tags(Set.of("ok", "")).build())
        .isInstanceOf(CacheConfigurationException.class).hasMessageContaining("'tags'");
    // Was a NullPointerException (issue 7, row 23): now the option and the value are named.
    refused(b -> b.tags(null), "tags", "null");
  }

  @Test
  void messageSaysWhatIsAccepted() {
    assertThatThrownBy(() -> CachePolicy.builder().ttlJitter(2).build())
        .hasMessageContaining("expected a fraction from 0 to 1");
    assertThatThrownBy(() -> CachePolicy.builder().ttl(Duration.ZERO).build())
        .hasMessageContaining("expected a positive duration");
  }
}
