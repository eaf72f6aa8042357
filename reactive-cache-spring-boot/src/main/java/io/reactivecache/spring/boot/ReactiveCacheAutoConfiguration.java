package io.reactivecache.spring.boot;

import io.micrometer.observation.ObservationRegistry;
import io.reactivecache.CacheManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import reactor.core.scheduler.Scheduler;

/**
 * Sets up reactive-cache from the {@code reactive-cache.*} properties:
 *
 * a {@link CacheManager} bean ({@code reactiveCacheManager}) with the configured backends, closed with the context,
 * unless the application defines its own. {@link ReactiveCacheSpringCacheAutoConfiguration} puts Spring's cache
 * abstraction on it, {@link ReactiveCacheMetricsAutoConfiguration} its meters and
 * {@link ReactiveCacheHealthAutoConfiguration} its health.
 */
@AutoConfiguration
@ConditionalOnClass(CacheManager.class)
@ConditionalOnProperty(prefix = "reactive-cache", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(ReactiveCacheProperties.class)
public final class ReactiveCacheAutoConfiguration {
  /** The bean name of the reactive-cache manager, also the {@code cache.manager} tag of its meters. */
  public static final String MANAGER_BEAN = "reactiveCacheManager";

  /**
   * The name of an optional {@link Scheduler} bean the manager reads time from (default
   * {@code Schedulers.parallel()}); tests give a {@code VirtualTimeScheduler} to step through TTLs.
   */
  public static final String CLOCK_BEAN = "reactiveCacheClock";

  /** Created by Spring. */
  public ReactiveCacheAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean(CacheManager.class)
  ReactiveCacheSetup reactiveCacheSetup(ReactiveCacheProperties properties,
      @Qualifier(CLOCK_BEAN) ObjectProvider<Scheduler> clock, ObjectProvider<ObservationRegistry> observations) {
    // With an ObservationRegistry (Actuator's, or the application's), every load runs inside an Observation
    // "cache.load", child of the request's: a trace shows a miss and its load.
    return ReactiveCacheSetup.create(properties, clock.getIfAvailable(), observations.getIfUnique());
  }

  @Bean(name = MANAGER_BEAN)
  @ConditionalOnBean(ReactiveCacheSetup.class)
  CacheManager reactiveCacheManager(ReactiveCacheSetup setup) {
    return setup.manager();
  }
}
