package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** Proves BlockHound is installed for the test run: without it, every "never blocks" claim would be untested. */
class BlockHoundInstalledTest {
  @Test
  void blockingOnANonBlockingThreadIsDetected() {
    Mono<String> blocking = Mono.fromCallable(() -> {
      Thread.sleep(1);
      return "slept";
    }).subscribeOn(Schedulers.parallel());
    StepVerifier.create(blocking)
        .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(BlockingOperationError.class))
        .verify(Duration.ofSeconds(5));
  }
}
