package io.reactivecache;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Loader errors remembered for a policy's {@code errorTtl}, in this process only (an error is not a value to
 * share through a remote store). Bounded: past {@link #MAX_ERRORS} keys, new errors are not remembered. Internal.
 */
final class ErrorMemory {
  static final int MAX_ERRORS = 10_000;

  private record Remembered(Throwable error, long until) {}

  private final ConcurrentHashMap<String, Remembered> errors = new ConcurrentHashMap<>();

  void remember(String key, Throwable error, long until) {
    if (errors.size() < MAX_ERRORS) {
      errors.put(key, new Remembered(error, until));
    }
  }

  /** Returns the error still remembered for the key at {@code now}, or null; forgets it once past. */
  Throwable recall(String key, long now) {
    if (errors.isEmpty()) {
      return null;
    }
    Remembered remembered = errors.get(key);
    if (remembered == null) {
      return null;
    }
    if (now >= remembered.until) {
      errors.remove(key, remembered);
      return null;
    }
    return remembered.error;
  }

  boolean isEmpty() {
    return errors.isEmpty();
  }

  void forget(String key) {
    if (!errors.isEmpty()) {
      errors.remove(key);
    }
  }

  void forgetAll() {
    errors.clear();
  }
}
