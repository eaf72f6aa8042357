package io.reactivecache.redis.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TcpProxyTest {
  private ServerSocket echo;
  private TcpProxy proxy;

  @BeforeEach
  void startEchoServerAndProxy() throws IOException {
    echo = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    Thread acceptor = new Thread(() -> {
      while (!echo.isClosed()) {
        try {
          Socket socket = echo.accept();
          Thread pump = new Thread(() -> {
            byte[] buffer = new byte[4096];
            try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
              int n;
              while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
              }
            } catch (IOException ignored) {
              // The test closed or reset the connection.
            }
          }, "echo-conn");
          pump.setDaemon(true);
          pump.start();
        } catch (IOException e) {
          return;
        }
      }
    }, "echo-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    proxy = TcpProxy.start("127.0.0.1", echo.getLocalPort());
  }

  @AfterEach
  void stop() throws IOException {
    proxy.close();
    echo.close();
  }

  @Test
  void forwardsBothWays() throws IOException {
    try (Socket client = connect()) {
      assertThat(roundTrip(client, "hello through the proxy")).isEqualTo("hello through the proxy");
    }
    assertThat(proxy.acceptedConnections()).isEqualTo(1);
  }

  @Test
  void slicedBytesArriveWholeAndInOrder() throws IOException {
    proxy.slice();
    String message = "a reply that arrives one byte at a time";
    try (Socket client = connect()) {
      assertThat(roundTrip(client, message)).isEqualTo(message);
    }
  }

  @Test
  void latencyStillForwards() throws IOException {
    proxy.latency(Duration.ofMillis(30));
    try (Socket client = connect()) {
      assertThat(roundTrip(client, "slow")).isEqualTo("slow");
    }
  }

  @Test
  void resetsAfterTheGivenNumberOfBytesThenPassesAgain() throws IOException {
    proxy.resetAfter(4);
    try (Socket client = connect()) {
      client.getOutputStream().write("0123456789".getBytes(StandardCharsets.US_ASCII));
      byte[] received = client.getInputStream().readNBytes(10);
      assertThat(new String(received, StandardCharsets.US_ASCII)).isEqualTo("0123");
    } catch (IOException resetWhileReading) {
      // A reset may also surface as an exception once the four bytes were read: both mean the same.
      assertThat(resetWhileReading).hasMessageContaining("reset");
    }
    assertThat(proxy.resets()).isEqualTo(1);
    try (Socket client = connect()) {
      assertThat(roundTrip(client, "after the reset")).isEqualTo("after the reset");
    }
  }

  @Test
  void frozenConnectionsStaySilentEvenAfterTheProxyThaws() throws IOException {
    try (Socket frozen = connect(); Socket fresh = connect()) {
      assertThat(roundTrip(frozen, "before")).isEqualTo("before");
      proxy.freeze();
      frozen.getOutputStream().write("lost".getBytes(StandardCharsets.US_ASCII));
      assertThatThrownBy(() -> frozen.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
      proxy.passThrough();
      frozen.getOutputStream().write("still lost".getBytes(StandardCharsets.US_ASCII));
      assertThatThrownBy(() -> frozen.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
      // A connection that saw no traffic while frozen works again, as does a new one.
      assertThat(roundTrip(fresh, "thawed")).isEqualTo("thawed");
    }
    try (Socket client = connect()) {
      assertThat(roundTrip(client, "new")).isEqualTo("new");
    }
  }

  @Test
  void flappingResetsConnectionsWhileDown() throws IOException {
    try (Socket client = connect()) {
      assertThat(roundTrip(client, "up")).isEqualTo("up");
      proxy.flap(Duration.ofSeconds(30));
      // The first phase is down: the open connection is reset and nothing comes back.
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (proxy.openConnections() > 0 && System.nanoTime() < deadline) {
        RedisServerProcess.sleep(Duration.ofMillis(10));
      }
      assertThat(proxy.openConnections()).isZero();
      assertThatThrownBy(() -> {
        client.getOutputStream().write("x".getBytes(StandardCharsets.US_ASCII));
        if (client.getInputStream().read() < 0) {
          throw new IOException("closed");
        }
      }).isInstanceOf(IOException.class);
    }
    proxy.passThrough();
  }

  @Test
  void closeEndsOpenConnections() throws IOException {
    try (Socket client = connect()) {
      assertThat(roundTrip(client, "x")).isEqualTo("x");
      proxy.close();
      assertThatThrownBy(() -> {
        client.getOutputStream().write("y".getBytes(StandardCharsets.US_ASCII));
        if (client.getInputStream().read() < 0) {
          throw new IOException("closed");
        }
      }).isInstanceOf(IOException.class);
    }
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", proxy.port());
    socket.setSoTimeout(500);
    return socket;
  }

  private static String roundTrip(Socket socket, String message) throws IOException {
    byte[] bytes = message.getBytes(StandardCharsets.US_ASCII);
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
    byte[] received = socket.getInputStream().readNBytes(bytes.length);
    return new String(Arrays.copyOf(received, received.length), StandardCharsets.US_ASCII);
  }
}
