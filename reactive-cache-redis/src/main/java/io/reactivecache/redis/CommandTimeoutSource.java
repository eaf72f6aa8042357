package io.reactivecache.redis;

import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.protocol.CommandWrapper;
import io.lettuce.core.protocol.RedisCommand;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Lettuce's timeout for every command of our own client: {@code commandTimeout}, fixed. It also tells a
 * {@link GetCommand} that Lettuce's timer now bounds it.
 *
 * <p>Lettuce asks its timeout source as it arms a command's timer: on one node as the command is dispatched; on a
 * cluster as the command reaches its node's connection, which is at once when that connection is open and only
 * later when it is still being opened. A {@link RedisGet} that finds its command bounded once the dispatch returned
 * arms no timer of its own: one timer per read instead of two.
 */
final class CommandTimeoutSource extends TimeoutOptions.TimeoutSource {
  private final long timeoutNanos;

  CommandTimeoutSource(Duration commandTimeout) {
    this.timeoutNanos = commandTimeout.toNanos();
  }

  @Override
  public long getTimeout(RedisCommand<?, ?, ?> command) {
    // A cluster hands the node's connection our command inside its redirect-following wrapper.
    GetCommand get = CommandWrapper.unwrap(command, GetCommand.class);
    if (get != null) {
      get.timedByLettuce();
    }
    return timeoutNanos;
  }

  @Override
  public TimeUnit getTimeUnit() {
    return TimeUnit.NANOSECONDS;
  }
}
