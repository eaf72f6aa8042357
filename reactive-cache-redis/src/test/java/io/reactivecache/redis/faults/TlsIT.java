package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SslOptions;
import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.RedisServerProcess;
import io.reactivecache.redis.support.RedisTestSupport;
import io.reactivecache.redis.support.TlsMaterial;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RELIABILITY row 21: TLS ({@code rediss://}) to a server whose certificate comes from a test CA. */
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
    RedisCacheBackend backend = backend(server.uri(), b -> b.redisClient(clientTrusting(tls.caCert())));
    assertThat(server.uri()).startsWith("rediss://");
    assertThat(works(backend, "k")).isTrue();
    figure(ROW, "trusted CA, right host", "works");
  }

  @Test
  void failsClosedWithAWrongHost() {
    RedisServerProcess server = startServer(RedisServerProcess.builder().tls(tls, tls.wrongHostCert(),
        tls.wrongHostKey()));
    RedisCacheBackend backend = backend(server.uri(), b -> b.redisClient(clientTrusting(tls.caCert())));
    assertFailsClosed(backend, "certificate for another host, trusted CA");
  }

  @Test
  void failsClosedWithAnUntrustedCa() {
    RedisServerProcess server = startServer(RedisServerProcess.builder().tls(tls, tls.untrustedServerCert(),
        tls.untrustedServerKey()));
    RedisCacheBackend backend = backend(server.uri(), b -> b.redisClient(clientTrusting(tls.caCert())));
    assertFailsClosed(backend, "certificate from an untrusted CA");
  }

  @Test
  void theBackendsOwnClientVerifiesCertificates() {
    // No CA given: the JDK's default trust store does not know the test CA, so the connection must be refused.
    RedisServerProcess server = startServer(RedisServerProcess.builder().tls(tls, tls.serverCert(),
        tls.serverKey()));
    RedisCacheBackend backend = backend(server.uri());
    assertFailsClosed(backend, "backend's own client, test CA not in the default trust store");
  }

  private void assertFailsClosed(RedisCacheBackend backend, String what) {
    StringBuilder messages = new StringBuilder();
    for (int i = 0; i < 2; i++) {
      messages.append(allMessages(call(backend.put("k", entry("v"))).backendError())).append('\n');
      messages.append(allMessages(call(backend.get("k", STRING)).backendError())).append('\n');
    }
    String last = call(backend.get("k", STRING)).backendError().getMessage();
    figure(ROW, what, "refused: " + last);
    // Refused for the right reason (the certificate), not because something else failed first.
    assertThat(messages.toString()).as("%s: why", what)
        .containsAnyOf("certification path", "subject alternative names", "No name matching", "certificate")
        .doesNotContain("Blocking call");
  }

  private RedisClient clientTrusting(Path ca) {
    RedisClient client = RedisClient.create();
    client.setOptions(ClientOptions.builder()
        // A factory loaded here: Lettuce would otherwise read the file while connecting, on a non-blocking thread.
        .sslOptions(SslOptions.builder().jdkSslProvider().trustManager(TlsMaterial.trustManagerFactory(ca))
            .build())
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .build());
    closeLater(() -> client.shutdown(0, 2, TimeUnit.SECONDS));
    return client;
  }
}
