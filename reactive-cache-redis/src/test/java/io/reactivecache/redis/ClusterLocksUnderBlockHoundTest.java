package io.reactivecache.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.protocol.ConnectionIntent;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.stream.IntStream;
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

  /**
   * Lettuce 6 takes the state lock in {@code getWriteConnection} itself, on the caller's thread (a non-blocking one
   * in a reactive pipeline); thrown out of it, the command failed ("Blocking call! Unsafe#park", the compatibility
   * run's TagRaceIT on Lettuce 6.6). The compatibility module runs this on Lettuce 6.6, where it fails without the
   * allowance. Lettuce 7 takes the lock only once the node's connection is open, which an unreachable node never is:
   * there the route simply fails to connect.
   */
  @Test
  void routingASlotsFirstCommandWaitsForTheStateLock() throws Exception {
    RedisURI unreachable = RedisURI.create("redis://127.0.0.1:1");
    RedisClusterClient client = RedisClusterClient.create(unreachable);
    try {
      Class<?> type = Class.forName("io.lettuce.core.cluster.PooledClusterConnectionProvider");
      java.lang.reflect.Constructor<?> constructor = type.getConstructors()[0];
      constructor.setAccessible(true);
      Object provider = constructor.newInstance(client, null, RedisConnector.CODEC, null);
      Partitions partitions = new Partitions();
      partitions.add(new RedisClusterNode(unreachable, "node-a", true, null, 0, 0, 0,
          IntStream.range(0, 16384).boxed().toList(), EnumSet.of(RedisClusterNode.NodeFlag.UPSTREAM)));
      java.lang.reflect.Method setPartitions = type.getMethod("setPartitions", Partitions.class);
      setPartitions.setAccessible(true);
      setPartitions.invoke(provider, partitions);
      java.lang.reflect.Method route = type.getMethod("getConnectionAsync", ConnectionIntent.class, int.class);
      route.setAccessible(true);
      Lock stateLock = (Lock) field(type, "stateLock").get(provider);
      Mono<String> routed = Mono.fromCompletionStage(() -> {
        try {
          return (java.util.concurrent.CompletionStage<?>) route.invoke(provider, ConnectionIntent.WRITE, 0);
        } catch (java.lang.reflect.InvocationTargetException e) {
          throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }).map(connection -> "routed");
      // Refused by the unreachable node is the expected end; what must not happen is the lock's wait thrown out.
      assertThat(whileHeld(stateLock, routed)).doesNotContain("Blocking call");
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
