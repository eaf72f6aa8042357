package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheHealth;
import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.RedisServerProcess;
import io.reactivecache.redis.support.RedisTestSupport;
import io.reactivecache.redis.support.TlsMaterial;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/reliability.md row 21: TLS ({@code rediss://}) to a server whose certificate comes from a test CA, through the
 * backend's own client configured with {@code trustedCertificates} (what a user does), under BlockHound.
 */
class TlsIT extends RedisFaultTest {
  private static final String ROW = "row 21 tls";

  @TempDir
  static Path certificates;
  private static TlsMaterial tls;

  @BeforeAll
  static void makeCertificates() {
    RedisTestSupport.requireOpenssl();
    tls = TlsMaterial.generate(certificates);
  }

  @Test
  void worksWithTheCaTrusted() {
    RedisServerProcess server = startServer(RedisServerProcess.builder().tls(tls, tls.serverCert(),
        tls.serverKey()));
    RedisCacheBackend backend = backend(server.uri(), b -> b.trustedCertificates(tls.caCert()));
    assertThat(server.uri()).startsWith("rediss://");
    assertThat(works(backend, "k")).isTrue();
    assertThat(health(backend).status()).isEqualTo(CacheHealth.Status.UP);
    figure(ROW, "trusted CA, right host", "works");
  }

  @Test
  void aBundleOfSeveralCasIsTrusted() throws IOException {
    RedisServerProcess server = startServer(RedisServerProcess.builder().tls(tls, tls.serverCert(),
        tls.serverKey()));
    Path bundle = certificates.resolve("bundle.pem");
    Files.writeString(bundle, Files.readString(tls.untrustedCaCert()) + Files.readString(tls.caCert()));
    RedisCacheBackend backend = backend(server.uri(), b -> b.trustedCertificates(bundle));
    assertThat(works(backend, "k")).as("the server's CA is the second of the bundle").isTrue();
  }

  @Test
  void failsClosedWithAWrongHost() {
    RedisServerProcess server = startServer(RedisServerProcess.builder().tls(tls, tls.wrongHostCert(),
        tls.wrongHostKey()));
    RedisCacheBackend backend = backend(server.uri(), b -> b.trustedCertificates(tls.caCert()));
    assertFailsClosed(backend, "certificate for another host, trusted CA", "subject alternative names",
        "No name matching");
  }

  @Test
  void failsClosedWithAnUntrustedCa() {
    RedisServerProcess server = startServer(RedisServerProcess.builder().tls(tls, tls.untrustedServerCert(),
        tls.untrustedServerKey()));
    RedisCacheBackend backend = backend(server.uri(), b -> b.trustedCertificates(tls.caCert()));
    assertFailsClosed(backend, "certificate from an untrusted CA", "certification path");
  }

  @Test
  void theBackendsOwnClientVerifiesCertificates() {
    // No CA given: the JDK's default trust store does not know the test CA, so the connection must be refused.
    RedisServerProcess server = startServer(RedisServerProcess.builder().tls(tls, tls.serverCert(),
        tls.serverKey()));
    RedisCacheBackend backend = backend(server.uri());
    assertFailsClosed(backend, "no CA given, test CA not in the JDK's default trust store", "certification path");
  }

  private void assertFailsClosed(RedisCacheBackend backend, String what, String... reasons) {
    StringBuilder messages = new StringBuilder();
    for (int i = 0; i < 2; i++) {
      messages.append(allMessages(call(backend.put("k", entry("v"))).backendError())).append('\n');
      messages.append(allMessages(call(backend.get("k", STRING)).backendError())).append('\n');
    }
    String last = call(backend.get("k", STRING)).backendError().getMessage();
    figure(ROW, what, "refused: " + last);
    // Refused for the right reason (the certificate), not because something else failed first.
    assertThat(messages.toString()).as("%s: why", what)
        .containsAnyOf(reasons)
        .doesNotContain("Blocking call");
    assertThat(backend.health().block(Duration.ofSeconds(10)).status()).as("%s: health", what)
        .isEqualTo(CacheHealth.Status.DOWN);
  }
}
