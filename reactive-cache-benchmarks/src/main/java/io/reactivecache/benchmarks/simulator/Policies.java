package io.reactivecache.benchmarks.simulator;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongFunction;

/** The policies the simulator knows, by the name printed in its tables. */
final class Policies {
  static final String OUR_LRU = "lru";
  static final String TEXTBOOK_LRU = "textbook-lru";

  private Policies() {}

  /** A fresh, modifiable map of policy name to a factory taking the cache's maximum size. */
  static Map<String, LongFunction<Policy>> all() {
    Map<String, LongFunction<Policy>> policies = new LinkedHashMap<>();
    policies.put("caffeine", CaffeinePolicy::new);
    policies.put(TEXTBOOK_LRU, TextbookLru::new);
    return policies;
  }
}
