package io.portcullis.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Slow, truncated and oversized request bodies, over raw sockets, against the WAR in embedded
 * Jetty 12 and in a real Tomcat 10.1 (both with their default 200 worker threads): a declared body
 * above the limit is 413 at once; a body that stops arriving is the endpoint's own 400 when the
 * deadline ({@code requestBodyTimeoutSeconds}, 2 s here) passes, never the container's page; and
 * hundreds of clients trickling bodies a byte at a time hold no thread, so everything else is
 * still answered.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowClientsIT {

  static final int DEADLINE_SECONDS = 2;
  static final String TOKEN = OAuthClient.TOKEN;

  static ConfigJson config() {
    return ConfigJson.grants().set("requestBodyTimeoutSeconds", DEADLINE_SECONDS)
        .set("throttling", JsonParser.parseString("{\"addressFailures\": 100000}"));
  }

  @RegisterExtension static final PortcullisServer jetty = PortcullisServer.deploy(config());
  private ContainerProcess tomcat;

  @BeforeAll
  void startTomcat() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target/container-runs").toAbsolutePath()),
        "slow-clients-");
    tomcat = TomcatContainer.unpack("10", dir).deployWithContextDescriptor("/", config().write(dir, "slow.json"))
        .start();
  }

  @AfterAll
  void stopTomcat() {
    if (tomcat != null) {
      tomcat.close();
    }
  }

  Stream<Arguments> containers() {
    return Stream.of(Arguments.of("Jetty 12", jetty.port()), Arguments.of("Tomcat 10.1", tomcat.port()));
  }

  /** A connection that sent {@code head} (with a Content-Length) and {@code bodyStart}, and then nothing. */
  static Socket send(int port, String path, long contentLength, String contentType, String bodyStart)
      throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(15_000);
    OutputStream out = socket.getOutputStream();
    out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: " + contentType
        + "\r\nContent-Length: " + contentLength + "\r\n\r\n" + bodyStart).getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return socket;
  }

  /**
   * The response, head and body, as text: read until its Content-Length is complete or the server
   * closes. Containers keep a connection open after a refusal for a while, swallowing the rest of
   * the body, so end of stream cannot be waited for.
   */
  static String readAll(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    try {
      int n;
      while (!complete(bytes.toByteArray()) && (n = in.read(buffer)) > 0) {
        bytes.write(buffer, 0, n);
      }
    } catch (java.net.SocketException reset) {
      // the server closed after answering: what came is the answer
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static boolean complete(byte[] response) {
    String head = new String(response, StandardCharsets.ISO_8859_1);
    int end = head.indexOf("\r\n\r\n");
    if (end < 0) {
      return false;
    }
    java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)\r\ncontent-length: *(\\d+)")
        .matcher(head.substring(0, end));
    return length.find() && response.length - end - 4 >= Integer.parseInt(length.group(1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void aDeclaredBodyAboveTheLimitIs413AtOnce(String container, int port) throws Exception {
    try (Socket socket = send(port, TOKEN, 10_000_000, "application/x-www-form-urlencoded", "")) {
      socket.setSoTimeout(5_000); // "at once": long before any deadline
      String response = readAll(socket);
      assertTrue(response.startsWith("HTTP/1.1 413"), container + ": " + response);
      assertTrue(response.contains("\"error\":\"invalid_request\""), response);
    }
    try (Socket socket = send(port, OAuthClient.AUTHORIZE, 10_000_000, "application/x-www-form-urlencoded", "")) {
      socket.setSoTimeout(5_000);
      String response = readAll(socket);
      assertTrue(response.startsWith("HTTP/1.1 413"), container + ": " + response);
      assertTrue(response.contains("text/html"), response);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void aBodyThatStopsArrivingIsTheEndpointsOwn400AfterTheDeadline(String container, int port) throws Exception {
    long start = System.nanoTime();
    try (Socket token = send(port, TOKEN, 1000, "application/x-www-form-urlencoded", "grant_type=client");
         Socket authorize = send(port, OAuthClient.AUTHORIZE, 1000, "application/x-www-form-urlencoded", "transac")) {
      String tokenResponse = readAll(token);
      String authorizeResponse = readAll(authorize);
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      assertTrue(tokenResponse.startsWith("HTTP/1.1 400"), container + ": " + tokenResponse);
      assertTrue(tokenResponse.contains("\"error\":\"invalid_request\""), tokenResponse);
      assertTrue(tokenResponse.contains("did not arrive within " + DEADLINE_SECONDS + " seconds"), tokenResponse);
      assertTrue(authorizeResponse.startsWith("HTTP/1.1 400"), container + ": " + authorizeResponse);
      assertTrue(authorizeResponse.contains("did not arrive within " + DEADLINE_SECONDS + " seconds"),
          authorizeResponse);
      assertTrue(seconds < 10, "answered after " + seconds + " s, not at the deadline");
      for (String response : List.of(tokenResponse, authorizeResponse)) {
        assertFalse(response.contains("Exception") || response.contains("io.portcullis."), response);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void aBodyCutOffByTheClientNeverGetsTheContainersPage(String container, int port) throws Exception {
    try (Socket socket = send(port, TOKEN, 1000, "application/x-www-form-urlencoded", "grant_type=client")) {
      socket.shutdownOutput(); // the body ends here, short of its declared length
      String response;
      try {
        response = readAll(socket);
      } catch (SocketTimeoutException e) {
        throw new AssertionError(container + " neither answered nor closed", e);
      }
      // Whether anyone hears the answer depends on the container; what it says does not.
      assertTrue(response.isEmpty() || response.startsWith("HTTP/1.1 400"), container + ": " + response);
      assertFalse(response.contains("Exception") || response.contains("io.portcullis."), response);
    }
  }

  /**
   * Where a slow body may be sent: an endpoint that reads bodies, and places that answer without
   * reading them — a public route, a refused guarded route, metadata, an operations endpoint, a
   * request refused for arriving over plain HTTP (its forwarded scheme from an untrusted client).
   */
  Stream<Arguments> tricklingTargets() {
    List<String[]> targets = List.of(new String[] {TOKEN, ""}, new String[] {"/health", ""},
        new String[] {"/api/orders", ""}, new String[] {"/.well-known/oauth-authorization-server", ""},
        new String[] {"/portcullis/health/live", ""}, new String[] {"/api/orders", "X-Forwarded-Proto: http"});
    return containers().flatMap(container -> targets.stream().map(target -> Arguments.of(container.get()[0],
        container.get()[1], target[0], target[1])));
  }

  /**
   * 250 connections — more than either container's 200 worker threads — each trickling a
   * 16,000-byte body a byte at a time: the server still answers everyone else, whether the body
   * goes to an endpoint that reads it or to a place that answers without it (left to the
   * container, that body would be swallowed on a worker thread, as slowly as it comes).
   */
  @ParameterizedTest(name = "{0}: POST {2} {3}")
  @MethodSource("tricklingTargets")
  void clientsTricklingBodiesHoldNoThreads(String container, int port, String path, String header) throws Exception {
    whileTrickling(port, path, header, () -> {
      OAuthClient client = new OAuthClient("http://127.0.0.1:" + port);
      java.net.http.HttpResponse<String> health = client.http().send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create("http://127.0.0.1:" + port + "/health")).timeout(java.time.Duration.ofSeconds(5))
          .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, health.statusCode(), container);
      java.net.http.HttpResponse<String> token = client.http().send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create("http://127.0.0.1:" + port + TOKEN)).timeout(java.time.Duration.ofSeconds(5))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .header("Authorization", OAuthClient.basic(ConfigJson.SERVICE, ConfigJson.SERVICE_SECRET))
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, token.statusCode(), container + ": " + token.body());
      if (!path.equals(TOKEN)) {
        // Where nobody reads the body, its sender has the answer at once, not after the drain.
        try (Socket one = send(port, path, 16_000,
            "application/x-www-form-urlencoded" + (header.isEmpty() ? "" : "\r\n" + header), "g")) {
          one.setSoTimeout(DEADLINE_SECONDS * 1000 - 500);
          byte[] status = one.getInputStream().readNBytes(12);
          assertTrue(new String(status, StandardCharsets.ISO_8859_1).matches("HTTP/1\\.1 [245]\\d\\d"),
              container + ": " + new String(status, StandardCharsets.ISO_8859_1));
        }
      }
      // Past the body deadline, with the clients still trickling: the drains gave up, and the
      // container did not take over reading what still comes on its worker threads.
      Thread.sleep(DEADLINE_SECONDS * 1000L + 1500);
      java.net.http.HttpResponse<String> later = client.http().send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create("http://127.0.0.1:" + port + "/health")).timeout(java.time.Duration.ofSeconds(5))
          .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, later.statusCode(), container);
    });
  }

  /** What a test checks while the slow clients are at work. */
  @FunctionalInterface
  interface Check {
    void run() throws Exception;
  }

  /**
   * Runs {@code check} while 250 connections — more than either container's 200 worker threads —
   * each trickle a 16,000-byte form body to {@code path} a byte every 200 ms, with {@code header}
   * (a header line, or empty) among their headers.
   */
  static void whileTrickling(int port, String path, String header, Check check) throws Exception {
    List<Socket> slow = new ArrayList<>();
    ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    try {
      for (int i = 0; i < 250; i++) {
        slow.add(send(port, path, 16_000,
            "application/x-www-form-urlencoded" + (header.isEmpty() ? "" : "\r\n" + header), "g"));
      }
      trickle.scheduleAtFixedRate(() -> {
        for (Socket socket : slow) {
          try {
            socket.getOutputStream().write('a');
          } catch (IOException closedByTheDeadline) {
            // the server gave up on it: as it should
          }
        }
      }, 200, 200, TimeUnit.MILLISECONDS);
      Thread.sleep(500); // every slow connection has reached the server and is waiting for its body
      check.run();
    } finally {
      trickle.shutdownNow();
      for (Socket socket : slow) {
        socket.close();
      }
    }
  }
}
