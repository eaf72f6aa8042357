package io.reactivecache.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.models.partitions.Partitions;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Lettuce's cluster client takes its in-memory locks on non-blocking threads; under BlockHound (which the build
 * installs for every test) a contended one must be waited for, not thrown out of. Thrown out of the lock that
 * closing a cluster connection takes, the error left the close's future for ever incomplete: a cluster backend's
 * {@code close()} hung for 90 s in a stress probe (and a CI teardown ran past 10 s). Each case holds the lock on the
 * test thread (another thread inside its critical section, as under load), runs the locking call on a Reactor
 * thread, and releases the lock: the call must then complete.
 */
class ClusterLocksUnderBlockHoundTest {
  private static final Duration BOUND = Duration.ofSeconds(30);

  @Test
  void closingTheClusterConnectionProviderWaitsForItsStateLock() throws Exception {
    RedisClusterClient client = RedisClusterClient.create(RedisURI.create("redis://127.0.0.1:1"));
    try {
      // Package-private in Lettuce, as is its listener type; the provider only calls the listener when routing.
      Class<?> type = Class.forName("io.lettuce.core.cluster.PooledClusterConnectionProvider");
      java.lang.reflect.Constructor<?> constructor = type.getConstructors()[0];
      constructor.setAccessible(true);
      Object provider = constructor.newInstance(client, null, RedisConnector.CODEC, null);
      java.lang.reflect.Method closeAsync = type.getMethod("closeAsync");
      closeAsync.setAccessible(true);
      Lock stateLock = (Lock) field(type, "stateLock").get(provider);
      Mono<String> close = Mono.fromCompletionStage(() -> {
        try {
          return (java.util.concurrent.CompletionStage<?>) closeAsync.invoke(provider);
        } catch (java.lang.reflect.InvocationTargetException e) {
          throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }).then(Mono.just("closed"));
      assertThat(whileHeld(stateLock, close)).isEqualTo("closed");
    } finally {
      client.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }

  @Test
  void updatingTheTopologyWaitsForThePartitionsLock() throws Exception {
    Partitions partitions = new Partitions();
    Lock lock = (Lock) field(Partitions.class, "lock").get(partitions);
    assertThat(whileHeld(lock, Mono.fromRunnable(partitions::updateCache).then(Mono.just("updated"))))
        .isEqualTo("updated");
  }

  /** Runs {@code call} on a Reactor thread while this thread holds {@code lock} for a moment. */
  private static String whileHeld(Lock lock, Mono<String> call) throws InterruptedException {
    lock.lock();
    Mono<String> running;
    try {
      running = call.subscribeOn(Schedulers.parallel()).onErrorResume(e -> Mono.just("failed: " + e)).cache();
      running.subscribe();
      // Long enough for the Reactor thread to reach the lock and wait (or, without the allowance, throw).
      Thread.sleep(300);
    } finally {
      lock.unlock();
    }
    return running.block(BOUND);
  }

  private static Field field(Class<?> type, String name) throws NoSuchFieldException {
    Field field = type.getDeclaredField(name);
    field.setAccessible(true);
    return field;
  }
}
