package io.reactivecache.redis.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * A {@code redis-server} child process on a port of its own, for tests that break things: it can be killed
 * (SIGKILL), stopped, restarted on the same port, paused (SIGSTOP) and resumed (SIGCONT).
 *
 * <p>Whatever it started it stops: {@link #close()} ends the process (resuming it first if it was paused), and a
 * JVM shutdown hook kills any process still alive if a test forgot. All methods block; call them from test
 * threads, never from Reactor's non-blocking threads.
 */
public final class RedisServerProcess implements AutoCloseable {
  private static final String HOST = "127.0.0.1";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(p -> {
      // A stopped (SIGSTOP) process ignores SIGTERM until continued; SIGKILL works on it regardless.
      p.destroyForcibly();
    }), "redis-server-reaper"));
  }

  private final Builder config;
  private final int port;
  private final Path logFile;
  private Process process;
  private boolean paused;

  private RedisServerProcess(Builder config) {
    this.config = config;
    this.port = config.port > 0 ? config.port : freePort();
    try {
      this.logFile = Files.createTempFile("redis-server-" + port + "-", ".log");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts a configuration.
   *
   * @return a builder for a plain, password-less server on a free port
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts a plain server on a free port.
   *
   * @return the started server
   */
  public static RedisServerProcess start() {
    return builder().start();
  }

  /**
   * Tells whether {@code redis-server} can be run from the PATH.
   *
   * @return true if {@code redis-server --version} succeeds
   */
  public static boolean available() {
    try {
      Process p = new ProcessBuilder("redis-server", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Finds a TCP port nobody listens on right now.
   *
   * @return the port
   */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Returns the host, always the loopback address. */
  public String host() {
    return HOST;
  }

  /** Returns the port the server listens on (the TLS port for a TLS server). */
  public int port() {
    return port;
  }

  /** Returns the operating-system process id of the running server. */
  public synchronized long pid() {
    return requireProcess().pid();
  }

  /** Returns where the server writes its log. */
  public Path logFile() {
    return logFile;
  }

  /**
   * Returns the URI a client uses: {@code redis://} or {@code rediss://}, with the ACL user and password if
   * configured. It contains the password: never print it.
   *
   * @return the URI
   */
  public String uri() {
    return uri(config.user, config.user != null ? config.userPassword : config.password);
  }

  /**
   * Returns a URI for given credentials.
   *
   * @param user the ACL user, or null
   * @param password the password, or null
   * @return the URI
   */
  public String uri(String user, String password) {
    StringBuilder uri = new StringBuilder(config.tls != null ? "rediss://" : "redis://");
    if (password != null) {
      if (user != null) {
        uri.append(user);
      }
      uri.append(':').append(password).append('@');
    }
    return uri.append(HOST).append(':').append(port).append("/0").toString();
  }

  /** Returns the TLS material this server was given, or null for a plain server. */
  public TlsMaterial tls() {
    return config.tls;
  }

  /** Tells whether the process is alive (it may be paused). */
  public synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  /**
   * Opens an admin connection (as the default user, with the admin password if one is set). On a TLS server it
   * trusts both test CAs and skips the host-name check, since some tests present wrong certificates on purpose.
   *
   * @return the connection; close it
   */
  public RespConnection admin() {
    SSLContext context = config.tls == null ? null
        : TlsMaterial.trusting(config.tls.caCert(), config.tls.untrustedCaCert());
    return RespConnection.open(HOST, port, context, false, null, config.password);
  }

  /**
   * Runs one admin command on a fresh connection.
   *
   * @param args the command
   * @return its reply
   */
  public Object command(String... args) {
    try (RespConnection admin = admin()) {
      return admin.command(args);
    }
  }

  /**
   * Counts the client connections the server has now, the admin connection used to ask excluded.
   *
   * @return the number of other clients
   */
  public int clientCount() {
    String list = (String) command("CLIENT", "LIST");
    return (int) list.lines().filter(line -> !line.isBlank()).count() - 1;
  }

  /**
   * Waits until the server has at most {@code max} other clients (closed connections take a moment to be
   * noticed), or the timeout passes.
   *
   * @param max the number of clients to get down to
   * @param timeout how long to wait at most
   * @return the last count seen
   */
  public int awaitClientCountAtMost(int max, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int count = clientCount();
    while (count > max && System.nanoTime() < deadline) {
      sleep(Duration.ofMillis(20));
      count = clientCount();
    }
    return count;
  }

  /** Kills the server with SIGKILL and waits until it is gone. */
  public synchronized void kill() {
    Process p = requireProcess();
    p.destroyForcibly();
    awaitExit(p);
    paused = false;
  }

  /** Stops the server (SHUTDOWN NOSAVE, then SIGKILL if it does not go) and waits until it is gone. */
  public synchronized void stop() {
    Process p = requireProcess();
    if (paused) {
      resume();
    }
    try {
      command("SHUTDOWN", "NOSAVE");
    } catch (RuntimeException expected) {
      // SHUTDOWN closes the connection instead of replying.
    }
    try {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
    awaitExit(p);
  }

  /** Starts the server again on the same port (after {@link #kill()} or {@link #stop()}), empty. */
  public synchronized void restart() {
    if (isAlive()) {
      throw new IllegalStateException("redis-server on port " + port + " is still running; kill or stop it first");
    }
    launch();
  }

  /** Suspends the process with SIGSTOP: connections stay open, nothing is answered. */
  public synchronized void pause() {
    signal("STOP");
    paused = true;
  }

  /** Continues a process suspended by {@link #pause()} with SIGCONT. */
  public synchronized void resume() {
    signal("CONT");
    paused = false;
  }

  @Override
  public synchronized void close() {
    if (process == null || !process.isAlive()) {
      return;
    }
    if (paused) {
      resume();
    }
    process.destroyForcibly();
    awaitExit(process);
  }

  @Override
  public String toString() {
    return "redis-server on " + HOST + ":" + port + (config.tls != null ? " (TLS)" : "");
  }

  private synchronized RedisServerProcess launch() {
    List<String> command = new ArrayList<>(List.of("redis-server"));
    if (config.sentinelConfig != null) {
      // Sentinel mode reads (and rewrites) its configuration file; the options below override what it says.
      command.addAll(List.of(config.sentinelConfig.toString(), "--sentinel"));
    }
    command.addAll(List.of("--bind", HOST, "--save", "",
        "--appendonly", "no", "--daemonize", "no", "--protected-mode", "no", "--logfile", logFile.toString()));
    if (config.tls != null) {
      command.addAll(List.of("--port", "0", "--tls-port", Integer.toString(port),
          "--tls-cert-file", config.tlsCert.toString(), "--tls-key-file", config.tlsKey.toString(),
          "--tls-ca-cert-file", config.tls.caCert().toString(), "--tls-auth-clients", "no"));
    } else {
      command.addAll(List.of("--port", Integer.toString(port)));
    }
    if (config.password != null) {
      command.addAll(List.of("--requirepass", config.password));
    }
    if (config.user != null) {
      command.addAll(List.of("--user", config.user, "on", ">" + config.userPassword, "~*", "&*", "+@all"));
    }
    if (config.maxmemory != null) {
      command.addAll(List.of("--maxmemory", config.maxmemory, "--maxmemory-policy", config.maxmemoryPolicy));
    }
    command.addAll(config.extraArgs);
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
      process = p;
      LIVE.add(p);
      p.onExit().thenRun(() -> LIVE.remove(p));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start redis-server (is it on the PATH?)", e);
    }
    awaitPing();
    return this;
  }

  private void awaitPing() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server on port " + port + " exited with " + process.exitValue()
            + "; log:\n" + readLog());
      }
      if (portOpen()) {
        try (RespConnection admin = admin()) {
          if ("PONG".equals(admin.command("PING"))) {
            return;
          }
        } catch (RuntimeException e) {
          last = e;
        }
      }
      sleep(Duration.ofMillis(20));
    }
    close();
    throw new IllegalStateException("redis-server on port " + port + " did not answer PING within "
        + START_TIMEOUT + "; log:\n" + readLog(), last);
  }

  private boolean portOpen() {
    try (Socket probe = new Socket()) {
      probe.connect(new InetSocketAddress(HOST, port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private String readLog() {
    try {
      return Files.readString(logFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private void signal(String signal) {
    long pid = requireProcess().pid();
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
      String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + pid + " failed: " + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private Process requireProcess() {
    if (process == null || !process.isAlive()) {
      throw new IllegalStateException("redis-server on port " + port + " is not running");
    }
    return process;
  }

  private static void awaitExit(Process p) {
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("redis-server pid " + p.pid() + " did not exit");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Configuration of a server; every option is off unless set. */
  public static final class Builder {
    private int port;
    private String password;
    private String user;
    private String userPassword;
    private String maxmemory;
    private String maxmemoryPolicy;
    private TlsMaterial tls;
    private Path sentinelConfig;
    private Path tlsCert;
    private Path tlsKey;
    private final List<String> extraArgs = new ArrayList<>();

    private Builder() {}

    /**
     * Listens on a given port instead of a free one.
     *
     * @param port the port
     * @return this builder
     */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /**
     * Protects the default user with a password ({@code requirepass}); admin commands use it.
     *
     * @param password the password
     * @return this builder
     */
    public Builder password(String password) {
      this.password = Objects.requireNonNull(password);
      return this;
    }

    /**
     * Adds an ACL user allowed everything; {@link #uri()} then names it.
     *
     * @param name the user
     * @param password its password
     * @return this builder
     */
    public Builder aclUser(String name, String password) {
      this.user = Objects.requireNonNull(name);
      this.userPassword = Objects.requireNonNull(password);
      return this;
    }

    /**
     * Limits memory.
     *
     * @param maxmemory the limit, in Redis syntax ({@code 2mb})
     * @param policy the policy, e.g. {@code noeviction}
     * @return this builder
     */
    public Builder maxmemory(String maxmemory, String policy) {
      this.maxmemory = Objects.requireNonNull(maxmemory);
      this.maxmemoryPolicy = Objects.requireNonNull(policy);
      return this;
    }

    /**
     * Serves TLS only, with the given certificate.
     *
     * @param material the CA (for admin connections) and certificates
     * @param cert the server certificate to present
     * @param key its key
     * @return this builder
     */
    public Builder tls(TlsMaterial material, Path cert, Path key) {
      this.tls = Objects.requireNonNull(material);
      this.tlsCert = Objects.requireNonNull(cert);
      this.tlsKey = Objects.requireNonNull(key);
      return this;
    }

    /**
     * Runs a sentinel ({@code redis-server <file> --sentinel}) instead of a data node. Sentinel rewrites the file
     * as it learns the topology, so it must be a writable file of this server's own.
     *
     * @param configFile the sentinel configuration ({@code sentinel monitor ...})
     * @return this builder
     */
    public Builder sentinel(Path configFile) {
      this.sentinelConfig = Objects.requireNonNull(configFile);
      return this;
    }

    /**
     * Passes more configuration to {@code redis-server} on its command line.
     *
     * @param args {@code --name value} pairs
     * @return this builder
     */
    public Builder extraArgs(String... args) {
      extraArgs.addAll(List.of(args));
      return this;
    }

    /**
     * Starts the server and waits until it answers PING.
     *
     * @return the running server
     */
    public RedisServerProcess start() {
      return new RedisServerProcess(this).launch();
    }
  }
}
