package io.reactivecache.spring.boot;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.reactivecache.CacheManager;
import io.reactivecache.metrics.CacheMetrics;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer meters of the reactive-cache manager, in Micrometer's cache dialect ({@code cache.gets},
 * {@code cache.puts}, {@code cache.loads}, …; see {@link CacheMetrics}), tagged
 * {@code cache.manager=reactiveCacheManager} and {@code cache=<backend>}. Spring Boot's metrics auto-configuration
 * binds {@link MeterBinder} beans to every registry.
 */
@AutoConfiguration(after = ReactiveCacheAutoConfiguration.class)
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnBean(CacheManager.class)
public final class ReactiveCacheMetricsAutoConfiguration {
  /** Created by Spring. */
  public ReactiveCacheMetricsAutoConfiguration() {}

  @Bean
  MeterBinder reactiveCacheMetrics(CacheManager manager) {
    return CacheMetrics.binder(manager, Tag.of("cache.manager", ReactiveCacheAutoConfiguration.MANAGER_BEAN));
  }
}
