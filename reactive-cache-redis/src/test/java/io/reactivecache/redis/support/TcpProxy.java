package io.reactivecache.redis.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-JVM TCP proxy between a client and a server, for injecting network faults: pass-through, added latency,
 * freeze (accept, forward nothing: a half-open connection), slicing (one byte per write), a reset after a number
 * of bytes, flapping (up and down in turns) and close.
 *
 * <p>It runs on plain daemon threads of its own (blocking sockets, two per connection), never on Reactor's
 * threads. The mode can be changed at any time and applies to connections already open.
 */
public final class TcpProxy implements AutoCloseable {
  private static final AtomicInteger IDS = new AtomicInteger();

  /** What the proxy does with the bytes it receives. */
  public enum Mode {
    /** Forward everything at once. */
    PASS,
    /** Forward after a delay per chunk. */
    LATENCY,
    /** Forward nothing; connections that see traffic while frozen stay dead for good. */
    FREEZE,
    /** Forward one byte per write. */
    SLICE,
    /** Up and down in turns; while down, connections are reset and new ones refused. */
    FLAP
  }

  private final int id = IDS.incrementAndGet();
  private final String targetHost;
  private final int targetPort;
  private final ServerSocket listener;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicLong resetBudget = new AtomicLong(-1);
  private final AtomicInteger resets = new AtomicInteger();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicLong bytesToClient = new AtomicLong();
  private volatile Mode mode = Mode.PASS;
  private volatile long latencyMillis;
  private volatile long flapPeriodMillis;
  private volatile long flapStartNanos;
  private final Thread acceptor;
  private volatile boolean closed;

