package io.reactivecache.redis.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisServerProcessIT {

  @BeforeAll
  static void needsRedisServer() {
    RedisTestSupport.requireRedisServerBinary();
  }

  @Test
  void killThenRestartOnTheSamePort() {
    try (RedisServerProcess server = RedisServerProcess.start()) {
      int port = server.port();
      long firstPid = server.pid();
      assertThat(server.command("SET", "k", "v")).isEqualTo("OK");
      server.kill();
      assertThat(server.isAlive()).isFalse();
      assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class);
      server.restart();
      assertThat(server.port()).isEqualTo(port);
      assertThat(server.pid()).isNotEqualTo(firstPid);
      assertThat(server.command("GET", "k")).as("restarted empty").isNull();
    }
  }

  @Test
  void pauseStopsAnswersAndResumeBringsThemBack() {
    try (RedisServerProcess server = RedisServerProcess.start(); RespConnection admin = server.admin()) {
      server.pause();
      admin.readTimeout(Duration.ofMillis(300));
      assertThatThrownBy(() -> admin.command("PING")).isInstanceOf(UncheckedIOException.class);
      server.resume();
      admin.readTimeout(Duration.ofSeconds(5));
      // The PING sent while paused is answered first, then ours.
      assertThat(admin.command("PING")).isEqualTo("PONG");
    }
  }

  @Test
  void closeStopsAPausedServer() {
    RedisServerProcess server = RedisServerProcess.start();
    server.pause();
    server.close();
    assertThat(server.isAlive()).isFalse();
  }

  @Test
  void passwordAndAclUser() {
    try (RedisServerProcess server = RedisServerProcess.builder().password("admin-secret")
        .aclUser("app", "app-secret").start()) {
      assertThat(server.uri()).startsWith("redis://app:app-secret@127.0.0.1:");
      try (RespConnection app = RespConnection.open("127.0.0.1", server.port(), null, "app", "app-secret")) {
        assertThat(app.command("PING")).isEqualTo("PONG");
      }
      assertThatThrownBy(() -> RespConnection.open("127.0.0.1", server.port(), null, "app", "wrong"))
          .hasMessageContaining("WRONGPASS");
      assertThat(server.awaitClientCountAtMost(0, Duration.ofSeconds(5))).isZero();
    }
  }

  @Test
  void maxmemoryWithNoeviction() {
    try (RedisServerProcess server = RedisServerProcess.builder().maxmemory("1mb", "noeviction").start()) {
      assertThat(server.command("CONFIG", "GET", "maxmemory-policy").toString()).contains("noeviction");
    }
  }

  @Test
  void tlsWithAGeneratedCa(@TempDir Path dir) {
    RedisTestSupport.requireOpenssl();
    TlsMaterial tls = TlsMaterial.generate(dir);
    try (RedisServerProcess server = RedisServerProcess.builder().tls(tls, tls.serverCert(), tls.serverKey())
        .start()) {
      assertThat(server.uri()).startsWith("rediss://127.0.0.1:");
      assertThat(server.command("PING")).isEqualTo("PONG");
      assertThatThrownBy(() -> RespConnection.open("127.0.0.1", server.port(),
          TlsMaterial.trusting(tls.untrustedCaCert()), null, null)).isInstanceOf(UncheckedIOException.class);
    }
  }
}
