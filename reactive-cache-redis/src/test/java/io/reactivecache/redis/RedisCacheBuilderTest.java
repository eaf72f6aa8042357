package io.reactivecache.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivecache.CacheConfigurationException;
import io.reactivecache.Strategy;
import io.lettuce.core.RedisClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisCacheBuilderTest {
  private static final String SECRET = "hunter2-S3cr3t";

  private static void rejects(UnaryOperator<RedisCache.Builder> config, String option, String value) {
    assertThatThrownBy(() -> config.apply(RedisCache.builder()).build())
        .isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'" + option + "'")
        .hasMessageContaining(value)
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void defaultsBuildWithoutConnecting() {
    RedisCacheBackend backend = RedisCache.builder().url("redis://127.0.0.1:1/0").build();
    assertThat(backend.name()).isEqualTo("redis");
    assertThat(backend.namespace()).isEqualTo("reactive-cache");
    assertThat(backend.defaultTtl()).isEmpty();
    RedisSettings settings = backend.settings();
    assertThat(settings.commandTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(settings.retryAttempts()).isEqualTo(2);
    assertThat(settings.maxReconnectDelay()).isEqualTo(Duration.ofMillis(500));
    assertThat(settings.circuitBreakerThreshold()).isEqualTo(5);
    assertThat(settings.strategy()).isEqualTo(Strategy.TTL);
    assertThat(settings.maxValueBytes()).isEqualTo(1_048_576);
    backend.close().block(Duration.ofSeconds(5));
  }

  @Test
  void badNumbersAndDurationsAreNamedWithTheirValue() {
    rejects(b -> b.maximumSize(-1), "maximumSize", "-1");
    rejects(b -> b.maximumSize(0), "maximumSize", "0");
    rejects(b -> b.commandTimeout(Duration.ZERO), "commandTimeout", "PT0S");
    rejects(b -> b.connectTimeout(Duration.ofMillis(-5)), "connectTimeout", "PT-0.005S");
    rejects(b -> b.retryAttempts(-1), "retryAttempts", "-1");
    rejects(b -> b.retryBackoff(Duration.ZERO), "retryBackoff", "PT0S");
    rejects(b -> b.circuitBreakerThreshold(0), "circuitBreakerThreshold", "0");
    rejects(b -> b.circuitBreakerWaitDuration(null), "circuitBreakerWaitDuration", "null");
    rejects(b -> b.maxValueBytes(-1), "maxValueBytes", "-1");
    rejects(b -> b.maxNestingDepth(0), "maxNestingDepth", "0");
    rejects(b -> b.defaultTtl(Duration.ofSeconds(-1)), "defaultTtl", "PT-1S");
    rejects(b -> b.namespace(""), "namespace", "''");
    rejects(b -> b.namespace("bad\nname"), "namespace", "'bad?name'");
    rejects(b -> b.name(" "), "name", "' '");
    rejects(b -> b.clock(null), "clock", "null");
  }

  @Test
  void unknownStrategyIsNamed() {
    rejects(b -> b.strategy("fifo"), "strategy", "'fifo'");
    assertThat(RedisCache.builder().url("redis://127.0.0.1:1").strategy("LfU").settings().strategy())
        .isEqualTo(Strategy.LFU);
  }

  @Test
  void malformedUrlsAreRefusedWithoutThePassword() {
    rejects(b -> b.url("http://user:" + SECRET + "@localhost:6379"), "url", "'http://***@localhost:6379'");
    rejects(b -> b.url("redis://user:" + SECRET + "@/0"), "url", "***@");
    rejects(b -> b.url("redis://user:" + SECRET + "@localhost:6379/not-a-db"), "url", "***@localhost");
    rejects(b -> b.url("redis://user:" + SECRET + "@local host:6379"), "url", "***@");
    rejects(b -> b.url("user:" + SECRET + "@localhost"), "url", "***@localhost");
    rejects(b -> b.url(null), "url", "null");
    rejects(b -> b.url("   "), "url", "'   '");
  }

  @Test
  void passwordNeverAppearsInToString() {
    RedisCacheBackend backend = RedisCache.builder()
        .url("redis://app:" + SECRET + "@127.0.0.1:1/3")
        .namespace("shop")
        .build();
    assertThat(backend.toString())
        .doesNotContain(SECRET)
        .contains("redis://***@127.0.0.1:1/3")
        .contains("namespace=shop");
    assertThat(backend.settings().toString()).doesNotContain(SECRET);
    backend.close().block(Duration.ofSeconds(5));
  }

  @Test
  void tlsUrlKeepsPeerVerification() {
    RedisSettings settings = RedisCache.builder().url("rediss://cache.example.com:6380/1").settings();
    assertThat(settings.uri().isSsl()).isTrue();
    assertThat(settings.uri().isVerifyPeer()).isTrue();
    assertThat(settings.endpoint()).isEqualTo("rediss://cache.example.com:6380/1");
  }

  @Test
  void percentEncodedPasswordIsScrubbedDecoded() {
    RedisSettings settings = RedisCache.builder().url("redis://:p%40ss%3Aword@127.0.0.1:6379").settings();
    assertThat(settings.scrub("server said p@ss:word is wrong")).isEqualTo("server said *** is wrong");
  }

  @Test
  void trustedCertificatesMustBeAReadablePemFileOfCertificates(@TempDir Path dir) throws IOException {
    Path missing = dir.resolve("missing.pem");
    rejects(b -> b.url("rediss://127.0.0.1:1").trustedCertificates(missing), "trustedCertificates",
        missing.toString());
    Path notPem = Files.writeString(dir.resolve("not.pem"), "hello, not a certificate\n");
    rejects(b -> b.url("rediss://127.0.0.1:1").trustedCertificates(notPem), "trustedCertificates",
        notPem.toString());
    Path empty = Files.writeString(dir.resolve("empty.pem"), "");
    rejects(b -> b.url("rediss://127.0.0.1:1").trustedCertificates(empty), "trustedCertificates",
        empty.toString());
  }

  @Test
  void trustedCertificatesNeedTlsAndTheBackendsOwnClient(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("ca.pem"), "");
    assertThatThrownBy(() -> RedisCache.builder().url("redis://127.0.0.1:1").trustedCertificates(file).build())
        .isInstanceOf(CacheConfigurationException.class)
        .hasMessageContaining("'trustedCertificates'")
        .hasMessageContaining("rediss://");
    RedisClient lent = RedisClient.create();
    try {
      assertThatThrownBy(() -> RedisCache.builder().url("rediss://127.0.0.1:1").redisClient(lent)
          .trustedCertificates(file).build())
          .isInstanceOf(CacheConfigurationException.class)
          .hasMessageContaining("'trustedCertificates'")
          .hasMessageContaining("redisClient");
    } finally {
      lent.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
