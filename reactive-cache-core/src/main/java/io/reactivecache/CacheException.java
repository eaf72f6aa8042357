package io.reactivecache;

/**
 * Root of every failure the library reports to a caller.
 *
 * <p>Each subtype says what went wrong and, in its message, what to do about it. Messages never contain
 * secrets (passwords, tokens) nor cached values.
 */
public class CacheException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message.
   *
   * @param message what happened and what to do
   */
  public CacheException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and a cause.
   *
   * @param message what happened and what to do
   * @param cause the underlying failure
   */
  public CacheException(String message, Throwable cause) {
    super(message, cause);
  }
}
