package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheHealth;
import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.RedisSentinelProcesses;
import io.reactivecache.redis.support.RedisTestSupport;
import io.reactivecache.redis.support.TlsMaterial;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rediss-sentinel://}: sentinels, master and replica serving TLS only; the backend reaches them with the CA
 * trusted ({@code trustedCertificates}) and refuses them when the CA is not trusted.
 */
class SentinelTlsIT extends RedisFaultTest {
  @TempDir
  Path certificates;

  @Test
  void worksWithTheCaTrustedAndFailsClosedWithoutIt() {
    RedisTestSupport.requireOpenssl();
    TlsMaterial tls = TlsMaterial.generate(certificates);
    RedisSentinelProcesses redis = closeLater(RedisSentinelProcesses.start(null, tls));
    assertThat(redis.url()).startsWith("rediss-sentinel://");

    RedisCacheBackend trusted = backend(redis.url(), b -> b.trustedCertificates(tls.caCert()));
    // The first call connects through Sentinel in several steps: outside the one-connect call bound.
    trusted.put("k", entry(valueOf("k", 1))).block(Duration.ofSeconds(30));
    assertThat(call(trusted.get("k", STRING)).get().value()).isEqualTo(valueOf("k", 1));
    assertThat(works(trusted, "probe")).isTrue();
    assertThat(health(trusted).status()).isEqualTo(CacheHealth.Status.UP);

    RedisCacheBackend untrusted = backend(redis.url(), b -> b.trustedCertificates(tls.untrustedCaCert()));
    Outcome<?> refused = call(untrusted.get("k", STRING));
    assertThat(allMessages(refused.backendError())).containsIgnoringCase("tls");
    assertThat(health(untrusted).status()).isEqualTo(CacheHealth.Status.DOWN);
    figure("sentinel tls", "untrusted CA: failure seen by the caller",
        allMessages(refused.error()).lines().findFirst().orElse(""));
  }
}
