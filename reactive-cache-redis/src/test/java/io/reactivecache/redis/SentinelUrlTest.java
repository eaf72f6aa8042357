package io.reactivecache.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import io.reactivecache.CacheConfigurationException;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The {@code redis-sentinel://} url and the {@code sentinelPassword} option, checked without a server. */
class SentinelUrlTest {
  private static final String SECRET = "hunter2-S3cr3t";
  private static final String SENTINEL_SECRET = "s3ntinel-Pa55";

  private static void rejects(UnaryOperator<RedisCache.Builder> config, String option, String... fragments) {
    assertThatThrownBy(() -> config.apply(RedisCache.builder()).build())
        .isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'" + option + "'")
        .hasMessageContainingAll(fragments)
        .hasMessageNotContaining(SECRET)
        .hasMessageNotContaining(SENTINEL_SECRET);
  }

  @Test
  void everySentinelHostIsANodeWithItsPortTheMasterNameAndTheDatabase() {
    RedisSettings settings = RedisCache.builder()
        .url("redis-sentinel://app:" + SECRET + "@10.0.0.1:26380,sentinel-2,[::1]:26390/3#orders")
        .settings();
    RedisURI uri = settings.uri();
    assertThat(settings.sentinel()).isTrue();
    assertThat(uri.getSentinelMasterId()).isEqualTo("orders");
    assertThat(uri.getDatabase()).isEqualTo(3);
    assertThat(uri.isSsl()).isFalse();
    assertThat(uri.getSentinels()).extracting(RedisURI::getHost).containsExactly("10.0.0.1", "sentinel-2", "::1");
    assertThat(uri.getSentinels()).extracting(RedisURI::getPort).containsExactly(26380, 26379, 26390);
    // The url's credentials are the data nodes'; the sentinels need none unless sentinelPassword says so.
    RedisCredentials credentials = uri.getCredentialsProvider().resolveCredentials().block(Duration.ofSeconds(1));
    assertThat(credentials.getUsername()).isEqualTo("app");
    assertThat(new String(credentials.getPassword())).isEqualTo(SECRET);
    assertThat(uri.getSentinels()).allSatisfy(node -> assertThat(node.getCredentialsProvider()
        .resolveCredentials().block(Duration.ofSeconds(1)).hasPassword()).isFalse());
    assertThat(settings.endpoint())
        .isEqualTo("redis-sentinel://***@10.0.0.1:26380,sentinel-2:26379,[::1]:26390/3#orders");
    assertThat(settings.toString()).doesNotContain(SECRET);
  }

  @Test
  void tlsReachesTheSentinelsAndTheDataNodesWithPeerVerification() {
    RedisURI uri = RedisCache.builder().url("rediss-sentinel://s1:1,s2:2#m").settings().uri();
    assertThat(uri.isSsl()).isTrue();
    assertThat(uri.isVerifyPeer()).isTrue();
    assertThat(uri.getSentinels()).allSatisfy(node -> {
      assertThat(node.isSsl()).isTrue();
      assertThat(node.isVerifyPeer()).isTrue();
    });
  }

  @Test
  void theSentinelPasswordGoesToEverySentinelAndNeverIntoMessages() {
    RedisSettings settings = RedisCache.builder().url("redis-sentinel://s1:1,s2:2/0#m")
        .sentinelPassword(SENTINEL_SECRET).settings();
    assertThat(settings.uri().getSentinels()).allSatisfy(node -> assertThat(new String(node.getCredentialsProvider()
        .resolveCredentials().block(Duration.ofSeconds(1)).getPassword())).isEqualTo(SENTINEL_SECRET));
    assertThat(settings.toString()).doesNotContain(SENTINEL_SECRET).contains("sentinelPassword=***");
    assertThat(settings.scrub("NOAUTH " + SENTINEL_SECRET + " and " + SECRET)).doesNotContain(SENTINEL_SECRET);
    RedisCacheBackend backend = RedisCache.builder().url("redis-sentinel://s1:1#m").sentinelPassword(SENTINEL_SECRET)
        .build();
    assertThat(backend.toString()).doesNotContain(SENTINEL_SECRET);
    backend.close().block(Duration.ofSeconds(5));
  }

  @Test
  void aSentinelPasswordWithoutSentinelsIsRefused() {
    rejects(b -> b.url("redis://127.0.0.1:6379/0").sentinelPassword(SENTINEL_SECRET), "sentinelPassword",
        "redis-sentinel://");
  }

  @Test
  void mistakesAreNamedWithTheMaskedUrl() {
    for (String url : List.of(
        "redis-sentinel://app:" + SECRET + "@s1:26379,s2:26379/0",
        "redis-sentinel://app:" + SECRET + "@s1:26379/0#",
        "redis-sentinel://app:" + SECRET + "@s1:26379/0#two words")) {
      rejects(b -> b.url(url), "url", "***@", "master name");
    }
    rejects(b -> b.url("redis-sentinel://app:" + SECRET + "@/0#m"), "url", "***@", "at least one sentinel host");
    rejects(b -> b.url("redis-sentinel:///0#m"), "url", "at least one sentinel host");
    rejects(b -> b.url("redis-sentinel://s1:26379,,s3/0#m"), "url", "none empty");
    rejects(b -> b.url("redis-sentinel://s1:26379,s2:0#m"), "url", "port '0' of host 's2'");
    rejects(b -> b.url("redis-sentinel://s1:70000#m"), "url", "port '70000'");
    rejects(b -> b.url("redis-sentinel://s1:abc#m"), "url", "port 'abc'");
    rejects(b -> b.url("redis-sentinel://s1/db#m"), "url", "database number");
    rejects(b -> b.url("redis-sentinel://s1?timeout=5#m"), "url", "no query");
    rejects(b -> b.url("redis-sentinel://s1:1#m").trustedCertificates(java.nio.file.Path.of("ca.pem")),
        "trustedCertificates", "rediss-sentinel://");
  }
}
