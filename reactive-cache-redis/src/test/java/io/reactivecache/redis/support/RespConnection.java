package io.reactivecache.redis.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A minimal blocking RESP2 client for test set-up and fault injection (ACL, CLIENT PAUSE, CONFIG, raw writes of
 * poisoned payloads). It deliberately shares nothing with Lettuce, so the tests can act on the server even while
 * the client under test is broken. Test threads only: it blocks.
 */
public final class RespConnection implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private RespConnection(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /**
   * Opens a connection.
   *
   * @param host the host
   * @param port the port
   * @param tls the TLS context trusting the server's CA, or null for plain TCP
   * @param user the ACL user, or null for the default user
   * @param password the password, or null for none
   * @return the connection, authenticated
   */
  public static RespConnection open(String host, int port, SSLContext tls, String user, String password) {
    return open(host, port, tls, true, user, password);
  }

  /**
   * Opens a connection, choosing whether a TLS server's certificate must name {@code host}.
   *
   * @param host the host
   * @param port the port
   * @param tls the TLS context trusting the server's CA, or null for plain TCP
   * @param verifyHost whether to check the certificate's host names (off for admin connections to a server that
   *     presents a wrong-host certificate on purpose)
   * @param user the ACL user, or null for the default user
   * @param password the password, or null for none
   * @return the connection, authenticated
   */
  public static RespConnection open(String host, int port, SSLContext tls, boolean verifyHost, String user,
      String password) {
    try {
      Socket socket;
      if (tls == null) {
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), 2_000);
      } else {
        SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket();
        ssl.connect(new InetSocketAddress(host, port), 2_000);
        if (verifyHost) {
          SSLParameters params = ssl.getSSLParameters();
          params.setEndpointIdentificationAlgorithm("HTTPS");
          ssl.setSSLParameters(params);
        }
        ssl.startHandshake();
        socket = ssl;
      }
      socket.setSoTimeout(5_000);
      socket.setTcpNoDelay(true);
      RespConnection connection = new RespConnection(socket);
      try {
        if (password != null) {
          if (user == null) {
            connection.command("AUTH", password);
          } else {
            connection.command("AUTH", user, password);
          }
        }
      } catch (RuntimeException e) {
        connection.close();
        throw e;
      }
      return connection;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot connect to Redis at " + host + ":" + port, e);
    }
  }

  /**
   * Changes how long a read waits for the server.
   *
   * @param timeout the read timeout
   * @return this connection
   */
  public RespConnection readTimeout(java.time.Duration timeout) {
    try {
      socket.setSoTimeout((int) timeout.toMillis());
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sends one command and reads its reply.
   *
   * @param args the command and its arguments
   * @return a String, Long, List, or null; a RESP error is thrown as {@link RespException}
   */
  public Object command(String... args) {
    byte[][] bytes = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    return commandBytes(bytes);
  }

  /**
   * Sends one command made of raw byte arguments (for payloads that are not valid UTF-8) and reads its reply.
   *
   * @param args the command and its arguments
   * @return a String (bulk strings decoded as UTF-8), Long, List, or null
   */
  public Object commandBytes(byte[]... args) {
    try {
      send(args);
      return readReply();
    } catch (IOException e) {
      throw new UncheckedIOException("Redis command failed: " + new String(args[0], StandardCharsets.UTF_8), e);
    }
  }

  /**
   * Reads a value as raw bytes (GET of binary data, such as an envelope).
   *
   * @param key the key
   * @return the raw value, or null when the key does not exist
   */
  public byte[] getBytes(String key) {
    try {
      send("GET".getBytes(StandardCharsets.UTF_8), key.getBytes(StandardCharsets.UTF_8));
      String line = readLine();
      if (line.charAt(0) == '-') {
        throw new RespException(line.substring(1));
      }
      int length = Integer.parseInt(line.substring(1));
      if (length < 0) {
        return null;
      }
      byte[] data = in.readNBytes(length);
      readLine();
      return data;
    } catch (IOException e) {
      throw new UncheckedIOException("Redis GET failed", e);
    }
  }

  private void send(byte[]... args) throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    buffer.write(('*' + Integer.toString(args.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (byte[] arg : args) {
      buffer.write(('$' + Integer.toString(arg.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      buffer.write(arg);
      buffer.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    out.write(buffer.toByteArray());
    out.flush();
  }

  private Object readReply() throws IOException {
    String line = readLine();
    char type = line.charAt(0);
    String rest = line.substring(1);
    switch (type) {
      case '+':
        return rest;
      case '-':
        throw new RespException(rest);
      case ':':
        return Long.parseLong(rest);
      case '$': {
        int length = Integer.parseInt(rest);
        if (length < 0) {
          return null;
        }
        byte[] data = in.readNBytes(length);
        readLine();
        return new String(data, StandardCharsets.UTF_8);
      }
      case '*': {
        int count = Integer.parseInt(rest);
        if (count < 0) {
          return null;
        }
        List<Object> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          items.add(readReply());
        }
        return items;
      }
      default:
        throw new IOException("not a RESP reply: " + line);
    }
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int previous = -1;
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed by Redis");
      }
      if (previous == '\r' && b == '\n') {
        byte[] bytes = line.toByteArray();
        return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
      }
      line.write(b);
      previous = b;
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Closing a test connection that is already broken is not an error.
    }
  }

  /** An error reply from Redis. */
  public static final class RespException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RespException(String message) {
      super(message);
    }
  }
}
