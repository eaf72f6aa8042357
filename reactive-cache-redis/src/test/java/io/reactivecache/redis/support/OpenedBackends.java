package io.reactivecache.redis.support;

import io.reactivecache.spi.CacheBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The backends a test opened on the shared Redis: each is cleared (its namespace leaves nothing behind) and closed
 * after the test. Register with {@code @RegisterExtension final OpenedBackends opened = new OpenedBackends();}.
 */
public final class OpenedBackends implements AfterEachCallback {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private final List<CacheBackend> opened = new ArrayList<>();

  /**
   * Tracks a backend for clean-up.
   *
   * @param backend the backend
   * @param <B> its type
   * @return the backend
   */
  public <B extends CacheBackend> B add(B backend) {
    opened.add(backend);
    return backend;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    for (CacheBackend backend : opened) {
      backend.clear().then(backend.close()).block(TIMEOUT);
    }
    opened.clear();
  }
}
