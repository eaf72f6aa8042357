package io.reactivecache.redis.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GarbageServerTest {

  @Test
  void answersSomethingThatIsNotResp() throws IOException {
    try (GarbageServer server = GarbageServer.garbage(0);
        Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(2_000);
      socket.getOutputStream().write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
      int first = socket.getInputStream().read();
      assertThat(first).isNotIn((int) '+', (int) '-', (int) ':', (int) '$', (int) '*', -1);
    }
  }

  @Test
  void silentServerAcceptsAndNeverAnswers() throws IOException {
    try (GarbageServer server = GarbageServer.silent(0);
        Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(300);
      socket.getOutputStream().write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
      assertThat(server.acceptedConnections()).isEqualTo(1);
    }
  }
}
