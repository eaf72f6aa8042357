package io.reactivecache.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.reactive.RedisClusterReactiveCommands;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.protocol.ConnectionIntent;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.event.Event;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.event.connection.ConnectionEvent;
import io.lettuce.core.event.connection.ReconnectFailedEvent;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.EpollProvider;
import io.lettuce.core.resource.IOUringProvider;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.TrustManagerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Owns the single shared connection: opens it on first use (so building a backend never touches the network),
 * keeps it while it works (Lettuce reconnects a lost one by itself), replaces it when told it is dead although it
 * looks open ({@link #reset()}), and closes what we created, never what we were lent.
 *
 * <p>With {@code clusterNodes} the connection is a {@link StatefulRedisClusterConnection} of a
 * {@link RedisClusterClient} (one connection per node behind it, opened by Lettuce as slots need them); its commands
 * and a single node's share the interface {@link RedisClusterReactiveCommands}, so the backend has one code path.
 * Lettuce routes each command by its key's slot, splits multi-key commands ({@code MGET}, {@code UNLINK},
 * {@code EXISTS}) by slot and makes {@code SCAN} walk every master in turn. Reads go to masters
 * ({@link ReadFrom#UPSTREAM}): a replica lags, and a cache must read its own writes.
 *
 * <p>Topology refresh ({@link #TOPOLOGY_REFRESH}), tuned for a cache: every adaptive trigger (a {@code MOVED} or
 * {@code ASK} redirect, a lost or unknown node, reconnect attempts failing) refreshes at once, but at most once per
 * {@value #ADAPTIVE_REFRESH_MILLIS} ms, so a promoted replica is found within about a second of the cluster
 * promoting it, while a storm of redirects still costs one refresh per second, not one per command. A periodic
 * refresh every {@value #PERIODIC_REFRESH_SECONDS} s is the safety net for changes no command has run into yet
 * (an added node, a resharding): each refresh asks every node for its view, which is not free on a large cluster.
 */
final class RedisConnector {
  /** Keys are text; values are bytes we encoded ourselves, so Lettuce never runs user code while decoding. */
  static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  /** Bounds the commands waiting for a reply; past it Lettuce fails fast instead of growing the heap. */
  static final int REQUEST_QUEUE_SIZE = 65_536;

  /** The shortest time between two adaptive topology refreshes of a cluster. */
  static final long ADAPTIVE_REFRESH_MILLIS = 1_000;
  /** The time between two periodic topology refreshes of a cluster. */
  static final long PERIODIC_REFRESH_SECONDS = 30;
  /**
   * Failed reconnect attempts to one node before the topology is refreshed: with the reconnect delay capped at
   * {@code maxReconnectDelay} (default 500 ms, jittered from half of it), about a second of a node not answering.
   */
  static final int REFRESH_AFTER_RECONNECT_ATTEMPTS = 3;

  /** How a cluster client follows the cluster's topology; see the class comment. */
  static final ClusterTopologyRefreshOptions TOPOLOGY_REFRESH = topologyRefresh();

  /**
   * Every adaptive trigger, asked for by name: Lettuce 7 enables them all by default (and deprecates the methods
   * that enable them), Lettuce 6 none, and this backend runs on both.
   */
  @SuppressWarnings("deprecation")
  private static ClusterTopologyRefreshOptions topologyRefresh() {
    return ClusterTopologyRefreshOptions.builder()
        .enablePeriodicRefresh(Duration.ofSeconds(PERIODIC_REFRESH_SECONDS))
        .enableAllAdaptiveRefreshTriggers()
        .adaptiveRefreshTriggersTimeout(Duration.ofMillis(ADAPTIVE_REFRESH_MILLIS))
        .refreshTriggersReconnectAttempts(REFRESH_AFTER_RECONNECT_ATTEMPTS)
        // Learn nodes from every node's view, and drop connections to nodes that left the cluster.
        .dynamicRefreshSources(true)
        .closeStaleConnections(true)
        .build();
  }

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
  private final AtomicReference<AbstractRedisClient> ownClient = new AtomicReference<>();
  /** The resources of our own client (its threads and its reconnect delay); shut down with it. */
  private final AtomicReference<ClientResources> ownResources = new AtomicReference<>();
  private final AtomicReference<Disposable> eventSubscription = new AtomicReference<>();
  /** The connection in use; null before the first connect and after a reset, until the next connect. */
  private final AtomicReference<StatefulConnection<String, byte[]>> opened = new AtomicReference<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Set while the sentinels are being asked where the master is (see {@link #followFailover}). */
  private final AtomicBoolean askingSentinels = new AtomicBoolean();
  private final Mono<StatefulConnection<String, byte[]>> connection;
  private final Mono<RedisClusterAsyncCommands<String, byte[]>> async;

  RedisConnector(RedisSettings settings, Events events) {
    this.settings = settings;
    this.uri = settings.uri();
    this.events = events;
    uri.setTimeout(settings.commandTimeout().plus(settings.connectTimeout()));
    // Lettuce asks the sentinels with their own timeout (60 s unless set): a cache must not wait that long.
    uri.getSentinels().forEach(sentinel -> sentinel.setTimeout(uri.getTimeout()));
    settings.clusterNodes().forEach(node -> node.setTimeout(uri.getTimeout()));
    // Built here, on the thread that builds the backend: Lettuce would otherwise read trust stores and seed a
    // SecureRandom from /dev/urandom inside every TLS connect, on Netty's event loop.
    this.sslOptions = uri.isSsl() && settings.redisClient() == null ? sslOptions(settings) : null;
    // A connection that is still the current one is kept (Lettuce reconnects it after a loss); once reset()
    // retires it, or before any connect succeeded, the next subscriber connects anew. Subscribers arriving while
    // a connect runs share it. A failed connect is not cached, so the next call tries again.
    this.connection = Mono.defer(this::connect).cacheInvalidateIf(current -> current != opened.get());
    this.async = Mono.defer(() -> {
      StatefulConnection<String, byte[]> current = opened.get();
      return current != null ? Mono.just(async(current)) : connection.map(RedisConnector::async);
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
        .timeoutOptions(TimeoutOptions.builder()
            .timeoutCommands(true)
            .timeoutSource(new CommandTimeoutSource(settings.commandTimeout()))
            .build());
    if (ssl != null) {
      options.sslOptions(ssl);
    }
    return options.build();
  }

  /** The standalone options plus how to follow the topology: same timeouts, same bound on queued commands. */
  static ClusterClientOptions clusterClientOptions(RedisSettings settings, SslOptions ssl) {
    return ClusterClientOptions.builder(clientOptions(settings, ssl))
        .topologyRefreshOptions(TOPOLOGY_REFRESH)
        .build();
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

  private Mono<StatefulConnection<String, byte[]>> connect() {
    if (closed.get()) {
      return Mono.error(new IllegalStateException("closed"));
    }
    Mono<StatefulConnection<String, byte[]>> connecting;
    if (settings.cluster()) {
      RedisClusterClient client = (RedisClusterClient) ownClient();
      // connectAsync needs the topology loaded and would not load it (getPartitions() would, blocking): load it
      // first, asynchronously. After a reset this also re-reads a topology that may have changed meanwhile.
      // Each step is bounded here too: a step that never completed would make every call wait on the shared
      // connect for ever. A failed connect is not cached, so the next call starts a new one.
      Duration step = settings.connectTimeout().plus(settings.commandTimeout()).multipliedBy(2);
      connecting = Mono.fromCompletionStage(client::refreshPartitionsAsync)
          .timeout(step, Mono.error(() -> new RedisConnectionException("the cluster's topology was not read"
              + " within " + step)))
          .then(Mono.defer(() -> {
            CompletableFuture<StatefulRedisClusterConnection<String, byte[]>> opening = client.connectAsync(CODEC);
            // The future is not cancelled with the Mono (fromFuture(…, true)): an abandoned connect still
            // completes, and must be closed then.
            return Mono.fromFuture(opening, true)
                .timeout(step, Mono.error(() -> new RedisConnectionException("no cluster connection within "
                    + step)))
                // Abandoned after the timeout, or by every caller cancelling, it is closed whenever it completes.
                .doOnError(e -> opening.thenAccept(StatefulRedisClusterConnection::closeAsync))
                .doOnCancel(() -> opening.thenAccept(StatefulRedisClusterConnection::closeAsync));
          }))
          .flatMap(connected -> {
            connected.setReadFrom(ReadFrom.UPSTREAM);
            return openNodeConnections(connected, step).thenReturn(connected).doOnCancel(connected::closeAsync);
          });
    } else {
      RedisClient lent = settings.redisClient();
      RedisClient client = lent != null ? lent : (RedisClient) ownClient();
      // Bounded as each cluster step is: Lettuce bounds a connect by connectTimeout, but a connect whose
      // completion were never delivered would make every call wait on the shared connect. A connect takes at most
      // connectTimeout plus its handshake's commands; behind Sentinel, twice that (the sentinels are asked first).
      Duration one = settings.connectTimeout().plus(settings.commandTimeout());
      Duration step = settings.sentinel() ? one.multipliedBy(2) : one;
      connecting = Mono.defer(() -> {
        CompletableFuture<StatefulConnection<String, byte[]>> opening = connectAsync(client);
        // Not cancelled with the Mono (fromFuture(…, true)): an abandoned connect still completes, and is closed then.
        return Mono.fromFuture(opening, true)
            .timeout(step, Mono.error(() -> new RedisConnectionException("no connection within " + step)))
            // Abandoned after the timeout, or by every caller cancelling (CancelledConnectIT), it is closed whenever
            // it completes.
            .doOnError(e -> opening.thenAccept(StatefulConnection::closeAsync))
            .doOnCancel(() -> opening.thenAccept(StatefulConnection::closeAsync));
      });
    }
    return connecting
        .retryWhen(Retry.max(1).filter(RedisConnector::lostHandshake)
            .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
        .doOnNext(connected -> {
          StatefulConnection<String, byte[]> previous = opened.getAndSet(connected);
          if (previous != null && previous != connected) {
            previous.closeAsync();
          }
          if (closed.get() && opened.compareAndSet(connected, null)) {
            connected.closeAsync();
          }
        });
  }

  /**
   * A connect whose handshake failed before Lettuce looked at it: Lettuce then reports that its handshake handler is
   * not registered (the failed handshake has already removed it, AbstractRedisClient.initializeChannelAsync0), and
   * the handshake's own error (a refused password, say) is lost. Connecting once more shows the real one: without
   * this, health once said "unreachable" for a wrong password (RedisFailureModesIT, in a CI run on Lettuce 6.6).
   */
  static boolean lostHandshake(Throwable error) {
    for (Throwable e = error; e != null; e = e.getCause() == e ? null : e.getCause()) {
      if (e instanceof IllegalStateException && "RedisHandshakeHandler not registered".equals(e.getMessage())) {
        return true;
      }
    }
    return false;
  }

  /**
   * One standalone connection; or, behind Sentinel, Lettuce's Master/Replica connection: it asks the sentinels for
   * the master, listens to their announcements and moves to the new master after a failover. Every command goes to
   * the master (a cache must read its own writes; a replica lags).
   */
  private CompletableFuture<StatefulConnection<String, byte[]>> connectAsync(RedisClient client) {
    if (!settings.sentinel()) {
      return client.connectAsync(CODEC, uri).toCompletableFuture().thenApply(connection -> connection);
    }
    return MasterReplica.connectAsync(client, CODEC, uri).thenApply(connection -> {
      connection.setReadFrom(ReadFrom.UPSTREAM);
      return connection;
    });
  }

  private static final ConnectionIntent[] BOTH_INTENTS = {ConnectionIntent.WRITE, ConnectionIntent.READ};
  private static final ConnectionIntent[] WRITE_ONLY = {ConnectionIntent.WRITE};

  /**
   * Opens the connections to every master now, and the write connection to every replica. Lettuce opens a node's
   * connection on the first command for its slots, and with {@code REJECT_COMMANDS} it rejects the commands that
   * arrive while that connection is still being opened: the first burst of calls after a connect would fail. A
   * replica becomes the master of its slots in a failover, and the first command Lettuce then sends it (a
   * {@code MOVED} redirect from the demoted master, or a call routed by the refreshed topology) would be rejected
   * the same way; with its connection open beforehand it goes through (ClusterFailoverIT, first calls after a
   * planned failover). A node that cannot be reached now is left to that lazy path (its calls fail fast and are
   * retried), so one node down never fails the whole connect. Lettuce keeps a connection per key: commands routed
   * by slot find their node's by host and port, SCAN walks the masters by node id, so both are opened. Nodes that
   * join later are opened lazily.
   *
   * <p>The masters' slot-routed connections are started first, one after another: each new connection is handed
   * the next of the client's I/O threads in turn, so consecutive ones land on different threads. Started
   * interleaved with the others (four per master), every one of them had landed on the same thread of two, which
   * then carried all of the cluster's reads (ClusterIoThreadsIT).
   */
  private static Mono<Void> openNodeConnections(StatefulRedisClusterConnection<String, byte[]> connected,
      Duration step) {
    return Mono.defer(() -> {
      List<Supplier<CompletableFuture<?>>> slotRouted = new ArrayList<>();
      List<Supplier<CompletableFuture<?>>> others = new ArrayList<>();
      for (RedisClusterNode node : connected.getPartitions()) {
        boolean master = node.is(RedisClusterNode.NodeFlag.UPSTREAM);
        // Reads go to masters (ReadFrom.UPSTREAM) over their write connections, so a replica needs only one.
        for (ConnectionIntent intent : master ? BOTH_INTENTS : WRITE_ONLY) {
          Supplier<CompletableFuture<?>> byAddress = () -> connected.getConnectionAsync(node.getUri().getHost(),
              node.getUri().getPort(), intent);
          (master && intent == ConnectionIntent.WRITE ? slotRouted : others).add(byAddress);
          others.add(() -> connected.getConnectionAsync(node.getNodeId(), intent));
        }
      }
      List<CompletableFuture<?>> opening = new ArrayList<>();
      slotRouted.forEach(connection -> opening.add(open(connection)));
      others.forEach(connection -> opening.add(open(connection)));
      return Flux.fromIterable(opening)
          .flatMap(future -> Mono.fromCompletionStage(future).timeout(step).onErrorResume(e -> Mono.empty()))
          .then();
    });
  }

  /** Starts opening one node connection; a refusal at once is a failed opening, left to the lazy path. */
  private static CompletableFuture<?> open(Supplier<CompletableFuture<?>> connection) {
    try {
      return connection.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private AbstractRedisClient ownClient() {
    AbstractRedisClient existing = ownClient.get();
    if (existing != null) {
      return existing;
    }
    ClientResources resources = ClientResources.builder()
        .reconnectDelay(new ReconnectDelay(settings.maxReconnectDelay()))
        .build();
    AbstractRedisClient created;
    if (settings.cluster()) {
      RedisClusterClient cluster = RedisClusterClient.create(resources, settings.clusterNodes());
      cluster.setOptions(clusterClientOptions(settings, sslOptions));
      created = cluster;
    } else {
      RedisClient single = RedisClient.create(resources);
      single.setOptions(clientOptions(settings, sslOptions));
      created = single;
    }
    if (!ownClient.compareAndSet(null, created)) {
      // Another caller won the race (or close() ran): ours would only leak threads.
      created.shutdownAsync(0, 2, TimeUnit.SECONDS).whenComplete((done, error) -> resources.shutdown(0, 2,
          TimeUnit.SECONDS));
      AbstractRedisClient winner = ownClient.get();
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
    if (event instanceof ConnectionEvent connection && isSentinel(connection.remoteAddress())) {
      // The sentinels' own connections say nothing about the connection that carries the cache's commands.
      return;
    }
    if (event instanceof ReconnectFailedEvent failed) {
      events.reconnectFailed(failed.getCause());
      if (settings.sentinel()) {
        followFailover(failed.remoteAddress());
      }
    } else if (event instanceof ConnectionActivatedEvent) {
      events.connected();
    }
  }

  /**
   * Lettuce's Master/Replica connection learns a new master from the sentinels' announcements, but only five
   * seconds after the first of them (a fixed rate limit of its SentinelTopologyRefresh), so writes would fail
   * about seven seconds after a master dies. While our master cannot be reached again, we ask the sentinels
   * ourselves (at most one question at a time, one per failed reconnect, so at most every
   * {@code maxReconnectDelay}); once they name another master, the connection is retired and the next call
   * connects to the new master. Only with our own client: a lent client's events are not ours to read.
   */
  private void followFailover(SocketAddress lost) {
    RedisClient client = (RedisClient) ownClient.get();
    StatefulConnection<String, byte[]> current = opened.get();
    if (client == null || current == null || !(lost instanceof InetSocketAddress address)
        || !askingSentinels.compareAndSet(false, true)) {
      return;
    }
    Flux.fromIterable(uri.getSentinels())
        .concatMap(sentinel -> Mono.usingWhen(
                Mono.fromCompletionStage(() -> client.connectSentinelAsync(StringCodec.UTF8, sentinel)),
                connection -> connection.reactive().getMasterAddrByName(uri.getSentinelMasterId()),
                connection -> Mono.fromCompletionStage(connection.closeAsync()))
            .timeout(uri.getTimeout())
            .onErrorResume(e -> Mono.empty()))
        .next()
        .doFinally(signal -> askingSentinels.set(false))
        .subscribe(master -> {
          if (!sameAddress(master, address) && opened.compareAndSet(current, null)) {
            current.closeAsync();
          }
        }, error -> { });
  }

  private static boolean sameAddress(SocketAddress named, InetSocketAddress used) {
    return named instanceof InetSocketAddress inet && inet.getPort() == used.getPort()
        && (inet.getHostString().equalsIgnoreCase(used.getHostString())
            || (used.getAddress() != null && inet.getHostString().equals(used.getAddress().getHostAddress())));
  }

  private boolean isSentinel(SocketAddress address) {
    return address instanceof InetSocketAddress inet && uri.getSentinels().stream()
        .anyMatch(s -> s.getPort() == inet.getPort() && (s.getHost().equalsIgnoreCase(inet.getHostString())
            || (inet.getAddress() != null && s.getHost().equals(inet.getAddress().getHostAddress()))));
  }

  /**
   * The reactive commands of the shared connection, connecting first if needed: a single node's (standalone or
   * behind Sentinel) or, with {@code clusterNodes}, the whole cluster's, routed by slot.
   */
  @SuppressWarnings("unchecked")
  Mono<RedisClusterReactiveCommands<String, byte[]>> commands() {
    return connection.map(c -> c instanceof StatefulRedisClusterConnection<?, ?> cluster
        ? ((StatefulRedisClusterConnection<String, byte[]>) cluster).reactive()
        : ((StatefulRedisConnection<String, byte[]>) c).reactive());
  }

  /**
   * The async commands of the shared connection, connecting first if needed. Each subscription takes the
   * connection current at that moment (a retry after a {@link #reset()} uses the new one); when connected, at
   * once, without subscribing to the shared connect.
   */
  Mono<RedisClusterAsyncCommands<String, byte[]>> async() {
    return async;
  }

  /**
   * Asks what serves the cache whether it does, connecting first if needed: a {@code PING} to the node (or the
   * master behind Sentinel); on a cluster a {@code CLUSTER INFO} to every master that serves slots, each over its
   * own connection. A plain {@code PING} on a cluster connection goes over its default connection, to whichever node
   * Lettuce picked when connecting: perhaps a replica, and once that node has died perhaps a connection Lettuce
   * keeps reconnecting to it, while every key is served (ClusterHealthIT). And a master answers a {@code PING} while
   * it refuses every key ({@code CLUSTERDOWN}): its {@code cluster_state} says so.
   *
   * @param bound how long the connect, and then each question, may take
   * @return the masters that did not answer, or whose cluster state is not {@code ok}, by address, each with
   *     what is wrong (empty when none); an error when no master answered, {@link NoMasterServes} when none that
   *     answered serves keys
   */
  Mono<Map<String, String>> ping(Duration bound) {
    return connection.timeout(bound).flatMap(connected -> {
      if (!(connected instanceof StatefulRedisClusterConnection<?, ?> any)) {
        @SuppressWarnings("unchecked")
        StatefulRedisConnection<String, byte[]> single = (StatefulRedisConnection<String, byte[]>) connected;
        return single.reactive().ping().timeout(bound).thenReturn(Map.<String, String>of());
      }
      @SuppressWarnings("unchecked")
      StatefulRedisClusterConnection<String, byte[]> cluster = (StatefulRedisClusterConnection<String, byte[]>) any;
      List<RedisClusterNode> masters = new ArrayList<>();
      for (RedisClusterNode node : cluster.getPartitions()) {
        if (servesSlots(node) && node.getUri() != null) {
          masters.add(node);
        }
      }
      if (masters.isEmpty()) {
        return Mono.error(new RedisConnectionException("the cluster's topology names no master serving slots"));
      }
      Map<String, String> wrong = new ConcurrentHashMap<>();
      List<Throwable> silent = new CopyOnWriteArrayList<>();
      return Flux.fromIterable(masters)
          .flatMap(master -> {
            RedisURI uri = master.getUri();
            String name = address(master);
            return Mono.defer(() -> Mono.fromCompletionStage(
                    cluster.getConnectionAsync(uri.getHost(), uri.getPort())))
                .flatMap(node -> Mono.fromCompletionStage(node.async().clusterInfo()))
                .timeout(bound)
                .doOnNext(info -> {
                  String state = clusterState(info);
                  if (!"ok".equals(state)) {
                    wrong.put(name, "cluster_state " + state + ": it refuses every key (CLUSTERDOWN) until the"
                        + " cluster is whole again");
                  }
                })
                .then()
                .onErrorResume(e -> {
                  silent.add(e);
                  wrong.put(name, "not answering: " + rootMessage(e));
                  return Mono.empty();
                });
          })
          .then(Mono.defer(() -> {
            if (silent.size() == masters.size()) {
              return Mono.error(silent.get(0));
            }
            if (wrong.size() == masters.size()) {
              return Mono.error(new NoMasterServes(new TreeMap<>(wrong)));
            }
            return Mono.just(new TreeMap<>(wrong));
          }));
    });
  }

  /** Every master of the cluster either does not answer or refuses every key: what each said, by address. */
  static final class NoMasterServes extends RedisException {
    private static final long serialVersionUID = 1L;

    NoMasterServes(Map<String, String> masters) {
      super(String.join("; ", masters.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList()));
    }
  }

  /** Tells whether a cluster node is a master that serves slots now, as the topology says. */
  static boolean servesSlots(RedisClusterNode node) {
    return node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.hasNoSlots();
  }

  /** A cluster node's address as messages and breaker names show it: {@code host:port} (its id if it has none). */
  static String address(RedisClusterNode node) {
    return node.getUri() == null ? node.getNodeId() : node.getUri().getHost() + ":" + node.getUri().getPort();
  }

  /** The value of {@code cluster_state} in a {@code CLUSTER INFO} reply, "unknown" if it has none. */
  private static String clusterState(String info) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("cluster_state:")) {
        return line.substring("cluster_state:".length()).strip();
      }
    }
    return "unknown";
  }

  /** The message of an error's deepest cause (its class name if it has none): what Redis or the network said. */
  static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }

  /** The cluster connection's current topology if one is open now, else null (also on one node); never connects. */
  Partitions topology() {
    return opened.get() instanceof StatefulRedisClusterConnection<?, ?> cluster ? cluster.getPartitions() : null;
  }

  /** The shared connection if one is open now, else null; never connects. */
  StatefulConnection<String, byte[]> openConnection() {
    return opened.get();
  }

  /** The timer wheel of the client (ours or the lent one), where Lettuce runs its command timeouts; null once closed. */
  io.netty.util.Timer timer() {
    RedisClient lent = settings.redisClient();
    if (lent != null) {
      return lent.getResources().timer();
    }
    ClientResources own = ownResources.get();
    return own == null ? null : own.timer();
  }

  /** A connection's async commands: a single node's (standalone or behind Sentinel) or the whole cluster's. */
  @SuppressWarnings("unchecked")
  private static RedisClusterAsyncCommands<String, byte[]> async(StatefulConnection<String, byte[]> connection) {
    return connection instanceof StatefulRedisClusterConnection<?, ?> cluster
        ? ((StatefulRedisClusterConnection<String, byte[]>) cluster).async()
        : ((StatefulRedisConnection<String, byte[]>) connection).async();
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
    StatefulConnection<String, byte[]> current = opened.get();
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
      StatefulConnection<String, byte[]> current = opened.getAndSet(null);
      Disposable subscription = eventSubscription.getAndSet(null);
      if (subscription != null) {
        subscription.dispose();
      }
      AbstractRedisClient client = ownClient.getAndSet(null);
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
