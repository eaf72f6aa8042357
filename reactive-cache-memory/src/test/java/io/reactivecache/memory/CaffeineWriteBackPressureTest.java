package io.reactivecache.memory;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Caffeine's write back-pressure, met on a Reactor thread, is not a BlockHound error with the integration the memory
 * module ships: a writer that finds the write buffer full waits for the thread doing maintenance (Caffeine 3.3 takes
 * the eviction lock; 3.2 first spins with {@code Thread.onSpinWait}). Runs on the newest Caffeine here and on the
 * lowest supported one in {@code reactive-cache-compatibility-tests}; without {@code afterWrite} in the integration,
 * it fails on Caffeine 3.2.
 */
class CaffeineWriteBackPressureTest {
  private static final Duration BOUND = Duration.ofSeconds(30);

  @Test
  void aWriterFindingTheWriteBufferFullWaitsWithoutABlockHoundError() throws Exception {
    // Configured as the memory backend's store: size-bounded, maintenance on the writing thread.
    Cache<Integer, Integer> cache = Caffeine.newBuilder().maximumSize(100_000).executor(Runnable::run).build();
    ReentrantLock evictionLock = evictionLockOf(cache);
    CompletableFuture<Void> writes;
    evictionLock.lock(); // maintenance cannot run, so the write buffer fills and the writer must wait
    try {
      writes = Mono.<Void>fromRunnable(() -> {
        for (int i = 0; i < 10_000; i++) {
          cache.put(i, i);
        }
      }).subscribeOn(Schedulers.parallel()).toFuture();
      long deadline = System.nanoTime() + BOUND.toNanos();
      while (!evictionLock.hasQueuedThreads() && !writes.isDone() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(evictionLock.hasQueuedThreads() || writes.isDone()).as("the writer reached the full buffer").isTrue();
    } finally {
      evictionLock.unlock();
    }
    writes.get(BOUND.toSeconds(), TimeUnit.SECONDS); // throws the BlockingOperationError, if any
    assertThat(cache.estimatedSize()).isEqualTo(10_000);
  }

  /** Caffeine's eviction lock, the one maintenance holds (internal, so found by reflection). */
  private static ReentrantLock evictionLockOf(Cache<?, ?> cache) throws ReflectiveOperationException {
    Method bounded = cache.getClass().getDeclaredMethod("cache");
    bounded.setAccessible(true);
    Object local = bounded.invoke(cache);
    for (Class<?> type = local.getClass(); type != null; type = type.getSuperclass()) {
      try {
        Field lock = type.getDeclaredField("evictionLock");
        lock.setAccessible(true);
        return (ReentrantLock) lock.get(local);
      } catch (NoSuchFieldException notHere) {
        // declared by a superclass
      }
    }
    throw new AssertionError("no evictionLock in " + local.getClass() + ": Caffeine's internals changed");
  }
}
