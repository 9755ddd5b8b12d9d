package io.portcullis.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up (DESIGN 1.2): no location, an unreadable or an invalid config keeps the webapp from
 * starting at all, and the error names the file, the JSON path and the problem.
 */
class StartupIT {

  @TempDir Path dir;

  /** What a failed start left: the bootstrap's message (found in the cause chain) and the log. */
  record Failure(String message, List<String> log) {}

  static Failure startFails(Path config) {
    try (LogCapture log = LogCapture.start()) {
      Exception thrown = assertThrows(Exception.class, () -> {
        try (PortcullisServer server = PortcullisServer.start(config, "/")) {
          throw new AssertionError("the webapp started (available: " + server.isAvailable() + ")");
        }
      });
      String message = bootstrapMessage(thrown);
      List<String> severe = log.records().stream()
          .filter(r -> r.getLevel().intValue() >= Level.SEVERE.intValue())
          .map(r -> r.getMessage())
          .toList();
      return new Failure(message, severe);
    }
  }

  /** Jetty wraps what the listener threw; the IllegalStateException with the message is in the chain. */
  static String bootstrapMessage(Throwable thrown) {
    List<Throwable> seen = new ArrayList<>();
    List<Throwable> todo = new ArrayList<>(List.of(thrown));
    while (!todo.isEmpty()) {
      Throwable t = todo.remove(0);
      if (t == null || seen.contains(t)) {
        continue;
      }
      seen.add(t);
      if (t instanceof IllegalStateException && t.getMessage() != null && t.getMessage().contains("Portcullis")) {
        return t.getMessage();
      }
      todo.add(t.getCause());
      todo.addAll(List.of(t.getSuppressed()));
    }
    throw new AssertionError("no IllegalStateException from the bootstrap in the cause chain of " + seen, thrown);
  }

  static ConfigJson valid() {
    return ConfigJson.empty()
        .user(ConfigJson.USER, ConfigJson.PASSWORD)
        .client(ConfigJson.Client.confidential("app", "secret", "http://localhost:9000/cb").scopes("email"))
        .route("/api/*", "email");
  }

  @Test
  void aValidConfigStarts() throws Exception {
    try (PortcullisServer server = PortcullisServer.start(valid().write(dir, "valid.json"))) {
      assertTrue(server.isAvailable());
      assertEquals(401, new OAuthClient(server).get("/api/x").statusCode());
    }
  }

  @Test
  void withoutAnIssuerTheStartWarnsThatClientsChooseIt() throws Exception {
    String warning = "issuer: is not set, so metadata and iss name whatever host each request's Host header claims";
    try (LogCapture log = LogCapture.start();
         PortcullisServer server = PortcullisServer.start(valid().write(dir, "derived.json"))) {
      assertTrue(log.lines().stream().anyMatch(line -> line.startsWith("WARNING") && line.contains(warning)),
          log.lines().toString());
      // What the warning is about: the metadata names the host the request claimed.
      RawHttp.Response metadata = RawHttp.exchange(server,
          List.of("GET " + Grants.METADATA + " HTTP/1.1", "Host: evil.example"), null);
      assertEquals(200, metadata.status(), metadata.body());
      assertTrue(metadata.body().contains("\"issuer\":\"http://evil.example\""), metadata.body());
    }
    try (LogCapture log = LogCapture.start();
         PortcullisServer server = PortcullisServer.start(valid().set("issuer", "https://gw.example.com")
             .write(dir, "configured.json"))) {
      assertTrue(log.lines().stream().noneMatch(line -> line.contains(warning)), log.lines().toString());
      RawHttp.Response metadata = RawHttp.exchange(server,
          List.of("GET " + Grants.METADATA + " HTTP/1.1", "Host: evil.example"), null);
      assertTrue(metadata.body().contains("\"issuer\":\"https://gw.example.com\""), metadata.body());
    }
  }

  @Test
  void aRedirectUriThatIsNotAbsoluteStopsTheStart() throws Exception {
    Path config = ConfigJson.empty()
        .user(ConfigJson.USER, ConfigJson.PASSWORD)
        .client(ConfigJson.Client.confidential("first", "secret", "http://localhost:9000/cb"))
        .client(ConfigJson.Client.confidential("second", "secret", "/relative/callback"))
        .write(dir, "relative-redirect.json");
    Failure failure = startFails(config);
    assertTrue(failure.message().contains(config.toAbsolutePath().toString()), failure.message());
    assertTrue(failure.message().contains("clients[1].redirectUris[0]: not an absolute URI"), failure.message());
    assertTrue(failure.log().stream().anyMatch(line -> line.contains(config.toAbsolutePath().toString())
        && line.contains("clients[1].redirectUris[0]: not an absolute URI")), failure.log().toString());
  }

  @Test
  void aMisspeltKeyStopsTheStart() throws Exception {
    // "enforcePKCE" instead of "enforcePkce" must not silently leave PKCE at its default.
    Path config = valid().set("enforcePKCE", false).write(dir, "typo.json");
    Failure failure = startFails(config);
    assertTrue(failure.message().contains(config.toAbsolutePath().toString()), failure.message());
    assertTrue(failure.message().contains("enforcePKCE: unknown key"), failure.message());
  }

  @Test
  void aMisspeltKeyInAClientStopsTheStart() throws Exception {
    Path config = ConfigJson.empty()
        .client(ConfigJson.Client.confidential("app", "secret", "http://localhost:9000/cb").set("enforcePKCE", true))
        .write(dir, "client-typo.json");
    Failure failure = startFails(config);
    assertTrue(failure.message().contains("clients[0].enforcePKCE: unknown key"), failure.message());
  }

  @Test
  void everyProblemIsReportedAtOnce() throws Exception {
    Path config = ConfigJson.empty()
        .set("accessTokenTtlSeconds", -5)
        .client(ConfigJson.Client.confidential("app", "secret", "http://localhost:9000/cb#fragment"))
        .write(dir, "many.json");
    Failure failure = startFails(config);
    assertTrue(failure.message().contains("accessTokenTtlSeconds: must be between"), failure.message());
    assertTrue(failure.message().contains("clients[0].redirectUris[0]: must not contain a fragment"), failure.message());
  }

  @Test
  void malformedJsonStopsTheStart() throws Exception {
    Path config = Files.writeString(dir.resolve("broken.json"), "{\"clients\": [ }");
    Failure failure = startFails(config);
    assertTrue(failure.message().contains(config.toAbsolutePath().toString()), failure.message());
    assertTrue(failure.message().contains("not valid JSON"), failure.message());
  }

  @Test
  void aMissingFileStopsTheStart() throws Exception {
    Path config = dir.resolve("does-not-exist.json");
    Failure failure = startFails(config);
    assertTrue(failure.message().contains(config.toAbsolutePath().toString()), failure.message());
    assertTrue(failure.message().contains("no such file"), failure.message());
  }

  @Test
  void noConfigLocationStopsTheStart() throws Exception {
    // Precondition: nothing else in this JVM names a config, or the webapp would find that one.
    assertNull(System.getProperty("portcullis.config"), "the test JVM sets -Dportcullis.config");
    assertNull(System.getenv("PORTCULLIS_CONFIG"), "the test environment sets PORTCULLIS_CONFIG");
    Failure failure = startFails(null);
    assertTrue(failure.message().contains("no configuration"), failure.message());
    assertTrue(failure.message().contains("portcullis.config"), failure.message());
    assertTrue(failure.message().contains("PORTCULLIS_CONFIG"), failure.message());
  }
}
