package io.reactivecache.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheManager;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.test.StepVerifier;

/** The Actuator health contributor (Spring Boot 4's health API). */
class ReactiveCacheHealthTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ReactiveCacheAutoConfiguration.class,
          ReactiveCacheHealthAutoConfiguration.class));

  @Test
  void upWithEachBackendInTheDetails() {
    runner.run(context -> StepVerifier.create(context.getBean(ReactiveCacheHealthIndicator.class).health())
        .assertNext(health -> {
          assertThat(health.getStatus()).isEqualTo(Status.UP);
          assertThat(health.getDetails()).containsEntry("memory", Map.of("status", "UP"));
        })
        .verifyComplete());
  }

  @Test
  void downWithTheReasonWhenRedisIsDownWithoutFallback() {
    deadRedis("none").run(context -> {
      CacheManager manager = context.getBean(CacheManager.class);
      StepVerifier.create(manager.put("k", "v")).expectError().verify(Duration.ofSeconds(10));
      StepVerifier.create(context.getBean(ReactiveCacheHealthIndicator.class).health())
          .assertNext(health -> {
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(reason(health, "shared")).isNotBlank().doesNotContain("secret");
          })
          .verifyComplete();
    });
  }

  @Test
  void degradedWhileTheMemoryFallbackServes() {
    deadRedis("memory").run(context -> {
      CacheManager manager = context.getBean(CacheManager.class);
      StepVerifier.create(manager.put("k", "v")).verifyComplete();
      StepVerifier.create(context.getBean(ReactiveCacheHealthIndicator.class).health())
          .assertNext(health -> {
            assertThat(health.getStatus()).isEqualTo(ReactiveCacheHealthIndicator.DEGRADED);
            assertThat(reason(health, "shared")).contains("fallback");
          })
          .verifyComplete();
    });
  }

  @Test
  void turnedOffByTheUsualManagementProperty() {
    runner.withPropertyValues("management.health.reactive-cache.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(ReactiveCacheHealthIndicator.class));
  }

  private ApplicationContextRunner deadRedis(String fallback) {
    return runner.withPropertyValues("reactive-cache.backends.shared.type=redis",
        "reactive-cache.backends.shared.redis.url=redis://app:secret@127.0.0.1:" + ClosedPort.find(),
        "reactive-cache.backends.shared.redis.connect-timeout=200ms",
        "reactive-cache.backends.shared.redis.retry-attempts=1",
        "reactive-cache.backends.shared.fallback=" + fallback);
  }

  @SuppressWarnings("unchecked")
  private static String reason(Health health, String backend) {
    return String.valueOf(((Map<String, Object>) health.getDetails().get(backend)).get("reason"));
  }
}
