package io.reactivecache.spring.boot;

import io.reactivecache.ValueType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.springframework.aop.support.AopUtils;
import org.springframework.cache.Cache;
import org.springframework.cache.interceptor.CacheOperationInvocationContext;
import org.springframework.cache.interceptor.CacheResolver;
import org.springframework.core.MethodClassKey;
import org.springframework.core.ResolvableType;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Resolves each cache of an annotated method as a view typed by what the method returns: {@code Mono<X>} and
 * {@code CompletableFuture<X>} read {@code X}; {@code Flux<X>} reads {@code List<X>} (Spring caches a Flux as the
 * list of its elements). Type variables are resolved against the target class ({@code Mono<T>} in a generic base
 * class). Internal.
 *
 * <p>Deriving the type from the method, rather than configuring it per cache, keeps one source of truth: the
 * method's signature is what callers get, and a Redis payload is decoded into exactly that type (no type
 * information is stored in the payload, so none can be forged).
 */
final class ReturnTypeCacheResolver implements CacheResolver {
  private final SpringCacheManager manager;
  private final ConcurrentMap<MethodClassKey, ValueType<?>> types = new ConcurrentHashMap<>();

  ReturnTypeCacheResolver(SpringCacheManager manager) {
    this.manager = manager;
  }

  @Override
  public Collection<? extends Cache> resolveCaches(CacheOperationInvocationContext<?> context) {
    Class<?> targetClass = AopUtils.getTargetClass(context.getTarget());
    ValueType<?> type = types.computeIfAbsent(new MethodClassKey(context.getMethod(), targetClass),
        key -> valueType(ResolvableType.forMethodReturnType(context.getMethod(), targetClass)));
    List<Cache> caches = new ArrayList<>(context.getOperation().getCacheNames().size());
    for (String name : context.getOperation().getCacheNames()) {
      Cache cache = manager.getCache(name, type);
      if (cache == null) {
        throw SpringCacheManager.unknownCache(name);
      }
      caches.add(cache);
    }
    return caches;
  }

  static ValueType<?> valueType(ResolvableType returned) {
    Class<?> raw = returned.resolve(Object.class);
    if (Mono.class.isAssignableFrom(raw)) {
      return ValueType.ofType(concrete(returned.as(Mono.class).getGeneric(0)));
    }
    if (CompletionStage.class.isAssignableFrom(raw)) {
      return ValueType.ofType(concrete(returned.as(CompletionStage.class).getGeneric(0)));
    }
    if (Flux.class.isAssignableFrom(raw)) {
      ResolvableType element = ResolvableType.forType(concrete(returned.as(Flux.class).getGeneric(0)));
      return ValueType.ofType(ResolvableType.forClassWithGenerics(List.class, element).getType());
    }
    // A blocking method: its cache refuses synchronous reads with a message; the type does not matter.
    return ValueType.of(Object.class);
  }

  /** A type without type variables or wildcards: each is replaced by its resolution (else Object). */
  private static Type concrete(ResolvableType type) {
    Class<?> raw = type.resolve(Object.class);
    ResolvableType[] generics = type.getGenerics();
    if (generics.length == 0 || raw.getTypeParameters().length != generics.length) {
      return raw;
    }
    ResolvableType[] resolved = new ResolvableType[generics.length];
    for (int i = 0; i < generics.length; i++) {
      resolved[i] = ResolvableType.forType(concrete(generics[i]));
    }
    return ResolvableType.forClassWithGenerics(raw, resolved).getType();
  }
}
