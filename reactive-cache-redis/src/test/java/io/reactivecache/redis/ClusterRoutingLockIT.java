package io.reactivecache.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.protocol.ConnectionIntent;
import io.reactivecache.redis.support.RedisTestSupport;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Routing a command to its slot's node takes the cluster client's state lock. On Lettuce 6 that happens in
 * {@code getWriteConnection} itself, on the caller's thread, which in a reactive pipeline is a non-blocking one;
 * under BlockHound a contended lock there must be waited for: thrown out of it, the command failed ("Blocking call!
 * Unsafe#park", the compatibility run's TagRaceIT on Lettuce 6.6). The lock is held on the test thread while a
 * Reactor thread routes the first command of a slot, then released: the route must complete. The compatibility
 * module runs this on Lettuce 6.6, where it fails without the allowance; on Lettuce 7, where the lock is taken only
 * in a callback once the node's connection is open, it passes with or without that callback's allowance (the
 * callback was not seen to wait here).
 */
class ClusterRoutingLockIT {
  private static final Duration BOUND = Duration.ofSeconds(30);

  @Test
  void routingTheFirstCommandOfASlotWaitsForTheStateLock() throws Exception {
    RedisURI redis = RedisURI.create(RedisTestSupport.redisUri());
    RedisClusterClient client = RedisClusterClient.create(redis);
    try {
      // Package-private in Lettuce, as is its listener type; the provider calls the listener only on failures.
      Class<?> type = Class.forName("io.lettuce.core.cluster.PooledClusterConnectionProvider");
      java.lang.reflect.Constructor<?> constructor = type.getConstructors()[0];
      constructor.setAccessible(true);
      Object provider = constructor.newInstance(client, null, RedisConnector.CODEC, null);
      // One node, the shared Redis, owning every slot: a node connection needs no cluster mode.
      Partitions partitions = new Partitions();
      partitions.add(new RedisClusterNode(redis, "node-a", true, null, 0, 0, 0,
          IntStream.range(0, 16384).boxed().toList(), EnumSet.of(RedisClusterNode.NodeFlag.UPSTREAM)));
      Method setPartitions = type.getMethod("setPartitions", Partitions.class);
      setPartitions.setAccessible(true);
      setPartitions.invoke(provider, partitions);
      Method route = type.getMethod("getConnectionAsync", ConnectionIntent.class, int.class);
      route.setAccessible(true);
      Lock stateLock = (Lock) field(type, "stateLock").get(provider);

      Mono<String> routed = Mono.fromCompletionStage(() -> {
        try {
          return (CompletionStage<?>) route.invoke(provider, ConnectionIntent.WRITE, 0);
        } catch (java.lang.reflect.InvocationTargetException e) {
          throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }).map(connection -> "routed");
      assertThat(whileHeld(stateLock, routed)).isEqualTo("routed");

      Method close = type.getMethod("close");
      close.setAccessible(true);
      close.invoke(provider);
    } finally {
      client.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }

  /** Runs {@code call} on a Reactor thread while this thread holds {@code lock} for a second. */
  private static String whileHeld(Lock lock, Mono<String> call) throws InterruptedException {
    lock.lock();
    Mono<String> running;
    try {
      running = call.subscribeOn(Schedulers.parallel()).onErrorResume(e -> Mono.just("failed: " + e)).cache();
      running.subscribe();
      Thread.sleep(1_000);
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
