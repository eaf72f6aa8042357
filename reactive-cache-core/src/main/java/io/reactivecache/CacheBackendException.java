package io.reactivecache;

/**
 * A backend could not carry out an operation (connection lost, timeout, server error, closed backend).
 *
 * <p>The {@code cachedMono} operator never lets this reach its callers: a backend failure on read is a miss and
 * the loader runs, a backend failure on write is counted and ignored. Direct operations on a
 * {@link CacheManager} or a {@link Cache} do signal it.
 */
public class CacheBackendException extends CacheException {
  private static final long serialVersionUID = 1L;

  private final String backend;

  /**
   * Creates the exception.
   *
   * @param backend the name of the backend that failed
   * @param message what failed and what to do
   * @param cause the underlying failure, if any
   */
  public CacheBackendException(String backend, String message, Throwable cause) {
    super("Cache backend '" + backend + "': " + message, cause);
    this.backend = backend;
  }

  /**
   * Creates the exception without a cause.
   *
   * @param backend the name of the backend that failed
   * @param message what failed and what to do
   */
  public CacheBackendException(String backend, String message) {
    super("Cache backend '" + backend + "': " + message);
    this.backend = backend;
  }

  /**
   * Returns the name of the backend that failed.
   *
   * @return the backend's name
   */
  public String backend() {
    return backend;
  }
}
