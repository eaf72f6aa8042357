package io.reactivecache.examples;

import io.reactivecache.Cache;
import io.reactivecache.CacheManager;
import io.reactivecache.CachePolicy;
import io.reactivecache.CacheStats;
import io.reactivecache.Strategy;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * What the library is for, in one run: a slow repository behind a cache, a burst of concurrent requests for one key
 * served by one load, a stale entry served at once while it refreshes, an invalidation, and the stats.
 *
 * <p>Runs on the memory backend; on Redis when {@code REDIS_URL} is set and the Redis module is on the class path.
 */
public final class Demo {
  private Demo() {}

  /** A stand-in for a reactive repository (R2DBC, Mongo, WebClient): every call takes 300 ms. */
  static final class SlowUserRepository {
    final AtomicInteger calls = new AtomicInteger();
    final Map<Long, String> names = new ConcurrentHashMap<>(Map.of(42L, "Ada Lovelace"));

    Mono<User> findById(long id) {
      return Mono.delay(Duration.ofMillis(300))
          .map(tick -> new User(id, names.get(id), calls.incrementAndGet()));
    }
  }

  /**
   * A cached user.
   *
   * @param id the id
   * @param name the name
   * @param loadNumber which repository call produced it
   */
  public record User(long id, String name, int loadNumber) {}

  /**
   * Runs the demo.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    CacheManager manager = DemoBackends.manager();
    SlowUserRepository repository = new SlowUserRepository();
    Cache<User> users = manager.cache("users", User.class, CachePolicy.builder()
        .ttl(Duration.ofSeconds(1))
        .staleWhileRevalidate(Duration.ofSeconds(30))
        .build());

    say("backend: " + manager.backendNames() + " (" + DemoBackends.description() + ")");

    Mono<Void> demo = burst(users, repository)
        .then(staleWhileRevalidate(users, repository))
        .then(invalidation(users, repository))
        .then(users.clear())
        .then(manager.stats().doOnNext(Demo::printStats))
        .then(manager.close());
    // A command-line program must wait for its pipeline somewhere: here, on the main thread, once.
    demo.block(Duration.ofSeconds(30));
    Schedulers.shutdownNow();
  }

  private static Mono<Void> burst(Cache<User> users, SlowUserRepository repository) {
    return Mono.defer(() -> {
      say("1. 1,000 concurrent requests for user 42, nothing cached yet");
      long start = System.nanoTime();
      return Flux.range(0, 1_000)
          .flatMap(i -> users.get("42", repository.findById(42)), 1_000)
          .collectList()
          .doOnNext(all -> say("   %d answers, all '%s', in %d ms; repository calls: %d", all.size(),
              all.get(0).name(), elapsedMs(start), repository.calls.get()))
          .then();
    });
  }

  private static Mono<Void> staleWhileRevalidate(Cache<User> users, SlowUserRepository repository) {
    return Mono.delay(Duration.ofMillis(1_200)).then(Mono.defer(() -> {
      say("2. 1.2 s later the entry is stale (TTL 1 s, stale-while-revalidate 30 s); the name changed at the source");
      repository.names.put(42L, "Augusta Ada King");
      long start = System.nanoTime();
      return users.get("42", repository.findById(42))
          .doOnNext(user -> say("   served '%s' (load #%d) in %d ms: stale, at once; one refresh started",
              user.name(), user.loadNumber(), elapsedMs(start)))
          .then(Mono.delay(Duration.ofMillis(500)))
          .then(users.get("42", repository.findById(42)))
          .doOnNext(user -> say("   after the refresh: '%s' (load #%d); repository calls: %d", user.name(),
              user.loadNumber(), repository.calls.get()))
          .then();
    }));
  }

  private static Mono<Void> invalidation(Cache<User> users, SlowUserRepository repository) {
    return Mono.defer(() -> {
      say("3. the user is renamed and the cache entry invalidated");
      repository.names.put(42L, "Countess of Lovelace");
      return users.delete("42")
          .then(users.get("42", repository.findById(42)))
          .doOnNext(user -> say("   next read loads again: '%s' (load #%d)", user.name(), user.loadNumber()))
          .then();
    });
  }

  /** Prints the counters under their {@link CacheStats} accessor names, as the README's Stats table lists them. */
  private static void printStats(CacheStats stats) {
    say("4. stats: hits=%d misses=%d hitRate=%.1f%% loadSuccesses=%d coalescedLoads=%d staleServed=%d refreshes=%d"
        + " puts=%d", stats.hits(), stats.misses(), stats.hitRate() * 100, stats.loadSuccesses(),
        stats.coalescedLoads(), stats.staleServed(), stats.refreshes(), stats.puts());
  }

  private static long elapsedMs(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
  }

  private static void say(String format, Object... args) {
    System.out.println(args.length == 0 ? format : String.format(format, args));
  }
}
