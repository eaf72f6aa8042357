package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.reactivecache.testing.MapCacheBackend;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** Each load runs inside an Observation, child of the caller's, that the loader can see: a trace shows a miss. */
class ObservedLoadsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Records every observation started and stopped. */
  private static final class Recorder implements ObservationHandler<Observation.Context> {
    final List<Observation.Context> started = new CopyOnWriteArrayList<>();
    final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();

    @Override
    public void onStart(Observation.Context context) {
      started.add(context);
    }

    @Override
    public void onStop(Observation.Context context) {
      stopped.add(context);
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
      return true;
    }
  }

  @Test
  void aMissIsObservedAroundItsLoadAndAHitIsNot() {
    Recorder recorder = new Recorder();
    ObservationRegistry registry = ObservationRegistry.create();
    registry.observationConfig().observationHandler(recorder);
    CacheManager manager = CacheManager.builder().backend(new MapCacheBackend("map", Schedulers.parallel(), null))
        .observationRegistry(registry).build();
    Cache<String> cache = manager.cache("users", String.class, CachePolicy.builder().ttl(Duration.ofMinutes(1))
        .build());
    Observation request = Observation.start("http.request", registry);
    Mono<String> loader = Mono.deferContextual(context -> {
      Observation current = context.get("micrometer.observation");
      return Mono.just("loaded inside " + current.getContext().getName());
    });
    StepVerifier.create(cache.get("k", loader).contextWrite(context -> context.put("micrometer.observation", request)))
        .expectNext("loaded inside cache.load").expectComplete().verify(WAIT);
    StepVerifier.create(cache.get("k", loader)).expectNext("loaded inside cache.load").expectComplete().verify(WAIT);
    request.stop();
    List<Observation.Context> loads = recorder.stopped.stream().filter(c -> c.getName().equals("cache.load"))
        .toList();
    assertThat(loads).hasSize(1);
    Observation.Context load = loads.get(0);
    assertThat(load.getParentObservation()).isSameAs(request);
    assertThat(load.getLowCardinalityKeyValue("cache").getValue()).isEqualTo("map");
    assertThat(load.getLowCardinalityKeyValue("outcome").getValue()).isEqualTo("success");
  }

  @Test
  void aFailedLoadIsObservedAsAFailure() {
    Recorder recorder = new Recorder();
    ObservationRegistry registry = ObservationRegistry.create();
    registry.observationConfig().observationHandler(recorder);
    Cache<String> cache = CacheManager.builder().backend(new MapCacheBackend("map", Schedulers.parallel(), null))
        .observationRegistry(registry).build().cache("users", String.class);
    StepVerifier.create(cache.get("k", Mono.error(new IllegalStateException("down")))).expectError().verify(WAIT);
    assertThat(recorder.stopped).singleElement().satisfies(context -> {
      assertThat(context.getError()).hasMessage("down");
      assertThat(context.getLowCardinalityKeyValue("outcome").getValue()).isEqualTo("failure");
    });
  }
}
