package io.reactivecache;

import java.util.Objects;

/**
 * The health of a backend: {@link Status#UP}, {@link Status#DEGRADED} (serving, but not as configured — for
 * example from a fallback) or {@link Status#DOWN}, with a reason a person can act on. The reason never contains
 * secrets.
 *
 * @param status the status
 * @param reason why, or an empty string when up
 */
public record CacheHealth(Status status, String reason) {

  /** The three health states. */
  public enum Status {
    /** Working as configured. */
    UP,
    /** Answering, but not as configured (for example from a fallback while the primary store is down). */
    DEGRADED,
    /** Not answering. */
    DOWN
  }

  private static final CacheHealth UP = new CacheHealth(Status.UP, "");

  /**
   * Validates the components.
   *
   * @param status the status
   * @param reason the reason
   */
  public CacheHealth {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(reason, "reason");
  }

  /**
   * Returns the healthy state.
   *
   * @return UP with no reason
   */
  public static CacheHealth up() {
    return UP;
  }

  /**
   * Returns a degraded state.
   *
   * @param reason why
   * @return DEGRADED with the reason
   */
  public static CacheHealth degraded(String reason) {
    return new CacheHealth(Status.DEGRADED, reason);
  }

  /**
   * Returns a down state.
   *
   * @param reason why
   * @return DOWN with the reason
   */
  public static CacheHealth down(String reason) {
    return new CacheHealth(Status.DOWN, reason);
  }
}
