package io.reactivecache.spring.boot;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.reactivecache.CacheManager;
import io.reactivecache.metrics.CacheMetrics;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cache.annotation.CachingConfigurer;
import org.springframework.cache.interceptor.CacheResolver;
import org.springframework.cache.interceptor.KeyGenerator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Sets up reactive-cache from the {@code reactive-cache.*} properties:
 *
 * <ul>
 *   <li>a {@link CacheManager} bean ({@code reactiveCacheManager}) with the configured backends, closed with the
 *       context, unless the application defines its own;</li>
 *   <li>Spring's {@link org.springframework.cache.CacheManager} ({@link SpringCacheManager}, bean
 *       {@code cacheManager}) and a {@link CachingConfigurer} typing each cache by the annotated method's return
 *       type, unless the application defines a Spring cache manager (or sets
 *       {@code reactive-cache.spring-cache.enabled=false}); {@code @EnableCaching} stays the application's choice;
 *   </li>
 *   <li>Micrometer meters ({@code cache.*}, tagged {@code cache.manager=reactiveCacheManager}) when Micrometer is
 *       on the class path.</li>
 * </ul>
 *
 * <p>Runs before Spring Boot's own cache auto-configuration (Boot 4 and Boot 3 class names), which then backs off.
 */
@AutoConfiguration(beforeName = {
    "org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration",
    "org.springframework.boot.autoconfigure.cache.CacheAutoConfiguration"})
@ConditionalOnClass(CacheManager.class)
@ConditionalOnProperty(prefix = "reactive-cache", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(ReactiveCacheProperties.class)
public final class ReactiveCacheAutoConfiguration {
  /** The bean name of the reactive-cache manager, also the {@code cache.manager} tag of its meters. */
  public static final String MANAGER_BEAN = "reactiveCacheManager";

  /** Created by Spring. */
  public ReactiveCacheAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean(CacheManager.class)
  ReactiveCacheSetup reactiveCacheSetup(ReactiveCacheProperties properties) {
    return ReactiveCacheSetup.create(properties);
  }

  @Bean(name = MANAGER_BEAN)
  @ConditionalOnBean(ReactiveCacheSetup.class)
  CacheManager reactiveCacheManager(ReactiveCacheSetup setup) {
    return setup.manager();
  }

  /** Spring's cache abstraction on reactive-cache. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(org.springframework.cache.CacheManager.class)
  @ConditionalOnBean(ReactiveCacheSetup.class)
  @ConditionalOnMissingBean(org.springframework.cache.CacheManager.class)
  @ConditionalOnProperty(prefix = "reactive-cache.spring-cache", name = "enabled", havingValue = "true",
      matchIfMissing = true)
  static class SpringCacheConfiguration {
    @Bean
    SpringCacheManager cacheManager(ReactiveCacheSetup setup, ReactiveCacheProperties properties) {
      return new SpringCacheManager(setup.manager(), setup.caches(), setup.defaultPolicy(),
          properties.getSpringCache().isDynamic());
    }

    @Bean
    @ConditionalOnMissingBean(CachingConfigurer.class)
    CachingConfigurer reactiveCacheCachingConfigurer(SpringCacheManager cacheManager) {
      return new CachingConfigurer() {
        @Override
        public CacheResolver cacheResolver() {
          return cacheManager.cacheResolver();
        }

        @Override
        public KeyGenerator keyGenerator() {
          return cacheManager.keyGenerator();
        }
      };
    }
  }

  /** Micrometer meters; a registry picks up {@link MeterBinder} beans (Spring Boot's metrics auto-configuration). */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterBinder.class)
  @ConditionalOnBean(ReactiveCacheSetup.class)
  static class MetricsConfiguration {
    @Bean
    MeterBinder reactiveCacheMetrics(ReactiveCacheSetup setup) {
      return CacheMetrics.binder(setup.manager(), Tag.of("cache.manager", MANAGER_BEAN));
    }
  }
}
