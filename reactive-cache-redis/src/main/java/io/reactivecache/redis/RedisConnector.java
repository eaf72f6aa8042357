package io.reactivecache.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.EpollProvider;
import io.lettuce.core.resource.IOUringProvider;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Mono;

/**
 * Owns the single shared connection: opens it on first use (so building a backend never touches the network),
 * keeps it (Lettuce reconnects it by itself), and closes what we created, never what we were lent.
 */
final class RedisConnector {
  /** Keys are text; values are bytes we encoded ourselves, so Lettuce never runs user code while decoding. */
  static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  /** Bounds the commands waiting for a reply; past it Lettuce fails fast instead of growing the heap. */
  static final int REQUEST_QUEUE_SIZE = 65_536;

  private final RedisSettings settings;
  private final RedisURI uri;
  private final AtomicReference<RedisClient> ownClient = new AtomicReference<>();
  private final AtomicReference<StatefulRedisConnection<String, byte[]>> opened = new AtomicReference<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Mono<RedisReactiveCommands<String, byte[]>> commands;

  RedisConnector(RedisSettings settings) {
    this.settings = settings;
    this.uri = settings.uri();
    uri.setTimeout(settings.commandTimeout().plus(settings.connectTimeout()));
    this.commands = Mono.defer(this::connect)
        .map(StatefulRedisConnection::reactive)
        // Success is kept for good (Lettuce reconnects the connection itself); a failed connect is not, so the
        // next call tries again.
        .cacheInvalidateIf(reactive -> false);
  }

  static ClientOptions clientOptions(RedisSettings settings) {
    SocketOptions.Builder socket = SocketOptions.builder()
        .connectTimeout(settings.connectTimeout())
        .tcpNoDelay(true);
    if (EpollProvider.isAvailable() || IOUringProvider.isAvailable()) {
      // Extended keep-alive and TCP_USER_TIMEOUT need a native transport; they let the kernel drop a
      // half-open connection in seconds instead of the default ~15 minutes of retransmissions.
      socket.keepAlive(SocketOptions.KeepAliveOptions.builder()
              .enable()
              .idle(Duration.ofSeconds(15))
              .interval(Duration.ofSeconds(5))
              .count(3)
              .build())
          .tcpUserTimeout(SocketOptions.TcpUserTimeoutOptions.builder()
              .enable()
              .tcpUserTimeout(Duration.ofSeconds(30))
              .build());
    } else {
      socket.keepAlive(true);
    }
    return ClientOptions.builder()
        .autoReconnect(true)
        // While disconnected, fail at once (a cache can always fall back) rather than queue without bound and
        // replay stale writes after the reconnect.
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .requestQueueSize(REQUEST_QUEUE_SIZE)
        // One connection serves every caller: emit replies off the I/O thread so callers' work never stalls it.
        .publishOnScheduler(true)
        .socketOptions(socket.build())
        .timeoutOptions(TimeoutOptions.builder().fixedTimeout(settings.commandTimeout()).build())
        .build();
  }

  private Mono<StatefulRedisConnection<String, byte[]>> connect() {
    if (closed.get()) {
      return Mono.error(new IllegalStateException("closed"));
    }
    RedisClient client = settings.redisClient();
    if (client == null) {
      client = ownClient.updateAndGet(existing -> {
        if (existing != null) {
          return existing;
        }
        RedisClient created = RedisClient.create();
        created.setOptions(clientOptions(settings));
        return created;
      });
    }
    RedisClient chosen = client;
    return Mono.fromCompletionStage(() -> chosen.connectAsync(CODEC, uri).toCompletableFuture())
        .doOnNext(connection -> {
          opened.set(connection);
          if (closed.get()) {
            connection.closeAsync();
          }
        });
  }

  /** The reactive commands of the shared connection, connecting first if needed. */
  Mono<RedisReactiveCommands<String, byte[]>> commands() {
    return commands;
  }

  boolean isConnected() {
    StatefulRedisConnection<String, byte[]> connection = opened.get();
    return connection != null && connection.isOpen();
  }

  /** Closes our connection, then our client; a lent client is left running. */
  Mono<Void> close() {
    return Mono.defer(() -> {
      if (!closed.compareAndSet(false, true)) {
        return Mono.empty();
      }
      StatefulRedisConnection<String, byte[]> connection = opened.getAndSet(null);
      RedisClient client = ownClient.getAndSet(null);
      if (client != null) {
        // Shutting our client down closes its connections too; closing ours first would make it warn.
        return Mono.fromFuture(client.shutdownAsync(0, 2, TimeUnit.SECONDS)).then();
      }
      return connection == null ? Mono.<Void>empty() : Mono.fromFuture(connection.closeAsync()).then();
    });
  }
}
