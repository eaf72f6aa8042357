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
    call(right.put("k", entry(valueOf("k", 1))));
    assertThat(call(right.get("k", STRING)).get().value()).isEqualTo(valueOf("k", 1));
    assertThat(health(right).status()).isEqualTo(CacheHealth.Status.UP);
    assertThat(right.toString()).doesNotContain(SENTINEL_PASSWORD);

    for (RedisCacheBackend refused : new RedisCacheBackend[] {
        backend(redis.url(), b -> b.sentinelPassword(WRONG_PASSWORD)), backend(redis.url())}) {
      Outcome<?> outcome = call(refused.get("k", STRING));
      String messages = allMessages(outcome.backendError());
      CacheHealth health = health(refused);
      assertThat(health.status()).isEqualTo(CacheHealth.Status.DOWN);
      assertThat(health.reason()).contains("auth").contains("sentinelPassword");
      assertThat(messages).contains("sentinelPassword");
      for (String text : new String[] {messages, health.reason(), refused.toString()}) {
        assertThat(text).doesNotContain(SENTINEL_PASSWORD).doesNotContain(WRONG_PASSWORD);
      }
      figure("sentinel auth", "refused: failure seen by the caller", messages.lines().findFirst().orElse(""));
      figure("sentinel auth", "refused: health", health.reason());
    }
  }
}
