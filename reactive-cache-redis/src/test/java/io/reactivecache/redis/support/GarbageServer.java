package io.reactivecache.redis.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Something that is not Redis listening where Redis should be: it either answers every read with bytes that are
 * not RESP, or accepts connections and never answers. Plain daemon threads; {@link #close()} closes everything.
 */
public final class GarbageServer implements AutoCloseable {
  /** An HTTP-ish reply followed by binary noise: not a RESP type byte anywhere at the start. */
  private static final byte[] GARBAGE = ("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n\u0000\u0001\u00ff"
      + "<html>not redis</html>\r\n").getBytes(StandardCharsets.ISO_8859_1);

  private final ServerSocket listener;
  private final boolean silent;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private final Thread acceptor;
  private volatile boolean closed;

  private GarbageServer(int port, boolean silent) {
    this.silent = silent;
    try {
      listener = new ServerSocket();
      listener.setReuseAddress(true);
      listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on port " + port, e);
    }
    acceptor = new Thread(this::acceptLoop, "garbage-server-" + listener.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /**
   * Listens on a port and answers garbage to whatever a client sends.
   *
   * @param port the port, 0 for a free one
   * @return the running server
   */
  public static GarbageServer garbage(int port) {
    return new GarbageServer(port, false);
  }

  /**
   * Listens on a port, accepts connections and never writes a byte.
   *
   * @param port the port, 0 for a free one
   * @return the running server
   */
  public static GarbageServer silent(int port) {
    return new GarbageServer(port, true);
  }

  /** Returns the port. */
  public int port() {
    return listener.getLocalPort();
  }

  /** Returns how many connections it accepted. */
  public int acceptedConnections() {
    return accepted.get();
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException ignored) {
      // Already closed.
    }
    for (Socket socket : sockets) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // Already closed.
      }
    }
    // A listening socket closed while a thread is in accept() is released only when that thread leaves it; the
    // port is free for a real Redis only after that.
    TcpProxy.join(acceptor);
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket socket = listener.accept();
        accepted.incrementAndGet();
        sockets.add(socket);
        Thread thread = new Thread(() -> serve(socket), "garbage-server-" + port() + "-conn");
        thread.setDaemon(true);
        thread.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    byte[] buffer = new byte[8192];
    try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
      while (in.read(buffer) >= 0) {
        if (!silent) {
          out.write(GARBAGE);
          out.flush();
        }
      }
    } catch (IOException e) {
      // The client gave up: that is what the test waits for.
    } finally {
      sockets.remove(socket);
    }
  }
}
