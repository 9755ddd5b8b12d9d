package io.portcullis.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Revoke command's own mistakes and failures (the answers of a real node: {@code IncidentRevocationIT}). */
class RevokeTest {

  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();

  int run(Map<String, String> environment, String password, String... args) {
    return Revoke.run(args, environment::get, () -> password, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void usageMistakesExitWithTwoAndSayWhat() {
    assertEquals(2, run(Map.of(), "pw", "https://gw.example/portcullis"));
    assertTrue(err().contains("client_id=… or username=… is missing"), err());
    assertEquals(2, run(Map.of(), "pw", "client_id=app"));
    assertEquals(2, run(Map.of(), "pw", "https://gw.example/portcullis", "client_id=app"));
    assertTrue(err().contains("no operator: set PORTCULLIS_OPERATOR"), err());
    assertEquals(2, run(Map.of("PORTCULLIS_OPERATOR", "ops"), null, "https://gw.example/portcullis", "client_id=app"));
    assertTrue(err().contains("no password"), err());
    assertEquals(2, run(Map.of("PORTCULLIS_OPERATOR", "ops"), "pw", "ftp://gw.example/portcullis", "username=alice"));
    assertEquals(2, run(Map.of("PORTCULLIS_OPERATOR", "ops"), "pw", "https://gw.example/p", "token=abc"));
    assertEquals(2, run(Map.of("PORTCULLIS_OPERATOR", "ops"), "pw", "http://gw.example/portcullis", "username=alice"));
    assertTrue(err().contains("http:// only to this machine"), err());
    assertEquals("", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aPipedPasswordIsTheFirstLineOfStandardInput() {
    assertEquals("s3cr3t pw", Revoke.firstLine(stdin("s3cr3t pw\nsecond line\n")));
    assertEquals("s3cr3t", Revoke.firstLine(stdin("s3cr3t\r\n")), "a Windows line break is not part of it");
    assertEquals("s3cr3t", Revoke.firstLine(stdin("s3cr3t")), "a last line without a break");
    assertEquals("pässwörd", Revoke.firstLine(stdin("pässwörd\n")), "UTF-8");
    assertNull(Revoke.firstLine(stdin("")), "nothing piped in");
    assertNull(Revoke.firstLine(stdin("\nlater\n")), "an empty first line is no password");
  }

  static ByteArrayInputStream stdin(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aNodeThatCannotBeReachedExitsWithOne() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    assertEquals(1, run(Map.of("PORTCULLIS_OPERATOR", "ops", "PORTCULLIS_OPERATOR_PASSWORD", "s3cr3t-operator-pw"), null,
        "http://127.0.0.1:" + port + "/portcullis", "client_id=app"));
    assertTrue(err().contains("could not be reached"), err());
    assertTrue(!err().contains("s3cr3t-operator-pw"), "the password is never printed");
  }
}
