package io.reactivecache;

/**
 * A configuration option has a value the library cannot work with. Raised by {@code build()} methods at once,
 * never later at run time; the message names the option and the rejected value.
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
