package io.reactivecache.redis.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class RedisTestSupportIT {

  @Test
  void findsARedisThatAnswers() {
    URI uri = URI.create(RedisTestSupport.redisUri());
    assertThat(uri.getScheme()).isIn("redis", "rediss");
    if ("redis".equals(uri.getScheme())) {
      try (RespConnection connection = RespConnection.open(uri.getHost(), uri.getPort(), null, null, null)) {
        assertThat(connection.command("PING")).isEqualTo("PONG");
      }
    }
  }

  @Test
  void namespacesAreUnique() {
    assertThat(RedisTestSupport.newNamespace()).isNotEqualTo(RedisTestSupport.newNamespace());
  }

  @Test
  void redactDropsCredentials() {
    assertThat(RedisTestSupport.redact("redis://app:s3cret@127.0.0.1:6380/0"))
        .isEqualTo("redis://127.0.0.1:6380")
        .doesNotContain("s3cret");
  }
}
