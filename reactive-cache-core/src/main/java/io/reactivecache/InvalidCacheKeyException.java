package io.reactivecache;

/**
 * A key or key pattern was refused: null, empty, containing control characters, or a malformed glob pattern.
 * The message says which rule the key broke; it quotes at most the first characters of the key.
 */
public class InvalidCacheKeyException extends CacheException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message which rule the key broke
   */
  public InvalidCacheKeyException(String message) {
    super(message);
  }
}
