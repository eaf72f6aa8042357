package io.reactivecache;

import java.time.Duration;

/**
 * A load took longer than its policy's {@link CachePolicy#loadTimeout()}: the loader was cancelled and every caller
 * waiting on that load gets this error. Nothing is stored and nothing is remembered beyond the policy's
 * {@link CachePolicy#errorTtl()}. Raise the timeout, or make the loader faster; a stale value, if the policy keeps
 * one ({@link CachePolicy#staleIfError()}), is served instead of this error.
 */
public class CacheLoadTimeoutException extends CacheException {
  private static final long serialVersionUID = 1L;

  /** The key whose load timed out. */
  private final String key;
  /** The timeout that passed. */
  private final transient Duration timeout;

  /**
   * Creates the exception.
   *
   * @param key the key whose load timed out, as stored (a view's keys carry its prefix)
   * @param timeout the timeout that passed
   */
  public CacheLoadTimeoutException(String key, Duration timeout) {
    super("Loading key '" + shown(key) + "' took longer than the loadTimeout of " + timeout
        + "; the load was cancelled (raise CachePolicy.loadTimeout or speed up the loader)");
    this.key = key;
    this.timeout = timeout;
  }

  /**
   * Returns the key whose load timed out.
   *
   * @return the key, as stored
   */
  public String key() {
    return key;
  }

  /**
   * Returns the timeout that passed.
   *
   * @return the timeout
   */
  public Duration timeout() {
    return timeout;
  }

  private static String shown(String key) {
    return key.length() > 120 ? key.substring(0, 120) + "…" : key;
  }
}
