package io.reactivecache.redis.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivecache.CacheHealth;
import io.reactivecache.redis.RedisCacheBackend;
import io.reactivecache.redis.support.RedisSentinelProcesses;
import org.junit.jupiter.api.Test;

/**
 * Sentinels that require a password ({@code requirepass}): the {@code sentinelPassword} option lets the backend
 * in; a wrong one fails calls with a {@code CacheBackendException} and health DOWN, and neither password appears in
 * any message, health reason or {@code toString()}.
 */
class SentinelAuthIT extends RedisFaultTest {
  private static final String SENTINEL_PASSWORD = "sentinel-Secret-9x8y";
  private static final String WRONG_PASSWORD = "wrong-Sentinel-7w6v";

  @Test
  void theSentinelPasswordOpensTheWayAndAWrongOneFailsWithoutLeakingEither() {
    RedisSentinelProcesses redis = closeLater(RedisSentinelProcesses.start(SENTINEL_PASSWORD));

    RedisCacheBackend right = backend(redis.url(), b -> b.sentinelPassword(SENTINEL_PASSWORD));
    // The first call connects, through Sentinel several steps (ask a sentinel, PING the nodes, subscribe to every
    // sentinel, connect to the master): outside the one-connect call bound; timed and recorded instead.
    long start = System.nanoTime();
    right.put("k", entry(valueOf("k", 1))).block(java.time.Duration.ofSeconds(30));
    figure("sentinel auth", "first call, connecting through Sentinel (ms)", (System.nanoTime() - start) / 1_000_000);
    assertThat(call(right.get("k", STRING)).get().value()).isEqualTo(valueOf("k", 1));
    assertThat(health(right).status()).isEqualTo(CacheHealth.Status.UP);
    assertThat(right.toString()).doesNotContain(SENTINEL_PASSWORD);

    for (RedisCacheBackend refused : new RedisCacheBackend[] {
        backend(redis.url(), b -> b.sentinelPassword(WRONG_PASSWORD)), backend(redis.url())}) {
      Outcome<?> outcome = call(refused.get("k", STRING));
      String messages = allMessages(outcome.backendError());
      assertThat(health(refused).status()).isEqualTo(CacheHealth.Status.DOWN);
      // Lettuce sometimes loses the sentinel's WRONGPASS reply in a race of its own (the sentinel closes the
      // connection during the handshake: "RedisHandshakeHandler not registered"); the next check sees the reply.
      CacheHealth[] seen = new CacheHealth[1];
      await("health says auth", java.time.Duration.ofSeconds(10), () -> {
        seen[0] = health(refused);
        return seen[0].reason().contains("auth");
      });
      CacheHealth health = seen[0];
      assertThat(health.status()).isEqualTo(CacheHealth.Status.DOWN);
      assertThat(health.reason()).contains("sentinelPassword");
      assertThat(messages).contains("sentinelPassword");
      for (String text : new String[] {messages, health.reason(), refused.toString()}) {
        assertThat(text).doesNotContain(SENTINEL_PASSWORD).doesNotContain(WRONG_PASSWORD);
      }
      figure("sentinel auth", "refused: failure seen by the caller", messages.lines().findFirst().orElse(""));
      figure("sentinel auth", "refused: health", health.reason());
    }
  }
}
