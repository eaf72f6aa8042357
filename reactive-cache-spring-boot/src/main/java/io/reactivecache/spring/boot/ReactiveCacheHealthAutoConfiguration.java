package io.reactivecache.spring.boot;

import io.reactivecache.CacheManager;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code reactiveCache} health contributor (Spring Boot 4's health API), turned off with
 * {@code management.health.reactive-cache.enabled=false}. On Spring Boot 3, whose health API lives in another
 * package, this configuration does not apply.
 */
@AutoConfiguration(after = ReactiveCacheAutoConfiguration.class,
    beforeName = "org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration")
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.ReactiveHealthIndicator")
@ConditionalOnBean(CacheManager.class)
@ConditionalOnEnabledHealthIndicator("reactive-cache")
public final class ReactiveCacheHealthAutoConfiguration {
  /** Created by Spring. */
  public ReactiveCacheHealthAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean(name = "reactiveCacheHealthIndicator")
  ReactiveCacheHealthIndicator reactiveCacheHealthIndicator(CacheManager manager) {
    return new ReactiveCacheHealthIndicator(manager);
  }
}
