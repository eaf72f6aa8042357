package io.reactivecache.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The backend's circuit breaker, hammered from every non-blocking thread at once (as 64 concurrent Redis
 * replies do): Resilience4j's lock contention must not read as a blocking call under BlockHound, which the
 * build installs for every test.
 */
class RedisBlockHoundIntegrationTest {

  @Test
  void breakerBookkeepingUnderContentionIsNotABlockingCall() {
    RedisFailures failures =
        new RedisFailures(RedisCache.builder().url("redis://127.0.0.1:1/0").settings(), () -> {}, null);
    int threads = Math.max(4, Schedulers.DEFAULT_POOL_SIZE * 2);
    Long recorded = Flux.range(0, threads)
        .flatMap(i -> Mono.fromCallable(() -> {
          for (int n = 0; n < 50_000; n++) {
            failures.breaker().onSuccess(1, TimeUnit.NANOSECONDS);
            failures.breaker().getMetrics().getNumberOfSuccessfulCalls();
          }
          return 50_000L;
        }).subscribeOn(Schedulers.parallel()))
        .reduce(0L, Long::sum)
        .block(Duration.ofSeconds(60));
    assertThat(recorded).isEqualTo(threads * 50_000L);
  }
}
