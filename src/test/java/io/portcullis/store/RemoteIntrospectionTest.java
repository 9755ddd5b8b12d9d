package io.portcullis.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.portcullis.config.IntrospectionSettings;
import io.portcullis.testing.MutableClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The guard's introspection client against a real HTTP server standing in for a Portcullis node,
 * so every answer a node could give — and every way it can fail — is on the wire for real. The
 * guard against a real node is in GuardPluginIT.
 */
class RemoteIntrospectionTest {

  private static final String TOKEN = "tok-3Hq9.x_~+/=";
  private final MutableClock clock = new MutableClock();
  private final long now = MutableClock.START.getEpochSecond();
  private HttpServer node;
  private final AtomicInteger asked = new AtomicInteger();
  private final ConcurrentLinkedQueue<String> requests = new ConcurrentLinkedQueue<>();
  /** What the node answers next: status and body. */
  private final AtomicReference<Answer> answer = new AtomicReference<>();
  private RemoteIntrospection guard;

  private record Answer(int status, String body, long delayMillis) {}

  @BeforeEach
  void startNode() throws IOException {
    node = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    node.setExecutor(Executors.newCachedThreadPool());
    node.createContext("/introspect", this::answer);
    node.start();
  }

  @AfterEach
  void stop() {
    if (guard != null) {
      guard.close();
    }
    node.stop(0);
  }

