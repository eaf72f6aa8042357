package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link Strategy}: names parsed in any case, unknown ones named in the message. */
class StrategyTest {

  @Test
  void parsesNamesIgnoringCaseAndSurroundingSpace() {
    assertThat(Strategy.parse("ttl")).isEqualTo(Strategy.TTL);
    assertThat(Strategy.parse("LRU")).isEqualTo(Strategy.LRU);
    assertThat(Strategy.parse(" Lfu ")).isEqualTo(Strategy.LFU);
  }

  @Test
  void idIsTheLowerCaseName() {
    for (Strategy strategy : Strategy.values()) {
      assertThat(strategy.id()).isEqualTo(strategy.name().toLowerCase(java.util.Locale.ROOT));
      assertThat(Strategy.parse(strategy.id())).isEqualTo(strategy);
    }
  }

  @Test
  void unknownNameIsRefusedNamingTheOptionTheValueAndTheChoices() {
    assertThatThrownBy(() -> Strategy.parse("fifo")).isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'strategy'").hasMessageContaining("'fifo'").hasMessageContaining("ttl, lru, lfu");
    assertThatThrownBy(() -> Strategy.parse("")).isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("''");
    assertThatThrownBy(() -> Strategy.parse(null)).isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'strategy'").hasMessageContaining("null");
  }
}
