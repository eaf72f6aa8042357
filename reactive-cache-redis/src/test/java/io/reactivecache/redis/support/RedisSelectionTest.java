package io.reactivecache.redis.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.redis.support.RedisSelection.Decision;
import io.reactivecache.redis.support.RedisSelection.Source;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The documented order in which the test support finds a Redis, over fake environments: each probe is asked only
 * when those before it found nothing. (The Testcontainers branch itself needs a Docker daemon, which this machine
 * does not have; only the decision to take it is tested here.)
 */
class RedisSelectionTest {

  /** A fake environment that records which probes were asked. */
  private static final class Fake implements RedisSelection.Probes {
    final List<String> asked = new ArrayList<>();
    String url;
    boolean server;
    boolean docker;
    boolean required;

    @Override
    public String redisUrl() {
      asked.add("REDIS_URL");
      return url;
    }

    @Override
    public boolean redisServerOnPath() {
      asked.add("redis-server");
      return server;
    }

    @Override
    public boolean dockerAvailable() {
      asked.add("docker");
      return docker;
    }

    @Override
    public boolean required() {
      asked.add("required");
      return required;
    }
  }

  @Test
  void redisUrlComesFirstAndNothingElseIsProbed() {
    Fake env = new Fake();
    env.url = "redis://10.0.0.5:6379";
    env.server = true;
    env.docker = true;
    assertThat(RedisSelection.decide(env)).isEqualTo(new Decision(Source.REDIS_URL, "redis://10.0.0.5:6379"));
    assertThat(env.asked).containsExactly("REDIS_URL");
  }

  @Test
  void aBlankRedisUrlCountsAsUnset() {
    Fake env = new Fake();
    env.url = "  ";
    env.server = true;
    assertThat(RedisSelection.decide(env).source()).isEqualTo(Source.REDIS_SERVER);
  }

  @Test
  void thenRedisServerFromThePathBeforeDocker() {
    Fake env = new Fake();
    env.server = true;
    env.docker = true;
    assertThat(RedisSelection.decide(env).source()).isEqualTo(Source.REDIS_SERVER);
    assertThat(env.asked).containsExactly("REDIS_URL", "redis-server");
  }

  @Test
  void thenTestcontainersWhereDockerAnswers() {
    Fake env = new Fake();
    env.docker = true;
    env.required = true;
    assertThat(RedisSelection.decide(env).source()).isEqualTo(Source.TESTCONTAINERS);
    assertThat(env.asked).containsExactly("REDIS_URL", "redis-server", "docker");
  }

  @Test
  void elseSkippedWithAMessageSayingHowToProvideOne() {
    Fake env = new Fake();
    Decision decision = RedisSelection.decide(env);
    assertThat(decision.source()).isEqualTo(Source.SKIP);
    assertThat(decision.detail()).contains("REDIS_URL").contains("redis-server").contains("Docker");
    assertThat(env.asked).containsExactly("REDIS_URL", "redis-server", "docker", "required");
  }

  @Test
  void orFailedWhenRedisIsRequired() {
    Fake env = new Fake();
    env.required = true;
    Decision decision = RedisSelection.decide(env);
    assertThat(decision.source()).isEqualTo(Source.FAIL);
    assertThat(decision.detail()).contains("REDIS_URL");
  }
}
