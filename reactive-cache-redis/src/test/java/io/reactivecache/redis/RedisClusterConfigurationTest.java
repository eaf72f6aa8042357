package io.reactivecache.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.reactivecache.CacheConfigurationException;
import io.reactivecache.Strategy;
import io.reactivecache.spi.BackendSettings;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

/** The {@code clusterNodes} option: how it is parsed and validated, and the cluster client options it leads to. */
class RedisClusterConfigurationTest {
  private static final String SECRET = "hunter2-S3cr3t";

  private static void rejects(UnaryOperator<RedisCache.Builder> config, String option, String value) {
    assertThatThrownBy(() -> config.apply(RedisCache.builder()).build())
        .isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'" + option + "'")
        .hasMessageContaining(value)
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void clusterNodesAreParsedIntoSeedsWithoutShowingThePassword() {
    RedisSettings settings = RedisCache.builder()
        .clusterNodes("redis://:" + SECRET + "@10.0.0.1:7000", "redis://:" + SECRET + "@10.0.0.2")
        .settings();
    assertThat(settings.cluster()).isTrue();
    assertThat(settings.clusterNodes()).extracting(RedisURI::getHost, RedisURI::getPort)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("10.0.0.1", 7000),
            org.assertj.core.groups.Tuple.tuple("10.0.0.2", 6379));
    assertThat(settings.endpoint()).isEqualTo("redis://***@10.0.0.1:7000,redis://***@10.0.0.2:6379");
    assertThat(settings.toString()).contains("clusterNodes=").doesNotContain(SECRET);
    assertThat(settings.scrub("auth failed for " + SECRET)).doesNotContain(SECRET);
  }

  @Test
  void withoutClusterNodesTheDefaultUrlIsOneNode() {
    RedisSettings settings = RedisCache.builder().settings();
    assertThat(settings.cluster()).isFalse();
    assertThat(settings.clusterNodes()).isEmpty();
    assertThat(settings.uri().getHost()).isEqualTo("localhost");
  }

  @Test
  void urlAndClusterNodesTogetherAreRefusedNamingBoth() {
    assertThatThrownBy(() -> RedisCache.builder().url("redis://127.0.0.1:6379")
        .clusterNodes("redis://127.0.0.1:7000").build())
        .isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'url'")
        .hasMessageContaining("'clusterNodes'");
  }

  @Test
  void badNodeUrlsAreNamedWithTheirValueButNeverThePassword() {
    rejects(b -> b.clusterNodes("http://:" + SECRET + "@10.0.0.1:7000"), "clusterNodes", "http://***@10.0.0.1:7000");
    rejects(b -> b.clusterNodes("redis://10.0.0.1:7000", "nonsense"), "clusterNodes", "'nonsense'");
    rejects(b -> b.clusterNodes("redis://10.0.0.1:70000"), "clusterNodes", "redis://10.0.0.1:70000");
    rejects(b -> b.clusterNodes("redis://10.0.0.1:7000/3"), "clusterNodes", "redis://10.0.0.1:7000/3");
    rejects(b -> b.clusterNodes(List.of()), "clusterNodes", "[]");
    rejects(b -> b.clusterNodes("redis://:" + SECRET + "@10.0.0.1:7000", "rediss://:" + SECRET + "@10.0.0.2:7000"),
        "clusterNodes", "rediss://***@10.0.0.2:7000");
    rejects(b -> b.clusterNodes("redis://:" + SECRET + "@10.0.0.1:7000", "redis://:other@10.0.0.2:7000"),
        "clusterNodes", "redis://***@10.0.0.2:7000");
  }

  @Test
  void aLentSingleNodeClientIsRefusedWithClusterNodes() {
    RedisClient client = RedisClient.create();
    try {
      rejects(b -> b.clusterNodes("redis://10.0.0.1:7000").redisClient(client), "redisClient", "lent");
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void theMapOptionIsACommaSeparatedList() {
    RedisCacheBackend backend = (RedisCacheBackend) new RedisCacheBackendProvider().create(new BackendSettings(
        "sessions", 500, Optional.empty(), Strategy.TTL, Schedulers.parallel(),
        Map.of("clusterNodes", "redis://10.0.0.1:7000, redis://10.0.0.2:7001")));
    assertThat(backend.settings().clusterNodes()).extracting(RedisURI::getPort).containsExactly(7000, 7001);
    backend.close().block(Duration.ofSeconds(5));

    assertThatThrownBy(() -> new RedisCacheBackendProvider().create(new BackendSettings("s", 500, Optional.empty(),
        Strategy.TTL, Schedulers.parallel(), Map.of("clusterNodes", "redis://10.0.0.1:7000,,redis://x:1"))))
        .isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'clusterNodes'")
        .hasMessageContaining("''");
    assertThatThrownBy(() -> new RedisCacheBackendProvider().create(new BackendSettings("s", 500, Optional.empty(),
        Strategy.TTL, Schedulers.parallel(), Map.of("clusterNodes", "redis://10.0.0.1:7000",
            "url", "redis://10.0.0.1:6379"))))
        .isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'url'")
        .hasMessageContaining("'clusterNodes'");
  }

  @Test
  void theClusterClientFollowsTheTopologyAsACacheNeedsAndKeepsTheStandaloneBounds() {
    RedisSettings settings = RedisCache.builder().clusterNodes("redis://10.0.0.1:7000")
        .commandTimeout(Duration.ofMillis(300)).settings();
    ClusterClientOptions options = RedisConnector.clusterClientOptions(settings, null);
    ClusterTopologyRefreshOptions refresh = options.getTopologyRefreshOptions();
    assertThat(refresh.isPeriodicRefreshEnabled()).isTrue();
    assertThat(refresh.getRefreshPeriod()).isEqualTo(Duration.ofSeconds(30));
    assertThat(refresh.getAdaptiveRefreshTriggers())
        .containsExactlyInAnyOrderElementsOf(EnumSet.allOf(ClusterTopologyRefreshOptions.RefreshTrigger.class));
    assertThat(refresh.getAdaptiveRefreshTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(refresh.getRefreshTriggersReconnectAttempts()).isEqualTo(3);
    assertThat(options.getRequestQueueSize()).isEqualTo(RedisConnector.REQUEST_QUEUE_SIZE);
    assertThat(options.getDisconnectedBehavior()).isEqualTo(io.lettuce.core.ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    io.lettuce.core.TimeoutOptions.TimeoutSource timeout = options.getTimeoutOptions().getSource();
    assertThat(timeout.getTimeUnit().toMillis(timeout.getTimeout(null))).isEqualTo(300);
    assertThat(options.getSocketOptions().getConnectTimeout()).isEqualTo(Duration.ofSeconds(2));
  }
}
