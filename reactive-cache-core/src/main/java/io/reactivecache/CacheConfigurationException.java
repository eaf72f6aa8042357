package io.reactivecache;

/**
 * A configuration option has a value the library cannot work with, or an operation asks for a configuration that
 * does not exist. Raised by {@code build()} methods at once, never later for a configuration they accepted; at run
 * time only by the operations that change the configuration (adding or removing a backend) and by calls on a
 * backend that was removed from its manager. The message names the option and the rejected value, or says what to
 * do.
 */
public class CacheConfigurationException extends CacheException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message names the option, the bad value and what is accepted
   */
  public CacheConfigurationException(String message) {
    super(message);
  }

  /**
   * Creates the exception for an option and its rejected value.
   *
   * @param option the option's name, as the builder method spells it
   * @param value the rejected value
   * @param accepted what values the option accepts
   * @return the exception, to be thrown by the caller
   */
  public static CacheConfigurationException invalid(String option, Object value, String accepted) {
    return new CacheConfigurationException(
        "Invalid value for option '" + option + "': " + value + " (expected " + accepted + ")");
  }
}
