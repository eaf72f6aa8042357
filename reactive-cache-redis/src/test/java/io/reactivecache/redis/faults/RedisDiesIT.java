package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheBackendException;
import io.reactivecache.CacheHealth;
import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.RedisServerProcess;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** docs/reliability.md row 1: Redis dies and stays down. */
class RedisDiesIT extends RedisFaultTest {
  private static final String ROW = "row 1 redis dies";

  @Test
  void callsStayBoundedTheBreakerOpensAndShortCircuitsAndHealthSaysDown() {
    RedisServerProcess server = startServer();
    RedisCacheBackend backend = backend(server.uri());
    List<String> keys = List.of("a", "b", "c", "d", "e", "f", "g", "h");
    for (String key : keys) {
      call(backend.put(key, entry(valueOf(key, 1))));
    }

    // Load from 16 concurrent callers while the server is killed under it. Each call starts on the load's own
    // thread, as requests arrive on a server's threads: once the breaker is open every call ends at once, and a
    // flatMap whose inner calls all end synchronously requests the next without end. Run that way, it never let go
    // of the Reactor parallel worker it happened to be on, and the retry backoff of the call under test, queued on
    // that worker, waited until 16 load calls were each parked in a backoff of their own, one per half-open
    // breaker probe: 16 breaker waits, the 17-28 s calls seen in CI.
    AtomicInteger wrongValues = new AtomicInteger();
    AtomicLong slowestNanos = new AtomicLong();
    AtomicInteger overBound = new AtomicInteger();
    ConcurrentLinkedQueue<String> strangeErrors = new ConcurrentLinkedQueue<>();
    AtomicInteger counter = new AtomicInteger();
    Scheduler callers = Schedulers.newSingle("load");
    Disposable load = Flux.range(0, Integer.MAX_VALUE)
        .flatMap(i -> timedGet(backend, keys.get(i % keys.size()), wrongValues, strangeErrors, slowestNanos,
            overBound, counter).subscribeOn(callers), 16)
        .subscribe();
    try {
      await("load running", Duration.ofSeconds(10), () -> counter.get() > 200);
      long killedAt = System.nanoTime();
      server.kill();

      Duration toDown = await("health DOWN after the kill", Duration.ofSeconds(10),
          () -> health(backend).status() == CacheHealth.Status.DOWN);
      await("a call short-circuited by the breaker", Duration.ofSeconds(10),
          () -> shortCircuited(call(backend.get("a", STRING)).error()));
      figure(ROW, "health DOWN after kill (ms)", toDown.toMillis());
      figure(ROW, "breaker open (first short-circuited call) after kill (ms)",
          Duration.ofNanos(System.nanoTime() - killedAt).toMillis());

      // Keep the load on a dead server for a while: every call still ends within its bound.
      int before = counter.get();
      sleep(Duration.ofMillis(1_500));
      assertThat(counter.get()).as("calls keep completing while Redis is dead").isGreaterThan(before);
    } finally {
      load.dispose();
      callers.dispose();
    }
    figure(ROW, "calls under load", counter.get());
    figure(ROW, "slowest call under load (ms)", Duration.ofNanos(slowestNanos.get()).toMillis());
    figure(ROW, "calls over the bound " + CALL_BOUND.toMillis() + " ms", overBound.get());
    figure(ROW, "wrong values served", wrongValues.get());
    assertThat(wrongValues).as("values of another key or version").hasValue(0);
    assertThat(overBound).as("calls over " + CALL_BOUND).hasValue(0);
    assertThat(strangeErrors).as("failures that are not CacheBackendException").isEmpty();

    CacheHealth health = health(backend);
    assertThat(health.status()).isEqualTo(CacheHealth.Status.DOWN);
    assertThat(health.reason()).as("health says why").isNotBlank();
  }

  @Test
  void noCommandQueueBuildsUpWhileRedisIsDown() {
    RedisServerProcess server = startServer();
    RedisCacheBackend backend = backend(server.uri());
    call(backend.put("k", entry(valueOf("k", 1))));
    server.kill();

    // 5,000 calls at once against a dead server: all of them end (rejected, not parked in a queue) within the
    // bound of one call, so nothing waits in memory for a reconnection that may never come.
    int calls = 5_000;
    long start = System.nanoTime();
    List<Boolean> ended = Flux.range(0, calls)
        .flatMap(i -> backend.get("k", STRING).map(e -> true)
            .onErrorResume(CacheBackendException.class, e -> Mono.just(true))
            .defaultIfEmpty(true), calls)
        .collectList()
        .block(CALL_BOUND.multipliedBy(2));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    figure(ROW, calls + " concurrent calls on a dead server all ended after (ms)", took.toMillis());
    assertThat(ended).hasSize(calls);
  }

  private static Mono<Void> timedGet(RedisCacheBackend backend, String key, AtomicInteger wrongValues,
      ConcurrentLinkedQueue<String> strangeErrors, AtomicLong slowestNanos, AtomicInteger overBound,
      AtomicInteger counter) {
    return Mono.defer(() -> {
      long start = System.nanoTime();
      return backend.get(key, STRING)
          .doOnNext(found -> {
            if (!found.value().equals(valueOf(key, 1))) {
              wrongValues.incrementAndGet();
            }
          })
          .then()
          .onErrorResume(e -> {
            if (!(e instanceof CacheBackendException)) {
              strangeErrors.add(e.toString());
            }
            return Mono.empty();
          })
          .doFinally(signal -> {
            long took = System.nanoTime() - start;
            slowestNanos.accumulateAndGet(took, Math::max);
            if (took > CALL_BOUND.toNanos()) {
              overBound.incrementAndGet();
            }
            counter.incrementAndGet();
          });
    });
  }
}
