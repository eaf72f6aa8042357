package io.reactivecache.redis.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisSentinelProcessesIT {

  @BeforeAll
  static void needsRedisServer() {
    RedisTestSupport.requireRedisServerBinary();
  }

  @Test
  void startsAKnownTopologyOnLoopbackAndStopsEveryProcessItStarted() {
    List<Long> pids = new ArrayList<>();
    try (RedisSentinelProcesses redis = RedisSentinelProcesses.start()) {
      Stream.concat(Stream.of(redis.master(), redis.replica()), redis.sentinels().stream())
          .forEach(process -> pids.add(process.pid()));
      assertThat(pids).hasSize(5).doesNotHaveDuplicates();
      assertThat(redis.currentMasterPort()).isEqualTo(redis.master().port());
      assertThat((String) redis.replica().command("INFO", "replication")).contains("role:slave");
      assertThat(redis.url()).startsWith("redis-sentinel://127.0.0.1:")
          .endsWith("/0#" + RedisSentinelProcesses.MASTER_NAME);
      for (RedisServerProcess sentinel : redis.sentinels()) {
        assertThat((List<?>) sentinel.command("SENTINEL", "SENTINELS", RedisSentinelProcesses.MASTER_NAME))
            .as("each sentinel knows the two others").hasSize(2);
      }
    }
    assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
        .as("pid " + pid + " after close").isEmpty());
  }

  @Test
  void sentinelsWithAPasswordRefuseAnyoneWithoutIt() {
    try (RedisSentinelProcesses redis = RedisSentinelProcesses.start("harness-Secret-1")) {
      RedisServerProcess sentinel = redis.sentinels().get(0);
      try (RespConnection anonymous = RespConnection.open(sentinel.host(), sentinel.port(), null, null, null)) {
        assertThatThrownBy(() -> anonymous.command("PING")).isInstanceOf(RespConnection.RespException.class)
            .hasMessageContaining("NOAUTH");
      }
      assertThat(sentinel.command("PING")).isEqualTo("PONG");
    }
  }
}
