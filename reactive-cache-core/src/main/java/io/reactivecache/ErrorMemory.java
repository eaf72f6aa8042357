package io.reactivecache;

import io.reactivecache.spi.Invalidation;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Loader errors remembered for a policy's {@code errorTtl}, in this process only (an error is not a value to share
 * through a remote store). An error is replayed only to callers with the policy that remembered it: a view without
 * {@code errorTtl} never sees another view's error. Bounded: when full, expired errors are swept out first, and if
 * it is still full the new error is not remembered (that key simply loads again).
 */
final class ErrorMemory {
  static final int MAX_ERRORS = 10_000;

  private record Remembered(Throwable error, long until, CachePolicy policy, Set<String> tags) {}

  private final ConcurrentHashMap<String, Remembered> errors = new ConcurrentHashMap<>();

  void remember(String key, CachePolicy policy, Set<String> tags, Throwable error, long now) {
    if (errors.size() >= MAX_ERRORS) {
      errors.values().removeIf(remembered -> now >= remembered.until);
      if (errors.size() >= MAX_ERRORS) {
        return;
      }
    }
    errors.put(key, new Remembered(error, Durations.add(now, policy.errorTtlMillis), policy, tags));
  }

  /** Returns the error still remembered for the key and policy at {@code now}, or null; forgets it once past. */
  @Nullable Throwable recall(String key, CachePolicy policy, long now) {
    if (errors.isEmpty()) {
      return null;
    }
    Remembered remembered = errors.get(key);
    if (remembered == null || remembered.policy != policy) {
      return null;
    }
    if (now >= remembered.until) {
      errors.remove(key, remembered);
      return null;
    }
    return remembered.error;
  }

  void forget(Invalidation invalidation) {
    if (errors.isEmpty()) {
      return;
    }
    if (invalidation.scope() == Invalidation.Scope.KEY) {
      errors.remove(invalidation.target());
    } else {
      errors.entrySet().removeIf(e -> invalidation.covers(e.getKey(), e.getValue().tags));
    }
  }

  boolean isEmpty() {
    return errors.isEmpty();
  }

  int size() {
    return errors.size();
  }
}
