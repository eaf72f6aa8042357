package io.reactivecache.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reactivecache.CacheHealth;
import io.reactivecache.CacheManager;
import io.reactivecache.CachePolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.CachingConfigurer;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.test.StepVerifier;

/** What the auto-configuration sets up from properties, what it refuses, and what it leaves to the application. */
class ReactiveCacheAutoConfigurationTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ReactiveCacheAutoConfiguration.class,
          ReactiveCacheSpringCacheAutoConfiguration.class, ReactiveCacheMetricsAutoConfiguration.class));

  @Test
  void withNoPropertiesOneMemoryBackendBacksSpringsCacheAbstraction() {
    runner.run(context -> {
      assertThat(context).hasNotFailed();
      CacheManager manager = context.getBean(CacheManager.class);
      assertThat(manager.backendNames()).containsExactly("memory");
      assertThat(context).hasSingleBean(SpringCacheManager.class).hasSingleBean(CachingConfigurer.class)
          .hasSingleBean(MeterBinder.class);
      assertThat(context.getBean(org.springframework.cache.CacheManager.class))
          .isSameAs(context.getBean(SpringCacheManager.class));
    });
  }

  @Test
  void backendsDefaultBackendAndPoliciesAreBound() {
    runner.withPropertyValues(
        "reactive-cache.backends.small.maximum-size=10",
        "reactive-cache.backends.big.maximum-size=100000",
        "reactive-cache.backends.big.default-ttl=10m",
        "reactive-cache.backends.big.strategy=lru",
        "reactive-cache.default-backend=big",
        "reactive-cache.default-policy.ttl=1m",
        "reactive-cache.caches.products.backend=small",
        "reactive-cache.caches.products.stale-while-revalidate=30s",
        "reactive-cache.caches.products.ttl-jitter=0.1",
        "reactive-cache.caches.products.tags=product,catalog").run(context -> {
          assertThat(context).hasNotFailed();
          CacheManager manager = context.getBean(CacheManager.class);
          assertThat(manager.backendNames()).containsExactlyInAnyOrder("small", "big");
          assertThat(manager.defaultBackend().backendName()).isEqualTo("big");
          SpringCacheManager.CacheSettings products = ReactiveCacheSetup.cacheSettings(context.getBean(ReactiveCacheProperties.class))
              .get("products");
          assertThat(products.backend()).isEqualTo("small");
          // Unset options come from the default policy; set ones override it.
          assertThat(products.policy().ttl()).contains(Duration.ofMinutes(1));
          assertThat(products.policy().staleWhileRevalidate()).isEqualTo(Duration.ofSeconds(30));
          assertThat(products.policy().ttlJitter()).isEqualTo(0.1);
          assertThat(products.policy().tags()).containsExactlyInAnyOrder("product", "catalog");
          assertThat(context.getBean(SpringCacheManager.class).getCacheNames()).contains("products");
        });
  }

  @Test
  void earlyRefreshAndLoadTimeoutsAreBoundAndAnObservationRegistryIsUsed() {
    io.micrometer.observation.ObservationRegistry observations = io.micrometer.observation.ObservationRegistry.create();
    java.util.List<String> observed = new java.util.concurrent.CopyOnWriteArrayList<>();
    observations.observationConfig().observationHandler(new io.micrometer.observation.ObservationHandler<>() {
      @Override
      public void onStop(io.micrometer.observation.Observation.Context context) {
        observed.add(context.getName());
      }

      @Override
      public boolean supportsContext(io.micrometer.observation.Observation.Context context) {
        return true;
      }
    });
    runner.withBean(io.micrometer.observation.ObservationRegistry.class, () -> observations)
        .withPropertyValues(
            "reactive-cache.caches.products.early-refresh=1",
            "reactive-cache.caches.products.soft-timeout=200ms",
            "reactive-cache.caches.products.stale-if-error=1m",
            "reactive-cache.caches.products.load-timeout=2s").run(context -> {
              assertThat(context).hasNotFailed();
              CachePolicy policy = context.getBean(SpringCacheManager.class).getCache("products").getNativeCache()
                  instanceof io.reactivecache.Cache<?> view ? view.policy() : null;
              assertThat(policy).isNotNull();
              assertThat(policy.earlyRefresh()).isEqualTo(1.0);
              assertThat(policy.softTimeout()).isEqualTo(Duration.ofMillis(200));
              assertThat(policy.loadTimeout()).isEqualTo(Duration.ofSeconds(2));
              io.reactivecache.Cache<String> cache = context.getBean(CacheManager.class).cache("observed", String.class);
              assertThat(cache.get("k", reactor.core.publisher.Mono.just("v")).block(Duration.ofSeconds(10)))
                  .isEqualTo("v");
              assertThat(observed).contains("cache.load");
            });
    runner.withPropertyValues("reactive-cache.caches.products.early-refresh=-1").run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("reactive-cache.caches.products")
          .hasMessageContaining("earlyRefresh").hasMessageContaining("-1");
    });
  }

  @Test
  void aPolicyValueTheLibraryRefusesFailsStartUpNamingPropertyOptionAndValue() {
    runner.withPropertyValues("reactive-cache.caches.products.ttl-jitter=1.5").run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("reactive-cache.caches.products")
          .hasMessageContaining("ttlJitter").hasMessageContaining("1.5");
    });
    runner.withPropertyValues("reactive-cache.default-policy.stale-if-error=-1s").run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("reactive-cache.default-policy")
          .hasMessageContaining("staleIfError").hasMessageContaining("PT-1S");
    });
  }

  @Test
  void aValueThatDoesNotBindFailsStartUpNamingPropertyAndValue() {
    runner.withPropertyValues("reactive-cache.caches.products.ttl=five minutes").run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).hasStackTraceContaining("reactive-cache.caches.products.ttl")
          .hasStackTraceContaining("five minutes");
    });
    runner.withPropertyValues("reactive-cache.backends.main.type=memcached").run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).hasStackTraceContaining("reactive-cache.backends.main.type")
          .hasStackTraceContaining("memcached");
    });
  }

  @Test
  void inconsistentBackendSettingsFailStartUpNamingTheProperty() {
    runner.withPropertyValues("reactive-cache.caches.products.backend=nowhere").run(context ->
        assertThat(context.getStartupFailure()).rootCause()
            .hasMessageContaining("reactive-cache.caches.products.backend").hasMessageContaining("nowhere")
            .hasMessageContaining("[memory]"));
    runner.withPropertyValues("reactive-cache.backends.a.maximum-size=5", "reactive-cache.default-backend=b")
        .run(context -> assertThat(context.getStartupFailure()).rootCause()
            .hasMessageContaining("reactive-cache.default-backend").hasMessageContaining("b"));
    runner.withPropertyValues("reactive-cache.backends.a.redis.url=redis://localhost:6379").run(context ->
        assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("reactive-cache.backends.a")
            .hasMessageContaining("type=redis"));
    runner.withPropertyValues("reactive-cache.backends.a.maximum-size=0").run(context ->
        assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("reactive-cache.backends.a")
            .hasMessageContaining("maximumSize").hasMessageContaining("0"));
    runner.withPropertyValues("reactive-cache.backends.a.type=redis",
        "reactive-cache.backends.a.redis.command-timeout=0s").run(context ->
        assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("reactive-cache.backends.a")
            .hasMessageContaining("commandTimeout"));
  }

  @Test
  void topologyPropertiesReachTheRedisBackendAndAreChecked() {
    runner.withPropertyValues("reactive-cache.backends.a.redis.cluster-nodes=redis://127.0.0.1:7000").run(context ->
        assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("reactive-cache.backends.a")
            .hasMessageContaining("cluster-nodes").hasMessageContaining("type=redis"));
    runner.withPropertyValues("reactive-cache.backends.a.type=redis",
        "reactive-cache.backends.a.redis.url=redis://127.0.0.1:6379",
        "reactive-cache.backends.a.redis.cluster-nodes=redis://127.0.0.1:7000,redis://127.0.0.1:7001").run(context ->
        assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("reactive-cache.backends.a")
            .hasMessageContaining("'url'").hasMessageContaining("'clusterNodes'"));
    runner.withPropertyValues("reactive-cache.backends.a.type=redis",
        "reactive-cache.backends.a.redis.cluster-nodes=http://127.0.0.1:7000").run(context ->
        assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("reactive-cache.backends.a")
            .hasMessageContaining("clusterNodes").hasMessageContaining("http://127.0.0.1:7000"));
    runner.withPropertyValues("reactive-cache.backends.a.type=redis",
        "reactive-cache.backends.a.redis.url=redis://127.0.0.1:6379",
        "reactive-cache.backends.a.redis.sentinel-password=secret-of-the-sentinels").run(context -> {
          assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("reactive-cache.backends.a")
              .hasMessageContaining("sentinelPassword");
          assertThat(context.getStartupFailure()).rootCause().message().doesNotContain("secret-of-the-sentinels");
        });
    runner.withPropertyValues("reactive-cache.backends.a.type=redis",
        "reactive-cache.backends.a.redis.max-reconnect-delay=0s").run(context ->
        assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("reactive-cache.backends.a")
            .hasMessageContaining("maxReconnectDelay"));
  }

  @Test
  void backendsAreClosedWithTheContext() {
    CacheManager[] kept = new CacheManager[1];
    runner.withPropertyValues("reactive-cache.backends.a.maximum-size=5", "reactive-cache.backends.b.type=redis",
        "reactive-cache.backends.b.near-cache.enabled=true").run(context -> {
          kept[0] = context.getBean(CacheManager.class);
          StepVerifier.create(kept[0].backend("a").health()).expectNext(CacheHealth.up()).verifyComplete();
        });
    StepVerifier.create(kept[0].health())
        .assertNext(health -> {
          assertThat(health.get("a").status()).isEqualTo(CacheHealth.Status.DOWN);
          assertThat(health.get("a").reason()).contains("closed");
          // Redis behind its fallback and near cache: the composition reports the closed Redis as its reason.
          assertThat(health.get("b").status()).isNotEqualTo(CacheHealth.Status.UP);
          assertThat(health.get("b").reason()).contains("closed");
        })
        .verifyComplete();
  }

  @Test
  void metersAreBoundWithTheStandardNamesAndTheManagerTag() {
    runner.withUserConfiguration(Catalog.App.class).run(context -> {
      Catalog catalog = context.getBean(Catalog.class);
      catalog.find(1).block(Duration.ofSeconds(5));
      catalog.find(1).block(Duration.ofSeconds(5));
      MeterRegistry registry = new SimpleMeterRegistry();
      context.getBean(MeterBinder.class).bindTo(registry);
      assertThat(registry.get("cache.gets").tags("cache", "memory", "cache.manager", "reactiveCacheManager",
          "result", "hit").functionCounter().count()).isEqualTo(1.0);
      assertThat(registry.get("cache.loads").tags("cache.manager", "reactiveCacheManager", "result", "success")
          .functionCounter().count()).isEqualTo(1.0);
      assertThat(registry.get("cache.size").tag("cache.manager", "reactiveCacheManager").gauge()).isNotNull();
    });
  }

  @Test
  void theApplicationsOwnBeansWin() {
    runner.withUserConfiguration(OwnSpringCacheManager.class).run(context -> {
      assertThat(context).hasSingleBean(CacheManager.class);
      assertThat(context.getBean(org.springframework.cache.CacheManager.class))
          .isInstanceOf(ConcurrentMapCacheManager.class);
      assertThat(context).doesNotHaveBean(CachingConfigurer.class);
    });
    runner.withUserConfiguration(OwnManager.class).run(context -> {
      assertThat(context.getBean(CacheManager.class).backendNames()).containsExactly("mine");
      // Spring's cache abstraction and the meters then sit on the application's manager.
      assertThat(context).doesNotHaveBean(ReactiveCacheSetup.class).hasSingleBean(SpringCacheManager.class)
          .hasSingleBean(MeterBinder.class);
    });
    runner.withPropertyValues("reactive-cache.spring-cache.enabled=false").run(context -> {
      assertThat(context).hasSingleBean(CacheManager.class).doesNotHaveBean(SpringCacheManager.class);
    });
    runner.withPropertyValues("reactive-cache.enabled=false").run(context ->
        assertThat(context).doesNotHaveBean(CacheManager.class));
  }

  @Test
  void cacheNamesNotListedAreRefusedWhenDynamicCachesAreOff() {
    runner.withPropertyValues("reactive-cache.spring-cache.dynamic=false", "reactive-cache.caches.products.ttl=1m")
        .run(context -> {
          SpringCacheManager manager = context.getBean(SpringCacheManager.class);
          assertThat(manager.getCache("products")).isNotNull();
          assertThat(manager.getCache("other")).isNull();
          assertThat(manager.getCacheNames()).containsExactly("products");
        });
  }

  @Test
  void valueTypeTypesACacheUsedWithoutAMethod() {
    runner.withPropertyValues("reactive-cache.caches.products.value-type=" + Catalog.Product.class.getName())
        .run(context -> {
          org.springframework.cache.Cache cache = context.getBean(SpringCacheManager.class).getCache("products");
          @SuppressWarnings("unchecked")
          io.reactivecache.Cache<Object> view = (io.reactivecache.Cache<Object>) cache.getNativeCache();
          assertThat(view.name()).isEqualTo("products");
          assertThat(view.toString()).contains("type=" + Catalog.Product.class.getName());
        });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnSpringCacheManager {
    @Bean
    ConcurrentMapCacheManager cacheManager() {
      return new ConcurrentMapCacheManager();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnManager {
    @Bean
    CacheManager mine() {
      return CacheManager.builder().memory("mine", 10, null, null).build();
    }
  }
}
