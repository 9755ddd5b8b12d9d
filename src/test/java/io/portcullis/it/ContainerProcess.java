package io.portcullis.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A servlet container running in a process of its own, with Portcullis deployed at one or more
 * context paths. Started on a free port; {@link #close()} always stops it (and a JVM shutdown
 * hook does, should a test run be cut short), and its output is kept in a log file for the
 * failure message.
 */
public final class ContainerProcess implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  private final String name;
  private final Process process;
  private final int port;
  private final Path log;
  private final Thread reaper;

  private ContainerProcess(String name, Process process, int port, Path log) {
    this.name = name;
    this.process = process;
    this.port = port;
    this.log = log;
    this.reaper = new Thread(this::kill, "stop " + name);
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /**
   * Starts {@code command} and waits until every context's token endpoint answers (405 to a GET:
   * Portcullis itself is up, not only the connector).
   */
  static ContainerProcess start(String name, List<String> command, Map<String, String> environment, Path workDir,
      int port, List<String> contextPaths) throws IOException, InterruptedException {
    Path log = workDir.resolve(name.replaceAll("[^A-Za-z0-9.-]", "_") + ".log");
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(environment);
    ContainerProcess container = new ContainerProcess(name, builder.start(), port, log);
    try {
      container.awaitReady(contextPaths);
      return container;
    } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
      container.close();
      throw e;
    }
  }

  private void awaitReady(List<String> contextPaths) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    for (String context : contextPaths) {
      URI probe = URI.create(url(context, OAuthClient.TOKEN));
      while (true) {
        if (!process.isAlive()) {
          throw new AssertionError(name + " exited with " + process.exitValue() + " before it was ready:\n" + logTail());
        }
        try {
          int status = http.send(HttpRequest.newBuilder(probe).GET().timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode();
          if (status == 405) {
            break;
          }
        } catch (IOException notYet) {
          // connection refused while the container starts: try again below
        }
        if (Instant.now().isAfter(deadline)) {
          throw new AssertionError(name + " did not serve " + probe + " within " + START_TIMEOUT + ":\n" + logTail());
        }
        Thread.sleep(200);
      }
    }
  }

  public String name() {
    return name;
  }

  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:port/context} + path; {@code "/"} is the root context. */
  public String url(String contextPath, String path) {
    return baseUrl(contextPath) + path;
  }

  public String baseUrl(String contextPath) {
    return "http://127.0.0.1:" + port + ("/".equals(contextPath) ? "" : contextPath);
  }

  /** Everything the container printed so far. */
  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String logTail() {
    String all = log();
    return all.length() > 6000 ? "…" + all.substring(all.length() - 6000) : all;
  }

  @Override
  public void close() {
    kill();
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run: nothing left to remove
    }
  }

  private void kill() {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    children.forEach(ProcessHandle::destroyForcibly);
  }

  /** A port nobody listens on right now. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
