package io.reactivecache.redis.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates made for one test run with {@code openssl}: a trusted CA, a server certificate it signed for
 * {@code 127.0.0.1}/{@code localhost}, a certificate it signed for another host, and a second CA nobody trusts
 * together with a server certificate it signed.
 *
 * @param dir where the files are
 * @param caCert the trusted CA's certificate (PEM)
 * @param serverCert the server certificate for 127.0.0.1 and localhost, signed by the trusted CA
 * @param serverKey its key
 * @param wrongHostCert a certificate for {@code wrong.example} only, signed by the trusted CA
 * @param wrongHostKey its key
 * @param untrustedCaCert the certificate of a CA the client does not trust
 * @param untrustedServerCert a certificate for 127.0.0.1 and localhost signed by the untrusted CA
 * @param untrustedServerKey its key
 */
public record TlsMaterial(
    Path dir,
    Path caCert,
    Path serverCert,
    Path serverKey,
    Path wrongHostCert,
    Path wrongHostKey,
    Path untrustedCaCert,
    Path untrustedServerCert,
    Path untrustedServerKey) {

  /**
   * Tells whether {@code openssl} is on the PATH.
   *
   * @return true if it runs
   */
  public static boolean opensslAvailable() {
    try {
      Process p = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Generates the material into a directory.
   *
   * @param dir an empty directory
   * @return the material
   */
  public static TlsMaterial generate(Path dir) {
    try {
      Files.createDirectories(dir);
      Path ca = ca(dir, "ca", "reactive-cache test CA");
      Path otherCa = ca(dir, "untrusted-ca", "reactive-cache untrusted CA");
      leaf(dir, "server", "DNS:localhost,IP:127.0.0.1", ca, "ca");
      leaf(dir, "wrong-host", "DNS:wrong.example", ca, "ca");
      leaf(dir, "untrusted-server", "DNS:localhost,IP:127.0.0.1", otherCa, "untrusted-ca");
      return new TlsMaterial(dir, ca, dir.resolve("server.crt"), dir.resolve("server.key"),
          dir.resolve("wrong-host.crt"), dir.resolve("wrong-host.key"), otherCa,
          dir.resolve("untrusted-server.crt"), dir.resolve("untrusted-server.key"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Builds a trust manager factory that trusts only the given CAs, read now (so nothing reads files later, on a
   * thread that must not block).
   *
   * @param caPems the CA certificates
   * @return the factory
   */
  public static TrustManagerFactory trustManagerFactory(Path... caPems) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int n = 0;
      for (Path caPem : caPems) {
        try (InputStream in = Files.newInputStream(caPem)) {
          for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
            store.setCertificateEntry("ca-" + n++, cert);
          }
        }
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      return tmf;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("cannot load CA certificates", e);
    }
  }

  /**
   * Builds an SSL context that trusts only the given CAs.
   *
   * @param caPems the CA certificates
   * @return the context
   */
  public static SSLContext trusting(Path... caPems) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trustManagerFactory(caPems).getTrustManagers(), null);
      return context;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("cannot create an SSL context", e);
    }
  }

  private static Path ca(Path dir, String name, String subject) throws IOException {
    openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-keyout", name + ".key", "-out", name + ".crt", "-subj", "/CN=" + subject,
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    return dir.resolve(name + ".crt");
  }

  private static void leaf(Path dir, String name, String san, Path caCert, String caName) throws IOException {
    openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
        "-subj", "/CN=" + name);
    Files.writeString(dir.resolve(name + ".ext"),
        "subjectAltName=" + san + "\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            + "keyUsage=digitalSignature,keyEncipherment\n",
        StandardCharsets.US_ASCII);
    openssl(dir, "x509", "-req", "-in", name + ".csr", "-CA", caCert.getFileName().toString(),
        "-CAkey", caName + ".key", "-CAcreateserial", "-days", "2", "-out", name + ".crt",
        "-extfile", name + ".ext");
  }

  private static void openssl(Path dir, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException("openssl " + String.join(" ", args) + " failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted", e);
    }
  }
}
