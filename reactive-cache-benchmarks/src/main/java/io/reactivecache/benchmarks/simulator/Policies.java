package io.reactivecache.benchmarks.simulator;

import io.reactivecache.Strategy;
import io.reactivecache.memory.MemoryCacheBackend;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongFunction;

/** The policies the simulator knows, by the name printed in its tables. */
final class Policies {
  static final String OUR_LRU = "lru";
  static final String OUR_LFU = "lfu";
  static final String TEXTBOOK_LRU = "textbook-lru";
  static final String TEXTBOOK_LFU = "textbook-lfu";

  private Policies() {}

  /**
   * A fresh, modifiable map of policy name to a factory taking the cache's maximum size: our memory backend for
   * each strategy (named by the strategy's id), then the controls.
   */
  static Map<String, LongFunction<Policy>> all() {
    Map<String, LongFunction<Policy>> policies = new LinkedHashMap<>();
    for (Strategy strategy : Strategy.values()) {
      policies.put(strategy.id(), size -> new BackendPolicy(
          MemoryCacheBackend.builder().maximumSize(size).strategy(strategy).build()));
    }
    policies.put("caffeine", CaffeinePolicy::new);
    policies.put(TEXTBOOK_LRU, TextbookLru::new);
    policies.put(TEXTBOOK_LFU, TextbookLfu::new);
    return policies;
  }
}
