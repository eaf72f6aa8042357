package io.reactivecache.spring.boot;

import io.reactivecache.CacheHealth;
import io.reactivecache.CacheManager;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Status;
import reactor.core.publisher.Mono;

/**
 * Actuator health from {@link CacheManager#health()}: {@code UP} when every backend is up, {@code DOWN} when one is
 * down, else {@code DEGRADED} (serving, for example from the memory fallback while Redis is down) — a status of
 * its own that Actuator maps to HTTP 200 by default, so an instance serving from its fallback is not restarted.
 * Details: each backend's status and reason (reasons never hold secrets). Internal.
 */
final class ReactiveCacheHealthIndicator implements ReactiveHealthIndicator {
  /** Serving, but not as configured. */
  static final Status DEGRADED = new Status("DEGRADED");

  private final CacheManager manager;

  ReactiveCacheHealthIndicator(CacheManager manager) {
    this.manager = manager;
  }

  @Override
  public Mono<Health> health() {
    return manager.health().map(backends -> {
      Status status = Status.UP;
      Map<String, Object> details = new LinkedHashMap<>();
      for (Map.Entry<String, CacheHealth> backend : backends.entrySet()) {
        CacheHealth health = backend.getValue();
        if (health.status() == CacheHealth.Status.DOWN) {
          status = Status.DOWN;
        } else if (health.status() == CacheHealth.Status.DEGRADED && status == Status.UP) {
          status = DEGRADED;
        }
        details.put(backend.getKey(), health.reason().isEmpty() ? Map.of("status", health.status().name())
            : Map.of("status", health.status().name(), "reason", health.reason()));
      }
      return Health.status(status).withDetails(details).build();
    });
  }
}
