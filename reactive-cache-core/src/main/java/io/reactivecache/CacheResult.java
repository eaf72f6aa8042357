package io.reactivecache;

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A value read through a cache together with how it was obtained: for callers that log, trace or measure per call
 * ({@link Cache#getWithOutcome(String, reactor.core.publisher.Mono)}). The plain {@link Cache#get(String,
 * reactor.core.publisher.Mono)} does not build it, and costs nothing for it.
 *
 * @param <T> the value type
 */
public final class CacheResult<T> {
  /** How a value was obtained. */
  public enum Outcome {
    /** A fresh cached value. */
    HIT,
    /** A miss: this call started the load that produced the value. */
    LOADED,
    /** A miss: this call joined a load another caller had started. */
    COALESCED,
    /** A stale cached value served at once (stale-while-revalidate, or a soft timeout), while a load goes on. */
    STALE,
    /** A stale cached value served because the load failed or timed out (stale-if-error). */
    STALE_IF_ERROR,
    /** The backend could not be read (it failed, the failure was absorbed) and the value came from a load. */
    FALLBACK
  }

  private final @Nullable T value;
  private final Outcome outcome;

  CacheResult(@Nullable T value, Outcome outcome) {
    this.value = value;
    this.outcome = Objects.requireNonNull(outcome, "outcome");
  }

  /**
   * Returns the value.
   *
   * @return the value, or empty when the result was empty (the loader returned empty, or an "absent" entry)
   */
  public Optional<T> value() {
    return Optional.ofNullable(value);
  }

  /**
   * Returns how the value was obtained.
   *
   * @return the outcome
   */
  public Outcome outcome() {
    return outcome;
  }

  @Override
  public String toString() {
    // The value is not printed: it may be personal data.
    return "CacheResult{" + outcome + (value == null ? ", empty" : ", present") + '}';
  }
}
