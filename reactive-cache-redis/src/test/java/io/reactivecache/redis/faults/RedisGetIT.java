package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.TimeoutOptions;
import io.reactivecache.Strategy;
import io.reactivecache.redis.RedisCache;
import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.RedisClusterProcesses;
import io.reactivecache.redis.support.RedisTestSupport;
import io.reactivecache.redis.support.RedisServerProcess;
import io.reactivecache.redis.support.TcpProxy;
import io.reactivecache.spi.CacheEntry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;

/**
 * The GET hot path (one object per read, reporting to the breaker itself) keeps the breaker's books as the
 * general path does: every read let through is counted once, a read cancelled before its reply gives its
 * permission back, and where Lettuce's own timeout is not the bound (a lent client) the read still fails within
 * the command timeout. On a cluster, where the read relies on Lettuce's timeout once its node's connection is open,
 * a stopped master's read still fails within its bound.
 */
class RedisGetIT extends RedisFaultTest {

  @Test
  void everyReadLetThroughIsCountedOnceAsASuccessOrAFailure() {
    RedisServerProcess server = startServer();
    TcpProxy proxy = closeLater(TcpProxy.start(server.host(), server.port()));
    RedisCacheBackend backend = backend("redis://127.0.0.1:" + proxy.port() + "/0",
        b -> b.retryAttempts(0).circuitBreakerThreshold(50));
    call(backend.put("k", entry(valueOf("k", 1))));
    CircuitBreaker.Metrics metrics = backend.circuitBreaker().getMetrics();
    int successesBefore = metrics.getNumberOfSuccessfulCalls();

    for (int i = 0; i < 10; i++) {
      assertThat(call(backend.get("k", STRING)).get().value()).isEqualTo(valueOf("k", 1));
      assertThat(call(backend.get("missing-" + i, STRING)).value()).isEmpty();
    }
    assertThat(metrics.getNumberOfSuccessfulCalls() - successesBefore).as("hits and misses, each once")
        .isEqualTo(20);

    proxy.freeze();
    Outcome<CacheEntry<String>> timedOut = call(backend.get("k", STRING));
    assertThat(timedOut.failed()).isTrue();
    assertThat(timedOut.backendError().getMessage()).contains("got no reply from Redis");
    assertThat(metrics.getNumberOfFailedCalls()).as("the timed-out read, once").isEqualTo(1);
  }

  @Test
  void aReadCancelledBeforeItsReplyGivesTheHalfOpenBreakersProbeBack() {
    RedisServerProcess server = startServer();
    TcpProxy proxy = closeLater(TcpProxy.start(server.host(), server.port()));
    RedisCacheBackend backend = backend("redis://127.0.0.1:" + proxy.port() + "/0");
    call(backend.put("k", entry(valueOf("k", 1))));
    // The first read of a type prepares its JSON reader off the caller's thread; the next ones take the hot path.
    assertThat(call(backend.get("k", STRING)).get().value()).isEqualTo(valueOf("k", 1));
    CircuitBreaker breaker = backend.circuitBreaker();
    breaker.transitionToOpenState();
    breaker.transitionToHalfOpenState(); // lets exactly one call through

    proxy.freeze();
    Disposable read = backend.get("k", STRING).subscribe(entry -> { }, error -> { });
    read.dispose();

    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    assertThat(breaker.tryAcquirePermission()).as("the probe's permission, given back by the cancelled read")
        .isTrue();
    breaker.releasePermission();
  }

  @Test
  void aReadOnALentClientWithoutTimeoutsFailsWithinTheCommandTimeout() {
    RedisServerProcess server = startServer();
    TcpProxy proxy = closeLater(TcpProxy.start(server.host(), server.port()));
    String url = "redis://127.0.0.1:" + proxy.port() + "/0";
    RedisClient lent = RedisClient.create(url);
    // A lent client may time nothing out: then the backend's own bound is all there is.
    lent.setOptions(ClientOptions.builder()
        .timeoutOptions(TimeoutOptions.builder().timeoutCommands(false).build()).build());
    closeLater(lent::shutdown);
    RedisCacheBackend backend = backend(url, b -> b.redisClient(lent).retryAttempts(0));
    call(backend.put("k", entry(valueOf("k", 1))));
    assertThat(call(backend.get("k", STRING)).get().value()).isEqualTo(valueOf("k", 1));

    proxy.freeze();
    Outcome<CacheEntry<String>> read = call(backend.get("k", STRING));

    assertThat(read.failed()).isTrue();
    assertThat(read.backendError().getMessage()).contains("got no reply from Redis");
    assertThat(backend.circuitBreaker().getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
  }

  @Test
  void aClusterReadOfAKeyOnAStoppedMasterFailsWithinTheCommandBoundAndReadsAgainOnceItAnswers() {
    RedisClusterProcesses cluster = closeLater(RedisClusterProcesses.start());
    String namespace = RedisTestSupport.newNamespace();
    RedisCacheBackend backend = built(RedisCache.builder()
        .name("redis")
        .clusterNodes(cluster.seedUrls())
        .namespace(namespace)
        .commandTimeout(COMMAND_TIMEOUT)
        .connectTimeout(CONNECT_TIMEOUT)
        .retryAttempts(0)
        .strategy(Strategy.TTL)
        .clock(Schedulers.parallel()));
    call(backend.put("k", entry(valueOf("k", 1))));
    assertThat(call(backend.get("k", STRING)).get().value()).isEqualTo(valueOf("k", 1));
    int master = cluster.masterPorts().stream()
        .filter(port -> !cluster.keysOn(port, "*" + namespace + "*").isEmpty()) // its only key: k
        .findFirst().orElseThrow();

    // Its node connection is open: Lettuce's own timeout is the read's only bound now, and it must hold.
    cluster.node(master).pause();
    Outcome<CacheEntry<String>> read;
    try {
      read = call(backend.get("k", STRING));
    } finally {
      cluster.node(master).resume();
    }

    assertThat(read.failed()).isTrue();
    assertThat(read.backendError().getMessage()).contains("got no reply from Redis");
    assertThat(call(backend.get("k", STRING)).get().value()).isEqualTo(valueOf("k", 1));
  }
}
