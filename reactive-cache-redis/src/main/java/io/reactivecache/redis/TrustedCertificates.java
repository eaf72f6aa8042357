package io.reactivecache.redis;

import io.reactivecache.CacheConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.TrustManagerFactory;

/** Reads a PEM bundle of CA certificates into trust managers, once, when the backend is built. */
final class TrustedCertificates {
  private static final String ACCEPTED = "a readable PEM file with at least one X.509 CA certificate";

  private TrustedCertificates() {}

  static TrustManagerFactory load(Path pemFile) {
    Collection<? extends Certificate> certificates;
    try (InputStream in = Files.newInputStream(pemFile)) {
      certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      // The reason (missing, unreadable, not PEM) goes into the message; the file's content never does.
      throw CacheConfigurationException.invalid("trustedCertificates", pemFile,
          ACCEPTED + " (" + e.getClass().getSimpleName() + ")");
    }
    if (certificates.isEmpty()) {
      throw CacheConfigurationException.invalid("trustedCertificates", pemFile, ACCEPTED + " (none found)");
    }
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate certificate : certificates) {
        store.setCertificateEntry("ca-" + i++, certificate);
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory;
    } catch (IOException | GeneralSecurityException e) {
      throw CacheConfigurationException.invalid("trustedCertificates", pemFile,
          ACCEPTED + " (" + e.getClass().getSimpleName() + ")");
    }
  }
}
