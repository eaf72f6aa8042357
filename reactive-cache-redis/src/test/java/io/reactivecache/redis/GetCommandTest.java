package io.reactivecache.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/** The GET command hands exactly one outcome to its reader, and to every listener Lettuce registers on it. */
class GetCommandTest {
  private final List<Object> outcomes = new ArrayList<>();
  private final GetCommand command = new GetCommand("ns:k", (value, error) -> outcomes.add(
      error != null ? error : value == null ? "null" : new String(value, StandardCharsets.UTF_8)));

  @Test
  void aReplyIsHandedOverOnceAndLaterEndingsAreIgnored() {
    List<Object> listened = new ArrayList<>();
    command.onComplete((value, error) -> listened.add(error != null ? error : value));
    command.getOutput().set(ByteBuffer.wrap("v1".getBytes(StandardCharsets.UTF_8)));

    command.complete();
    assertThat(command.completeExceptionally(new RedisCommandTimeoutException("late"))).isFalse();
    command.cancel();

    assertThat(outcomes).containsExactly("v1");
    assertThat(listened).hasSize(1);
    assertThat(command.isDone()).isTrue();
    assertThat(command.isCancelled()).isFalse();
  }

  @Test
  void aMissingKeyIsANullValue() {
    command.complete();
    assertThat(outcomes).containsExactly("null");
  }

  @Test
  void anErrorReplyBecomesTheExceptionLettuceWouldRaise() {
    command.getOutput().setError("BUSY Redis is busy running a script");
    command.complete();
    assertThat(outcomes).singleElement().isInstanceOf(RedisCommandExecutionException.class)
        .extracting(e -> ((Throwable) e).getMessage()).asString().startsWith("BUSY");
  }

  @Test
  void aTimeoutOrAResetEndsItOnce() {
    assertThat(command.completeExceptionally(new RedisCommandTimeoutException("timed out"))).isTrue();
    command.complete();
    command.cancel();
    assertThat(outcomes).singleElement().isInstanceOf(RedisCommandTimeoutException.class);

    GetCommand reset = new GetCommand("ns:k", (value, error) -> outcomes.add(error));
    reset.cancel();
    assertThat(outcomes).last().isInstanceOf(CancellationException.class);
    assertThat(reset.isCancelled()).isTrue();
  }

  @Test
  void aListenerRegisteredAfterTheEndRunsAtOnce() {
    command.getOutput().set(ByteBuffer.wrap("v".getBytes(StandardCharsets.UTF_8)));
    command.complete();
    List<Object> late = new ArrayList<>();
    command.onComplete((java.util.function.Consumer<byte[]>) late::add);
    assertThat(late).hasSize(1);
  }
}
