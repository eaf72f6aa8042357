package io.reactivecache.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Which breaker a command goes through, against a topology built by hand (no Redis). */
class BreakersTest {
  private static final CircuitBreakerConfig CONFIG = CircuitBreakerConfig.custom()
      .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
      .slidingWindowSize(2)
      .minimumNumberOfCalls(2)
      .failureRateThreshold(100f)
      .waitDurationInOpenState(Duration.ofMinutes(1))
      .build();

  private static RedisClusterNode master(String id, int port, int firstSlot, int lastSlot) {
    List<Integer> slots = IntStream.rangeClosed(firstSlot, lastSlot).boxed().toList();
    return new RedisClusterNode(RedisURI.create("redis://127.0.0.1:" + port), id, true, null, 0, 0, 0, slots,
        EnumSet.of(RedisClusterNode.NodeFlag.UPSTREAM));
  }

  private static Partitions topology(RedisClusterNode... nodes) {
    Partitions partitions = new Partitions();
    for (RedisClusterNode node : nodes) {
      partitions.addPartition(node);
    }
    partitions.updateCache();
    return partitions;
  }

  /** A stored key whose slot is in [first, last]. */
  private static String keyIn(int first, int last) {
    for (int i = 0; ; i++) {
      String key = "ns:k" + i;
      int slot = RedisKeyLayout.slotOf(key);
      if (slot >= first && slot <= last) {
        return key;
      }
    }
  }

  private static void fail(CircuitBreaker breaker, int times) {
    for (int i = 0; i < times; i++) {
      breaker.onError(0, java.util.concurrent.TimeUnit.NANOSECONDS, new RuntimeException("down"));
    }
  }

  @Test
  void oneNodeHasOneBreakerForEveryKey() {
    Breakers breakers = new Breakers("redis", CONFIG, null);
    assertThat(breakers.forKey("ns:a")).isSameAs(breakers.backend()).isSameAs(breakers.forKey(null));
    assertThat(breakers.sickMasters()).isEmpty();
    assertThat(breakers.noMasterAnswers()).isFalse();
  }

  @Test
  void aClusterKeyGoesThroughTheBreakerOfTheMasterServingItsSlotAndNoTopologyMeansTheBackends() {
    AtomicReference<Partitions> current = new AtomicReference<>();
    Breakers breakers = new Breakers("redis", CONFIG, current::get);
    String low = keyIn(0, 8191);
    String high = keyIn(8192, 16383);
    assertThat(breakers.forKey(low)).as("not connected yet").isSameAs(breakers.backend());

    current.set(topology(master("a", 7001, 0, 8191), master("b", 7002, 8192, 16383)));
    CircuitBreaker first = breakers.forKey(low);
    assertThat(first.getName()).isEqualTo("redis@127.0.0.1:7001");
    assertThat(breakers.forKey(low)).isSameAs(first);
    assertThat(breakers.forKey(high).getName()).isEqualTo("redis@127.0.0.1:7002");
    assertThat(breakers.forKey(null)).as("a command over several masters").isSameAs(breakers.backend());
  }

  @Test
  void aDeadMastersOpenBreakerStopsOnlyItsSlotsAndItsReplicaPromotedGetsAFreshOne() {
    AtomicReference<Partitions> current = new AtomicReference<>(
        topology(master("a", 7001, 0, 8191), master("b", 7002, 8192, 16383)));
    Breakers breakers = new Breakers("redis", CONFIG, current::get);
    String low = keyIn(0, 8191);
    String high = keyIn(8192, 16383);
    fail(breakers.forKey(low), 2);

    assertThat(breakers.forKey(low).tryAcquirePermission()).isFalse();
    assertThat(breakers.forKey(high).tryAcquirePermission()).isTrue();
    assertThat(breakers.sickMasters()).extracting(Breakers.Sick::address).containsExactly("127.0.0.1:7001");
    assertThat(breakers.noMasterAnswers()).isFalse();

    // The replica of a takes its slots (a new node id); a, dead, keeps none.
    RedisClusterNode deadA = master("a", 7001, 0, -1);
    current.set(topology(deadA, master("a2", 7011, 0, 8191), master("b", 7002, 8192, 16383)));
    assertThat(breakers.forKey(low).getName()).isEqualTo("redis@127.0.0.1:7011");
    assertThat(breakers.forKey(low).tryAcquirePermission()).as("no wait for a's breaker").isTrue();
    assertThat(breakers.sickMasters()).as("a serves no slot any more").isEmpty();
  }

  @Test
  void everyMastersBreakerOpenIsNoMasterAnswering() {
    AtomicReference<Partitions> current = new AtomicReference<>(
        topology(master("a", 7001, 0, 8191), master("b", 7002, 8192, 16383)));
    Breakers breakers = new Breakers("redis", CONFIG, current::get);
    fail(breakers.forKey(keyIn(0, 8191)), 2);
    assertThat(breakers.noMasterAnswers()).as("b has not been called: it counts as answering").isFalse();
    fail(breakers.forKey(keyIn(8192, 16383)), 2);
    assertThat(breakers.noMasterAnswers()).isTrue();
    assertThat(breakers.sickMasters()).hasSize(2);
  }

  @Test
  void theBackendsBreakerForcedOpenOrDisabledByHandDecidesForEveryCall() {
    Breakers breakers = new Breakers("redis", CONFIG,
        () -> topology(master("a", 7001, 0, 8191), master("b", 7002, 8192, 16383)));
    String low = keyIn(0, 8191);
    breakers.backend().transitionToForcedOpenState();
    assertThat(breakers.forKey(low)).isSameAs(breakers.backend());
    assertThat(breakers.forKey(low).tryAcquirePermission()).isFalse();

    breakers.backend().transitionToDisabledState();
    assertThat(breakers.forKey(low)).isSameAs(breakers.backend());

    breakers.backend().transitionToClosedState();
    assertThat(breakers.forKey(low).getName()).isEqualTo("redis@127.0.0.1:7001");
  }

  @Test
  void theBreakersOfNodesThatLeftTheTopologyAreDropped() {
    AtomicReference<Partitions> current = new AtomicReference<>(topology(master("a", 7001, 0, 16383)));
    Breakers breakers = new Breakers("redis", CONFIG, current::get);
    String key = keyIn(0, 16383);
    CircuitBreaker ofA = breakers.forKey(key);

    current.set(topology(master("c", 7003, 0, 16383)));
    assertThat(breakers.forKey(key)).isNotSameAs(ofA);
    current.set(topology(master("a", 7001, 0, 16383)));
    assertThat(breakers.forKey(key)).as("a's old breaker was dropped with a").isNotSameAs(ofA);
  }
}
