package io.portcullis.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (the system's, from Debian's {@code redis-server} package, which
 * {@code bin/test} installs) on a free loopback port, in a directory of its own under
 * {@code target/}, without persistence. As a JUnit 5 extension in a static field it runs for the
 * test class:
 *
 * <pre>{@code
 * @RegisterExtension static final RedisServer redis = new RedisServer();
 * }</pre>
 *
 * Or started by hand ({@link #start()}, {@link #close()}) — also killed with SIGKILL and started
 * again on the same port, for fault tests. There is no skipping: without {@code redis-server} the
 * start fails and says what to install.
 */
public final class RedisServer implements TestProcess {

  private final List<String> extraArguments;
  /** Written to {@code redis.conf} in its directory at the first start, or {@code null}: none. */
  private final List<String> configLines;
  private int port;
  private Path dir;
  private Process process;

  public RedisServer(String... extraArguments) {
    this.extraArguments = List.of(extraArguments);
    this.configLines = null;
  }

  /** On a given port (a cluster node, whose bus port must be free as well). */
  public RedisServer(int port, String... extraArguments) {
    this(extraArguments);
    this.port = port;
  }

  /**
   * With a config file of its own (a sentinel, which needs one and rewrites it): written once, so
   * that what the server rewrote is what it reads again after {@link #kill()}.
   */
  RedisServer(List<String> configLines, String... extraArguments) {
    this.extraArguments = List.of(extraArguments);
    this.configLines = List.copyOf(configLines);
  }

  /** Starts on a free port (the first time) or on the port it had (after {@link #kill()}). */
  @Override
  public RedisServer start() throws IOException, InterruptedException {
    if (port == 0) {
      port = freePort();
    }
    if (dir == null) {
      dir = Files.createTempDirectory(Files.createDirectories(Path.of("target/redis-runs").toAbsolutePath()),
          "redis-" + port + "-");
    }
    List<String> command = new ArrayList<>(List.of(executable()));
    if (configLines != null) {
      Path config = dir.resolve("redis.conf");
      if (!Files.exists(config)) {
        Files.write(config, configLines);
      }
      command.add(config.toString());
    }
    command.addAll(List.of("--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
        "--logfile", dir.resolve("redis.log").toString()));
    command.addAll(extraArguments);
    process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("stdout.log").toFile()).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!answers()) {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server exited with " + process.exitValue() + "; see " + dir);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("redis-server did not answer on port " + port + " within 10 s");
      }
      Thread.sleep(20);
    }
    return this;
  }

  private static String executable() {
    for (String candidate : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    throw new IllegalStateException("the Redis tests need redis-server: bin/test installs it, or run "
        + "apt-get install -y redis-server redis-tools");
  }

  private boolean answers() {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(1000);
      socket.getOutputStream().write("PING\r\n".getBytes());
      byte[] reply = new byte[7];
      return socket.getInputStream().read(reply) > 0 && new String(reply).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  public int port() {
    return port;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  public Path dir() {
    return dir;
  }

  /** SIGKILL: the server vanishes mid-conversation, as in a crash. */
  public void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