  private TcpProxy(String targetHost, int targetPort, int listenPort) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    try {
      this.listener = new ServerSocket();
      listener.setReuseAddress(true);
      listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), listenPort));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    acceptor = daemon("tcp-proxy-" + id + "-accept", this::acceptLoop);
    acceptor.start();
  }

  /**
   * Starts a proxy on a free port.
   *
   * @param targetHost where to forward
   * @param targetPort its port
   * @return the running proxy, in pass-through mode
   */
  public static TcpProxy start(String targetHost, int targetPort) {
    return new TcpProxy(targetHost, targetPort, 0);
  }

  /** Returns the port clients connect to. */
  public int port() {
    return listener.getLocalPort();
  }

  /** Returns the current mode. */
  public Mode mode() {
    return mode;
  }

  /** Forwards everything at once (and stops flapping). */
  public void passThrough() {
    mode = Mode.PASS;
  }

  /**
   * Delays each chunk by a fixed time, in both directions.
   *
   * @param delay the delay
   */
  public void latency(Duration delay) {
    latencyMillis = delay.toMillis();
    mode = Mode.LATENCY;
  }

  /** Forwards nothing: connections stay open but silent, like a peer that vanished without a FIN. */
  public void freeze() {
    mode = Mode.FREEZE;
  }

  /** Forwards one byte per write (each flushed), so replies arrive in many TCP segments. */
  public void slice() {
    mode = Mode.SLICE;
  }

  /**
   * Resets (RST) the connection that carries the next {@code bytes + 1}-th byte towards the client, after
   * forwarding exactly {@code bytes} bytes; once. Counting starts now.
   *
   * @param bytes how many bytes still reach the client
   */
  public void resetAfter(long bytes) {
    resetBudget.set(bytes);
  }

  /**
   * Goes down and up in turns, each phase lasting {@code period}, starting with down.
   *
   * @param period the length of each phase
   */
  public void flap(Duration period) {
    flapPeriodMillis = Math.max(1, period.toMillis());
    flapStartNanos = System.nanoTime();
    mode = Mode.FLAP;
    daemon("tcp-proxy-" + id + "-flap", this::flapLoop).start();
  }

  /** Goes down until {@link #passThrough()}: open connections are reset, new ones refused. */
  public void down() {
    flap(Duration.ofDays(1));
  }

  /** Resets every open connection now; new connections are still accepted. */
  public void resetAll() {
    connections.forEach(Connection::reset);
  }

  /** Returns the number of connections accepted so far. */
  public int acceptedConnections() {
    return accepted.get();
  }

  /** Returns the number of connections open now. */
  public int openConnections() {
    return connections.size();
  }

  /** Returns how many resets {@link #resetAfter(long)} and flapping caused. */
  public int resets() {
    return resets.get();
  }

  /** Returns how many bytes went from the server to clients. */
  public long bytesToClient() {
    return bytesToClient.get();
  }

  /** Stops accepting and closes every connection. */
  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException ignored) {
      // Already closed.
    }
    connections.forEach(Connection::reset);
    join(acceptor);
  }

  static void join(Thread thread) {
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean flapDown() {
    long phase = (System.nanoTime() - flapStartNanos) / 1_000_000 / flapPeriodMillis;
    return phase % 2 == 0;
  }

  private void flapLoop() {
    boolean wasDown = false;
    while (!closed && mode == Mode.FLAP) {
      boolean down = flapDown();
      if (down && !wasDown) {
        connections.forEach(c -> {
          resets.incrementAndGet();
          c.reset();
        });
      }
      wasDown = down;
      RedisServerProcess.sleep(Duration.ofMillis(Math.max(1, Math.min(10, flapPeriodMillis / 10))));
    }
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return;
      }
      accepted.incrementAndGet();
      if (mode == Mode.FLAP && flapDown()) {
        hardClose(client);
        continue;
      }
      Socket server = new Socket();
      try {
        server.connect(new InetSocketAddress(targetHost, targetPort), 2_000);
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
      } catch (IOException e) {
        // Target down: the client sees its connection reset, as it would without the proxy.
        hardClose(client);
        hardClose(server);
        continue;
      }
      Connection connection = new Connection(client, server);
      connections.add(connection);
      connection.start();
    }
  }

  private static Thread daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    return thread;
  }

  private static void hardClose(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
    } catch (SocketException ignored) {
      // Not connected: a plain close is all there is.
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // Already closed.
    }
  }

  private final class Connection {
    private final Socket client;
    private final Socket server;
    private final int number = accepted.get();
    private volatile boolean dead;

    Connection(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }

    void start() {
      daemon("tcp-proxy-" + id + "-c" + number + "-up", () -> pump(client, server, false)).start();
      daemon("tcp-proxy-" + id + "-c" + number + "-down", () -> pump(server, client, true)).start();
    }

    void reset() {
      dead = true;
      hardClose(client);
      hardClose(server);
      connections.remove(this);
    }

    private void pump(Socket from, Socket to, boolean toClient) {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          if (!forward(buffer, n, out, toClient)) {
            return;
          }
        }
        // Orderly end of stream: pass the FIN on.
        to.shutdownOutput();
      } catch (IOException e) {
        reset();
      }
    }

    /** Returns false once this connection must not forward any more. */
    private boolean forward(byte[] buffer, int n, OutputStream out, boolean toClient) throws IOException {
      Mode current = mode;
      if (current == Mode.FREEZE || dead) {
        // A half-open connection never comes back: what it receives is swallowed from now on.
        dead = true;
        return true;
      }
      if (current == Mode.FLAP && flapDown()) {
        reset();
        return false;
      }
      if (current == Mode.LATENCY) {
        RedisServerProcess.sleep(Duration.ofMillis(latencyMillis));
      }
      int length = n;
      boolean resetAfterwards = false;
      if (toClient) {
        long budget = resetBudget.get();
        if (budget >= 0 && budget < n && resetBudget.compareAndSet(budget, -1)) {
          length = (int) budget;
          resetAfterwards = true;
        } else if (budget >= 0) {
          resetBudget.compareAndSet(budget, budget - n);
        }
      }
      if (current == Mode.SLICE) {
        for (int i = 0; i < length; i++) {
          out.write(buffer[i]);
          out.flush();
        }
      } else {
        out.write(buffer, 0, length);
        out.flush();
      }
      if (toClient) {
        bytesToClient.addAndGet(length);
      }
      if (resetAfterwards) {
        resets.incrementAndGet();
        reset();
        return false;
      }
      return true;
    }
  }
}
