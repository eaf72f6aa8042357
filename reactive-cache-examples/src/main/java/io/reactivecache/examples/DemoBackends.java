package io.reactivecache.examples;

import io.reactivecache.CacheConfigurationException;
import io.reactivecache.CacheManager;
import io.reactivecache.Strategy;
import java.time.Duration;
import java.util.Map;

/** Chooses the demo's backend: Redis when {@code REDIS_URL} is set and the Redis module is present, else memory. */
final class DemoBackends {
  private static String description = "memory (Caffeine), the embedded default";

  private DemoBackends() {}

  static CacheManager manager() {
    String redisUrl = System.getenv("REDIS_URL");
    if (redisUrl != null && !redisUrl.isBlank()) {
      try {
        CacheManager manager = CacheManager.builder()
            .backend("redis", "redis", Map.of("url", redisUrl, "namespace", "reactive-cache-demo",
                "commandTimeout", "PT2S", "fallback", "memory"))
            .build();
        description = "Redis from REDIS_URL, memory fallback while it fails";
        return manager;
      } catch (CacheConfigurationException e) {
        System.out.println("REDIS_URL is set but Redis cannot be used (" + e.getMessage() + "); using memory");
      }
    }
    return CacheManager.builder().memory("memory", 10_000, Duration.ofMinutes(10), Strategy.TTL).build();
  }

  static String description() {
    return description;
  }
}
