package io.reactivecache.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.CommandWrapper;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Lettuce's timeout source gives every command the fixed command timeout and tells a GET of the hot path, however
 * wrapped (a cluster wraps it to follow redirects), that Lettuce's timer now bounds it.
 */
class CommandTimeoutSourceTest {
  private final CommandTimeoutSource source = new CommandTimeoutSource(Duration.ofMillis(250));

  @Test
  void everyCommandGetsTheCommandTimeout() {
    Command<String, String, String> ping = new Command<>(CommandType.PING, new StatusOutput<>(StringCodec.UTF8));
    assertThat(source.getTimeUnit().toMillis(source.getTimeout(ping))).isEqualTo(250);
  }

  @Test
  void aGetIsMarkedAsBoundedByLettuceOnlyOnceItsTimeoutIsAsked() {
    GetCommand get = new GetCommand("ns:k", (value, error) -> { });
    assertThat(get.isTimedByLettuce()).isFalse();

    source.getTimeout(get);
    assertThat(get.isTimedByLettuce()).isTrue();
  }

  @Test
  void aWrappedGetIsMarkedToo() {
    GetCommand get = new GetCommand("ns:k", (value, error) -> { });
    source.getTimeout(new CommandWrapper<>(new CommandWrapper<>(get)));
    assertThat(get.isTimedByLettuce()).isTrue();
  }
}