  private void answer(HttpExchange exchange) throws IOException {
    asked.incrementAndGet();
    requests.add(exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("Authorization") + " "
        + exchange.getRequestHeaders().getFirst("Content-Type") + " "
        + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    Answer next = answer.get();
    try {
      Thread.sleep(next.delayMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    byte[] body = next.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(next.status(), body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  private RemoteIntrospection guard(long cacheSeconds, long timeoutMillis) {
    return guard(URI.create("http://127.0.0.1:" + node.getAddress().getPort() + "/introspect"), cacheSeconds,
        timeoutMillis);
  }

  private RemoteIntrospection guard(URI url, long cacheSeconds, long timeoutMillis) {
    guard = new RemoteIntrospection(new IntrospectionSettings(url, "orders api", "s3:cr&t", null,
        Duration.ofSeconds(cacheSeconds), Duration.ofMillis(timeoutMillis)), clock, name -> null);
    return guard;
  }

  private void nodeAnswers(String json) {
    answer.set(new Answer(200, json, 0));
  }

  private String active(long exp) {
    return """
        {"active": true, "scope": "orders read", "client_id": "app", "username": "alice", "token_type": "Bearer",
         "exp": %d, "iat": %d, "iss": "https://gw.example"}""".formatted(exp, now - 5);
  }

  @Test
  void anActiveAccessTokenComesBackAsTheNodeDescribesIt() {
    nodeAnswers(active(now + 600));

    AccessToken token = guard(0, 2000).findAccessToken(TOKEN).orElseThrow();

    assertEquals("app", token.clientId());
    assertEquals("alice", token.username());
    assertEquals("orders read", token.scope());
    assertEquals(now + 600, token.expiresAtEpochSecond());
    assertEquals(now - 5, token.issuedAtEpochSecond());
    // RFC 7662 §2.1 POST, RFC 6749 §2.3.1 Basic with both parts form-encoded first.
    String basic = Base64.getEncoder().encodeToString("orders+api:s3%3Acr%26t".getBytes(StandardCharsets.UTF_8));
    assertEquals("POST Basic " + basic + " application/x-www-form-urlencoded "
        + "token=tok-3Hq9.x_%7E%2B%2F%3D&token_type_hint=access_token", requests.peek());
  }

  @Test
  void inactiveAndRefreshTokensAreNoBearerTokensAndAreAskedAboutEveryTime() {
    RemoteIntrospection guard = guard(60, 2000);
    nodeAnswers("{\"active\": false}");
    assertEquals(Optional.empty(), guard.findAccessToken(TOKEN));
    assertEquals(Optional.empty(), guard.findAccessToken(TOKEN));
    assertEquals(2, asked.get(), "an inactive answer is not kept");

    nodeAnswers(active(now + 600).replace("\"Bearer\"", "\"refresh_token\""));
    assertEquals(Optional.empty(), guard.findAccessToken(TOKEN));

    nodeAnswers(active(now + 600).replace(", \"token_type\": \"Bearer\"", ""));
    assertEquals(Optional.empty(), guard.findAccessToken(TOKEN), "a token of unknown kind is no bearer token");

    nodeAnswers(active(now - 1));
    assertEquals(Optional.empty(), guard.findAccessToken(TOKEN), "the node says active, but exp has passed here");
  }

  @Test
  void anActiveAnswerIsKeptCacheSecondsAtMost() {
    RemoteIntrospection guard = guard(30, 2000);
    nodeAnswers(active(now + 3600));

    assertTrue(guard.findAccessToken(TOKEN).isPresent());
    clock.advanceSeconds(29);
    assertTrue(guard.findAccessToken(TOKEN).isPresent());
    assertEquals(1, asked.get(), "kept for 30 s");

    nodeAnswers("{\"active\": false}"); // revoked on the node meanwhile
    clock.advanceSeconds(1);
    assertEquals(Optional.empty(), guard.findAccessToken(TOKEN), "after cacheSeconds the node is asked again");
    assertEquals(2, asked.get());
  }

  @Test
  void anActiveAnswerIsNeverKeptPastTheTokensExpiry() {
    RemoteIntrospection guard = guard(300, 2000);
    nodeAnswers(active(now + 10));
    assertTrue(guard.findAccessToken(TOKEN).isPresent());

    clock.advanceSeconds(10);
    nodeAnswers("{\"active\": false}");
    assertEquals(Optional.empty(), guard.findAccessToken(TOKEN));
    assertEquals(2, asked.get(), "the entry ended with the token, not 300 s later");
  }

  @Test
  void withoutCacheSecondsEveryRequestAsks() {
    RemoteIntrospection guard = guard(0, 2000);
    nodeAnswers(active(now + 600));
    for (int i = 0; i < 3; i++) {
      assertTrue(guard.findAccessToken(TOKEN).isPresent());
    }
    assertEquals(3, asked.get());
  }

  @Test
  void refusedCredentialsSayWhatToCheckAndNeverShowTheToken() {
    answer.set(new Answer(401, "{\"error\": \"invalid_client\"}", 0));
    StoreUnavailableException refused = assertThrows(StoreUnavailableException.class,
        () -> guard(0, 2000).findAccessToken(TOKEN));
    assertTrue(refused.getMessage().contains("refused the guard's client credentials (HTTP 401)"), refused.getMessage());
    assertFalse(refused.getMessage().contains(TOKEN));
    assertFalse(refused.getMessage().contains("s3:cr&t"));
  }

  @Test
  void anythingButAWellFormedAnswerIsUnavailableNeverAPass() {
    RemoteIntrospection guard = guard(0, 2000);
    List<String> messages = new ArrayList<>();
    for (Answer bad : List.of(
        new Answer(500, "{}", 0),
        new Answer(503, "{\"error\": \"temporarily_unavailable\"}", 0),
        new Answer(302, "", 0),
        new Answer(200, "<html>login</html>", 0),
        new Answer(200, "[true]", 0),
        new Answer(200, "{\"active\": \"yes\"}", 0),
        new Answer(200, "{\"active\": true, \"scope\": \"orders\"}", 0),
        new Answer(200, "{\"active\": true, \"client_id\": \"app\", \"exp\": 1e400}", 0),
        new Answer(200, "{\"active\": true, \"pad\": \"" + "x".repeat(RemoteIntrospection.MAX_ANSWER_BYTES) + "\"}", 0))) {
      answer.set(bad);
      messages.add(assertThrows(StoreUnavailableException.class, () -> guard.findAccessToken(TOKEN),
          bad.toString().substring(0, Math.min(80, bad.toString().length()))).getMessage());
    }
    assertTrue(messages.get(0).endsWith("answered HTTP 500 instead of an introspection answer"), messages.get(0));
    assertTrue(messages.get(3).endsWith("answered something that is not JSON"), messages.get(3));
    assertTrue(messages.get(5).endsWith("answered without a boolean \"active\" (RFC 7662 section 2.2)"), messages.get(5));
    assertTrue(messages.get(6).endsWith("answered an active token without \"client_id\" and \"exp\""), messages.get(6));
    assertTrue(messages.get(8).endsWith("answered with more than 65536 bytes"), messages.get(8));
  }

  @Test
  void aNodeThatIsDownIsUnavailable() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    StoreUnavailableException down = assertThrows(StoreUnavailableException.class,
        () -> guard(URI.create("http://127.0.0.1:" + closedPort + "/introspect"), 0, 2000).findAccessToken(TOKEN));
    assertTrue(down.getMessage().contains("could not be reached"), down.getMessage());
  }

  /** A node that hangs holds none of many parallel requests past the timeout. */
  @Test
  void aSlowNodeHoldsNoRequestPastTheTimeout() throws Exception {
    answer.set(new Answer(200, active(now + 600), 3000));
    RemoteIntrospection guard = guard(0, 300);
    int parallel = 20;
    ExecutorService pool = Executors.newFixedThreadPool(parallel);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Long>> calls = new ArrayList<>();
    for (int i = 0; i < parallel; i++) {
      calls.add(pool.submit(() -> {
        start.await();
        long began = System.nanoTime();
        StoreUnavailableException slow = assertThrows(StoreUnavailableException.class,
            () -> guard.findAccessToken(TOKEN));
        assertTrue(slow.getMessage().contains("did not answer"), slow.getMessage());
        return (System.nanoTime() - began) / 1_000_000;
      }));
    }
    start.countDown();
    for (Future<Long> call : calls) {
      long millis = call.get();
      assertTrue(millis < 2000, "waited " + millis + " ms for a node configured to be given 300 ms");
    }
    pool.shutdownNow();
  }
}
