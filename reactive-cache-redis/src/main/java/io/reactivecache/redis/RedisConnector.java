package io.reactivecache.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.event.Event;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.event.connection.ReconnectFailedEvent;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.EpollProvider;
import io.lettuce.core.resource.IOUringProvider;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import javax.net.ssl.TrustManagerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * Owns the single shared connection: opens it on first use (so building a backend never touches the network),
 * keeps it while it works (Lettuce reconnects a lost one by itself), replaces it when told it is dead although it
 * looks open ({@link #reset()}), and closes what we created, never what we were lent.
 */
final class RedisConnector {
  /** Keys are text; values are bytes we encoded ourselves, so Lettuce never runs user code while decoding. */
  static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  /** Bounds the commands waiting for a reply; past it Lettuce fails fast instead of growing the heap. */
  static final int REQUEST_QUEUE_SIZE = 65_536;

  /** What the connector tells the failure bookkeeping about connections Lettuce manages in the background. */
  interface Events {
    /** Lettuce's own reconnection failed (the caller only sees "not connected"): this is why. */
    void reconnectFailed(Throwable cause);

    /** A connection was (re-)established. */
    void connected();
  }

  private final RedisSettings settings;
  private final RedisURI uri;
  private final Events events;
  private final SslOptions sslOptions;
  private final AtomicReference<RedisClient> ownClient = new AtomicReference<>();
  /** The resources of our own client (its threads and its reconnect delay); shut down with it. */
  private final AtomicReference<ClientResources> ownResources = new AtomicReference<>();
  private final AtomicReference<Disposable> eventSubscription = new AtomicReference<>();
  /** The connection in use; null before the first connect and after a reset, until the next connect. */
  private final AtomicReference<StatefulRedisConnection<String, byte[]>> opened = new AtomicReference<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Mono<StatefulRedisConnection<String, byte[]>> connection;
  private final Mono<RedisClusterAsyncCommands<String, byte[]>> async;

  RedisConnector(RedisSettings settings, Events events) {
    this.settings = settings;
    this.uri = settings.uri();
    this.events = events;
    uri.setTimeout(settings.commandTimeout().plus(settings.connectTimeout()));
    // Built here, on the thread that builds the backend: Lettuce would otherwise read trust stores and seed a
    // SecureRandom from /dev/urandom inside every TLS connect, on Netty's event loop.
    this.sslOptions = uri.isSsl() && settings.redisClient() == null ? sslOptions(settings) : null;
    // A connection that is still the current one is kept (Lettuce reconnects it after a loss); once reset()
    // retires it, or before any connect succeeded, the next subscriber connects anew. Subscribers arriving while
    // a connect runs share it. A failed connect is not cached, so the next call tries again.
    this.connection = Mono.defer(this::connect).cacheInvalidateIf(current -> current != opened.get());
    this.async = Mono.defer(() -> {
      StatefulRedisConnection<String, byte[]> current = opened.get();
      return current != null ? Mono.just(current.async()) : connection.map(StatefulRedisConnection::async);
    });
  }

  static ClientOptions clientOptions(RedisSettings settings, SslOptions ssl) {
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
    ClientOptions.Builder options = ClientOptions.builder()
        .autoReconnect(true)
        // While disconnected, fail at once (a cache can always fall back) rather than queue without bound and
        // replay stale writes after the reconnect.
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .requestQueueSize(REQUEST_QUEUE_SIZE)
        // One connection serves every caller: emit replies off the I/O thread so callers' work never stalls it.
        .publishOnScheduler(true)
        .socketOptions(socket.build())
        .timeoutOptions(TimeoutOptions.builder().fixedTimeout(settings.commandTimeout()).build());
    if (ssl != null) {
      options.sslOptions(ssl);
    }
    return options.build();
  }

  /**
   * TLS options whose expensive, file-reading parts are done once, now: the trust managers (the given CA bundle,
   * or the JDK's default trust store) and a seeded random generator. Lettuce still builds a Netty SslContext per
   * connection, but from these it neither reads a file nor seeds anything there. Host names are verified by
   * Lettuce ({@code RedisURI} verifyPeer FULL, the default).
   */
  private static SslOptions sslOptions(RedisSettings settings) {
    try {
      TrustManagerFactory trust = settings.trustManagerFactory();
      if (trust == null) {
        trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init((KeyStore) null);
      }
      // DRBG draws from its own state once seeded; NativePRNG (the default on Linux) reads /dev/urandom again
      // and again, and SSLContext.init draws a number from it at once.
      SecureRandom random = SecureRandom.getInstance("DRBG");
      random.nextInt();
      Consumer<io.netty.handler.ssl.SslContextBuilder> seeded = builder -> builder.secureRandom(random);
      return SslOptions.builder().jdkSslProvider().trustManager(trust).sslContext(seeded).build();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("The JDK cannot set up TLS (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  private Mono<StatefulRedisConnection<String, byte[]>> connect() {
    if (closed.get()) {
      return Mono.error(new IllegalStateException("closed"));
    }
    RedisClient client = settings.redisClient();
    if (client == null) {
      client = ownClient();
    }
    RedisClient chosen = client;
    return Mono.fromCompletionStage(() -> chosen.connectAsync(CODEC, uri).toCompletableFuture())
        .doOnNext(connected -> {
          StatefulRedisConnection<String, byte[]> previous = opened.getAndSet(connected);
          if (previous != null && previous != connected) {
            previous.closeAsync();
          }
          if (closed.get() && opened.compareAndSet(connected, null)) {
            connected.closeAsync();
          }
        });
  }

  private RedisClient ownClient() {
    RedisClient existing = ownClient.get();
    if (existing != null) {
      return existing;
    }
    ClientResources resources = ClientResources.builder()
        .reconnectDelay(new ReconnectDelay(settings.maxReconnectDelay()))
        .build();
    RedisClient created = RedisClient.create(resources);
    created.setOptions(clientOptions(settings, sslOptions));
    if (!ownClient.compareAndSet(null, created)) {
      // Another caller won the race (or close() ran): ours would only leak threads.
      created.shutdownAsync(0, 2, TimeUnit.SECONDS).whenComplete((done, error) -> resources.shutdown(0, 2,
          TimeUnit.SECONDS));
      RedisClient winner = ownClient.get();
      return winner != null ? winner : created;
    }
    ownResources.set(resources);
    if (closed.get() && ownResources.compareAndSet(resources, null)) {
      // close() ran between the two sets and found no resources to shut down: ours would leak their threads.
      resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
    // Only our own client's events are ours: a lent client's bus also carries other connections' events.
    eventSubscription.set(created.getResources().eventBus().get().subscribe(this::onEvent));
    return created;
  }

  private void onEvent(Event event) {
    if (event instanceof ReconnectFailedEvent failed) {
      events.reconnectFailed(failed.getCause());
    } else if (event instanceof ConnectionActivatedEvent) {
      events.connected();
    }
  }

  /**
   * The async commands of the shared connection, connecting first if needed. Each subscription takes the
   * connection current at that moment (a retry after a {@link #reset()} uses the new one); when connected, at
   * once, without subscribing to the shared connect.
   */
  Mono<RedisClusterAsyncCommands<String, byte[]>> async() {
    return async;
  }

  /** The reactive commands of the shared connection, connecting first if needed. */
  Mono<RedisReactiveCommands<String, byte[]>> commands() {
    return connection.map(StatefulRedisConnection::reactive);
  }

  /**
   * Retires the current connection: closes it (failing what still waits on it) and lets the next call connect
   * anew. For a connection that looks open but no longer answers (a half-open TCP connection, a stuck
   * middlebox): Lettuce would keep it, and keep-alive never fires while the peer's kernel still acknowledges.
   * Never blocks; safe to call from any thread, any number of times.
   *
   * @return true if a connection was retired
   */
  boolean reset() {
    StatefulRedisConnection<String, byte[]> current = opened.get();
    if (current != null && opened.compareAndSet(current, null)) {
      current.closeAsync();
      return true;
    }
    return false;
  }

  /** Closes our connection, then our client; a lent client is left running. */
  Mono<Void> close() {
    return Mono.defer(() -> {
      if (!closed.compareAndSet(false, true)) {
        return Mono.empty();
      }
      StatefulRedisConnection<String, byte[]> current = opened.getAndSet(null);
      Disposable subscription = eventSubscription.getAndSet(null);
      if (subscription != null) {
        subscription.dispose();
      }
      RedisClient client = ownClient.getAndSet(null);
      if (client != null) {
        // Shutting our client down closes its connections too; closing ours first would make it warn. Resources
        // given to a client are not shut down with it: ours go next.
        ClientResources resources = ownResources.getAndSet(null);
        Mono<Void> clientDown = Mono.fromFuture(client.shutdownAsync(0, 2, TimeUnit.SECONDS)).then();
        return resources == null ? clientDown : clientDown.then(Mono.create(sink ->
            resources.shutdown(0, 2, TimeUnit.SECONDS).addListener(future -> sink.success())));
      }
      return current == null ? Mono.<Void>empty() : Mono.fromFuture(current.closeAsync()).then();
    });
  }
}
