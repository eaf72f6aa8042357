package io.reactivecache.spring.boot;

import io.reactivecache.CacheManager;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.cache.annotation.CachingConfigurer;
import org.springframework.cache.interceptor.CacheResolver;
import org.springframework.cache.interceptor.KeyGenerator;
import org.springframework.context.annotation.Bean;

/**
 * Spring's cache abstraction on reactive-cache: a {@link SpringCacheManager} (bean {@code cacheManager}) and a
 * {@link CachingConfigurer} that types each cache by the annotated method's return type, unless the application
 * defines its own Spring cache manager or sets {@code reactive-cache.spring-cache.enabled=false}.
 * {@code @EnableCaching} stays the application's choice. Runs before Spring Boot's cache auto-configuration (Boot 4
 * and Boot 3 class names), which then backs off.
 */
@AutoConfiguration(after = ReactiveCacheAutoConfiguration.class, beforeName = {
    "org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration",
    "org.springframework.boot.autoconfigure.cache.CacheAutoConfiguration"})
@ConditionalOnClass(org.springframework.cache.CacheManager.class)
@ConditionalOnBean(CacheManager.class)
@ConditionalOnMissingBean(org.springframework.cache.CacheManager.class)
@ConditionalOnProperty(prefix = "reactive-cache.spring-cache", name = "enabled", havingValue = "true",
    matchIfMissing = true)
public final class ReactiveCacheSpringCacheAutoConfiguration {
  /** Created by Spring. */
  public ReactiveCacheSpringCacheAutoConfiguration() {}

  @Bean
  SpringCacheManager cacheManager(CacheManager manager, ReactiveCacheProperties properties) {
    return new SpringCacheManager(manager, ReactiveCacheSetup.cacheSettings(properties),
        ReactiveCacheSetup.defaultPolicy(properties), properties.getSpringCache().isDynamic());
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
