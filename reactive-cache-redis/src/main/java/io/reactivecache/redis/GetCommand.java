package io.reactivecache.redis;

import io.lettuce.core.internal.ExceptionFactory;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.output.ValueOutput;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.CompleteableCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A GET dispatched to Lettuce as a plain command that hands its outcome straight to the reader: what Lettuce's
 * async API does with a {@code CompletableFuture} (and its dependent stages per reply), without the future.
 *
 * <p>Lettuce finishes a command in one of three ways, each reported here exactly once: {@link #complete()} with
 * the reply (or an error reply, as Lettuce's own futures turn it into an exception), {@link #completeExceptionally}
 * (its timeout, a lost connection), {@link #cancel()} (a connection reset). Listeners that Lettuce itself registers
 * ({@link CompleteableCommand}: its command timeout cancels its timer there) run after the reader.
 */
final class GetCommand extends Command<String, byte[], byte[]> implements CompleteableCommand<byte[]> {
  private final BiConsumer<byte[], Throwable> reader;
  private final AtomicBoolean finished = new AtomicBoolean();
  private List<BiConsumer<? super byte[], Throwable>> listeners;
  /** Set once Lettuce armed its own timeout for this command (see {@link CommandTimeoutSource}). */
  private volatile boolean timedByLettuce;

  GetCommand(String storedKey, BiConsumer<byte[], Throwable> reader) {
    super(CommandType.GET, new ValueOutput<>(RedisConnector.CODEC),
        new CommandArgs<>(RedisConnector.CODEC).addKey(storedKey));
    this.reader = reader;
  }

  void timedByLettuce() {
    timedByLettuce = true;
  }

  /** Whether Lettuce's command timeout bounds this command (so far: a cluster may arm it only later). */
  boolean isTimedByLettuce() {
    return timedByLettuce;
  }

  @Override
  public void complete() {
    super.complete();
    CommandOutput<String, byte[], byte[]> output = getOutput();
    if (output.hasError()) {
      finish(null, ExceptionFactory.createExecutionException(output.getError()));
    } else {
      finish(output.get(), null);
    }
  }

  @Override
  public boolean completeExceptionally(Throwable error) {
    if (finished.get()) {
      return false;
    }
    super.completeExceptionally(error);
    return finish(null, error);
  }

  @Override
  public void cancel() {
    if (!finished.get()) {
      super.cancel();
      finish(null, new CancellationException("the GET was cancelled by the connection (reset or closed)"));
    }
  }

  private boolean finish(byte[] value, Throwable error) {
    if (!finished.compareAndSet(false, true)) {
      return false;
    }
    reader.accept(value, error);
    List<BiConsumer<? super byte[], Throwable>> registered;
    synchronized (this) {
      registered = listeners;
    }
    if (registered != null) {
      for (BiConsumer<? super byte[], Throwable> listener : registered) {
        listener.accept(value, error);
      }
    }
    return true;
  }

  @Override
  public void onComplete(Consumer<? super byte[]> action) {
    onComplete((value, error) -> {
      if (error == null) {
        action.accept(value);
      }
    });
  }

  @Override
  public void onComplete(BiConsumer<? super byte[], Throwable> action) {
    synchronized (this) {
      if (!finished.get()) {
        if (listeners == null) {
          listeners = new ArrayList<>(1);
        }
        listeners.add(action);
        return;
      }
    }
    // Already finished: as a completed future runs a late listener at once.
    Throwable error = getOutput().hasError() ? ExceptionFactory.createExecutionException(getOutput().getError())
        : null;
    action.accept(error == null ? getOutput().get() : null, error);
  }
}
