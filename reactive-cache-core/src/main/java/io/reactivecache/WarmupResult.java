package io.reactivecache;

/**
 * What a {@linkplain Cache#warm(reactor.core.publisher.Flux, java.util.function.Function) cache warming} did with
 * the keys it was given: each key is counted once, in one of the three.
 *
 * @param loaded keys whose load completed and was stored as the policy says (a value, or an empty result), or
 *     whose load another caller had already started and this warming joined
 * @param skipped keys already cached and fresh (not loaded again), and keys met while caching was off for the view
 * @param failed keys whose load failed (the loader's error, a timeout, an invalid key); the others went on
 */
public record WarmupResult(long loaded, long skipped, long failed) {

  /**
   * Returns how many keys warming was given.
   *
   * @return loaded + skipped + failed
   */
  public long total() {
    return loaded + skipped + failed;
  }
}
