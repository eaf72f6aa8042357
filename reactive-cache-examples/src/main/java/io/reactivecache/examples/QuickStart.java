package io.reactivecache.examples;

import io.reactivecache.Cache;
import io.reactivecache.CacheManager;
import io.reactivecache.CachePolicy;
import io.reactivecache.Strategy;
import java.time.Duration;
import reactor.core.publisher.Mono;

public class QuickStart {
  record User(long id, String name) {}

  // Stands for your reactive repository or WebClient call.
  static Mono<User> findUser(long id) {
    return Mono.fromSupplier(() -> new User(id, "Ada")).delayElement(Duration.ofMillis(100));
  }

  public static void main(String[] args) {
    CacheManager manager = CacheManager.builder()
        .memory("memory", 10_000, Duration.ofMinutes(10), Strategy.TTL)
        .build();

    Cache<User> users = manager.cache("users", User.class, CachePolicy.builder()
        .ttl(Duration.ofMinutes(5))
        .staleWhileRevalidate(Duration.ofMinutes(1))
        .build());

    // One load however many subscribers miss at once; later subscribers get the cached value.
    Mono<User> user = findUser(42).transform(users.cachedMono("42"));

    System.out.println(user.block()); // loads
    System.out.println(user.block()); // served from the cache
    System.out.println(manager.stats().block());
  }
}
