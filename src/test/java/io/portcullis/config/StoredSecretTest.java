package io.portcullis.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.testing.Secrets;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StoredSecretTest {

  static final Base64.Encoder B64 = Base64.getEncoder();
  static final String SALT16 = B64.encodeToString(new byte[16]);
  static final String HASH32 = B64.encodeToString(new byte[32]);

  // ---- decoys: what an unknown account is checked against ----

  @Test
  void theDecoyCostsWhatMostSecretsCostAndMatchesNothing() {
    StoredSecret sha = StoredSecret.parse(StoredSecret.hash(StoredSecret.SHA256, "client-secret-1"));
    StoredSecret sha2 = StoredSecret.parse(StoredSecret.hash(StoredSecret.SHA256, "client-secret-2"));
    StoredSecret pbkdf2 = StoredSecret.parse("{pbkdf2-sha256}10000$" + SALT16 + "$" + B64.encodeToString(new byte[48]));
    StoredSecret decoy = StoredSecret.decoyFor(List.of(pbkdf2, sha, sha2));
    assertEquals(sha.cost(), decoy.cost(), "two of three secrets are {sha256}");
    StoredSecret pbkdf2Decoy = StoredSecret.decoyFor(List.of(pbkdf2));
    assertEquals("pbkdf2-sha256:10000:48", pbkdf2Decoy.cost(), "same iterations and hash length");
    assertEquals("noop", StoredSecret.decoyFor(List.of()).cost());
    for (StoredSecret each : List.of(decoy, pbkdf2Decoy, StoredSecret.decoyFor(List.of()))) {
      for (String candidate : List.of("", "client-secret-1", "\u0000decoy", "decoy", "x".repeat(100))) {
        assertFalse(each.matches(candidate), each + " matched " + candidate);
      }
    }
  }

  @Test
  void sha256HashRoundTrips() {
    String encoded = StoredSecret.hash(StoredSecret.SHA256, "a-long-random-client-secret");
    assertTrue(encoded.startsWith("{sha256}"), encoded);
    StoredSecret secret = StoredSecret.parse(encoded);
    assertInstanceOf(StoredSecret.Sha256.class, secret);
    assertEquals("sha256", secret.scheme());
    assertTrue(secret.matches("a-long-random-client-secret"));
  }

  @Test
  void sha256WrongSecretFails() {
    StoredSecret secret = StoredSecret.parse(StoredSecret.hash(StoredSecret.SHA256, "right"));
    assertFalse(secret.matches("wrong"));
    assertFalse(secret.matches("right "));
    assertFalse(secret.matches("Right"));
    assertFalse(secret.matches(""));
  }

  @Test
  void sha256IsSaltThenSecret() throws Exception {
    byte[] salt = "saltsaltsaltsalt".getBytes(StandardCharsets.US_ASCII);
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    digest.update(salt);
    byte[] hash = digest.digest("secret".getBytes(StandardCharsets.UTF_8));
    StoredSecret secret = StoredSecret.parse("{sha256}" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash));
    assertTrue(secret.matches("secret"));
  }

  @Test
  void eachHashHasItsOwnSalt() {
    String first = StoredSecret.hash(StoredSecret.SHA256, "same");
    String second = StoredSecret.hash(StoredSecret.SHA256, "same");
    assertNotEquals(first, second);
    assertTrue(StoredSecret.parse(first).matches("same"));
    assertTrue(StoredSecret.parse(second).matches("same"));
  }

  @Test
  void pbkdf2HashRoundTripsWithTheDefaultIterations() {
    String encoded = StoredSecret.hash(StoredSecret.PBKDF2, "pässwörd ✓");
    assertTrue(encoded.startsWith("{pbkdf2-sha256}600000$"), encoded);
    StoredSecret.Pbkdf2 secret = assertInstanceOf(StoredSecret.Pbkdf2.class, StoredSecret.parse(encoded));
    assertEquals(StoredSecret.DEFAULT_PBKDF2_ITERATIONS, secret.iterations());
    assertEquals(16, secret.salt().length);
    assertEquals(32, secret.hash().length);
    assertEquals("pbkdf2-sha256", secret.scheme());
    assertTrue(secret.matches("pässwörd ✓"));
  }

  @Test
  void pbkdf2InTheDocumentedFormatIsRead() {
    StoredSecret secret = StoredSecret.parse(Secrets.pbkdf2("manage"));
    StoredSecret.Pbkdf2 pbkdf2 = assertInstanceOf(StoredSecret.Pbkdf2.class, secret);
    assertEquals(Secrets.TEST_ITERATIONS, pbkdf2.iterations());
    assertArrayEquals("0123456789abcdef".getBytes(StandardCharsets.US_ASCII), pbkdf2.salt());
    assertTrue(secret.matches("manage"));
  }

  @Test
  void pbkdf2WrongPasswordFails() {
    StoredSecret secret = StoredSecret.parse(Secrets.pbkdf2("manage"));
    assertFalse(secret.matches("Manage"));
    assertFalse(secret.matches("manage "));
    assertFalse(secret.matches(""));
  }

  @Test
  void pbkdf2WithAnotherIterationCountIsADifferentHash() {
    byte[] salt = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    String encoded = Secrets.pbkdf2("manage", 10_000, salt);
    String relabelled = encoded.replace("{pbkdf2-sha256}10000$", "{pbkdf2-sha256}10001$");
    assertFalse(StoredSecret.parse(relabelled).matches("manage"));
  }

  @Test
  void noopComparesPlainText() {
    StoredSecret secret = StoredSecret.parse("{noop}change-me");
    assertInstanceOf(StoredSecret.Noop.class, secret);
    assertEquals("noop", secret.scheme());
    assertTrue(secret.matches("change-me"));
    assertFalse(secret.matches("change-me "));
    assertFalse(secret.matches("CHANGE-ME"));
    assertFalse(secret.matches(""));
  }

  @Test
  void noopKeepsEverythingAfterTheScheme() {
    StoredSecret secret = StoredSecret.parse("{noop}a}b{c$d");
    assertTrue(secret.matches("a}b{c$d"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain", "", "noop}x", "{noop", " {noop}x"})
  void secretWithoutASchemeIsRefused(String encoded) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StoredSecret.parse(encoded));
    assertEquals("must start with a scheme: {noop}, {pbkdf2-sha256} or {sha256}", e.getMessage());
  }

  @Test
  void emptyNoopIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StoredSecret.parse("{noop}"));
    assertEquals("{noop} secret is empty", e.getMessage());
  }

  @Test
  void unknownSchemeIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StoredSecret.parse("{md5}abc"));
    assertEquals("unknown scheme {md5}; use {noop}, {pbkdf2-sha256} or {sha256}", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> StoredSecret.parse("{}abc"));
    assertThrows(IllegalArgumentException.class, () -> StoredSecret.parse("{NOOP}abc"), "schemes are case-sensitive");
    assertThrows(IllegalArgumentException.class, () -> StoredSecret.parse("{bcrypt}$2a$10$abc"));
  }

  @Test
  void malformedPbkdf2IsRefusedWithAReason() {
    assertMessage("{pbkdf2-sha256} must be iterations$salt$hash (use the hash-secret command)",
        "{pbkdf2-sha256}abc");
    assertMessage("{pbkdf2-sha256} must be iterations$salt$hash (use the hash-secret command)",
        "{pbkdf2-sha256}10000$" + SALT16);
    assertMessage("{pbkdf2-sha256} must be iterations$salt$hash (use the hash-secret command)",
        "{pbkdf2-sha256}10000$" + SALT16 + "$" + HASH32 + "$extra");
    assertMessage("{pbkdf2-sha256} iteration count is not a number",
        "{pbkdf2-sha256}many$" + SALT16 + "$" + HASH32);
    assertMessage("{pbkdf2-sha256} iteration count is not a number",
        "{pbkdf2-sha256}99999999999$" + SALT16 + "$" + HASH32);
    assertMessage("{pbkdf2-sha256} needs at least 10000 iterations",
        "{pbkdf2-sha256}9999$" + SALT16 + "$" + HASH32);
    assertMessage("{pbkdf2-sha256} needs at least 10000 iterations",
        "{pbkdf2-sha256}-1$" + SALT16 + "$" + HASH32);
    assertMessage("the salt is not valid base64", "{pbkdf2-sha256}10000$not*base64$" + HASH32);
    assertMessage("the hash is not valid base64", "{pbkdf2-sha256}10000$" + SALT16 + "$%%%");
    assertMessage("{pbkdf2-sha256} needs a salt of at least 16 bytes and a hash of 32 bytes",
        "{pbkdf2-sha256}10000$" + B64.encodeToString(new byte[15]) + "$" + HASH32);
    assertMessage("{pbkdf2-sha256} needs a salt of at least 16 bytes and a hash of 32 bytes",
        "{pbkdf2-sha256}10000$" + SALT16 + "$" + B64.encodeToString(new byte[31]));
  }

  @Test
  void malformedSha256IsRefusedWithAReason() {
    assertMessage("{sha256} must be salt$hash (use the hash-secret command)", "{sha256}" + HASH32);
    assertMessage("{sha256} must be salt$hash (use the hash-secret command)",
        "{sha256}" + SALT16 + "$" + HASH32 + "$x");
    assertMessage("the salt is not valid base64", "{sha256}***$" + HASH32);
    assertMessage("the hash is not valid base64", "{sha256}" + SALT16 + "$***");
    assertMessage("{sha256} needs a salt of at least 16 bytes and a 32-byte hash",
        "{sha256}" + B64.encodeToString(new byte[8]) + "$" + HASH32);
    assertMessage("{sha256} needs a salt of at least 16 bytes and a 32-byte hash",
        "{sha256}" + SALT16 + "$" + B64.encodeToString(new byte[33]));
    assertMessage("{sha256} needs a salt of at least 16 bytes and a 32-byte hash",
        "{sha256}" + SALT16 + "$" + B64.encodeToString(new byte[31]));
  }

  @Test
  void parseErrorsNeverRepeatTheValue() {
    String marker = "TopSecretValue42";
    for (String encoded : List.of(
        "{pbkdf2-sha256}" + marker,
        "{pbkdf2-sha256}" + marker + "$" + SALT16 + "$" + HASH32,
        "{pbkdf2-sha256}10000$" + marker + "$" + HASH32,
        "{sha256}" + marker,
        "{sha256}" + SALT16 + "$" + marker,
        marker)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StoredSecret.parse(encoded));
      assertFalse(e.getMessage().contains(marker), e.getMessage());
    }
  }

  @Test
  void hashRefusesOtherSchemes() {
    assertThrows(IllegalArgumentException.class, () -> StoredSecret.hash(StoredSecret.NOOP, "x"));
    assertThrows(IllegalArgumentException.class, () -> StoredSecret.hash("md5", "x"));
  }

  @Test
  void toStringNeverShowsTheSecretOrItsHash() {
    StoredSecret noop = StoredSecret.parse("{noop}hunter2");
    assertEquals("{noop}****", noop.toString());

    StoredSecret.Sha256 sha = (StoredSecret.Sha256) StoredSecret.parse(StoredSecret.hash(StoredSecret.SHA256, "hunter2"));
    assertEquals("{sha256}****", sha.toString());
    assertFalse(sha.toString().contains(B64.encodeToString(sha.salt())));

    String encoded = Secrets.pbkdf2("hunter2");
    StoredSecret.Pbkdf2 pbkdf2 = (StoredSecret.Pbkdf2) StoredSecret.parse(encoded);
    assertEquals("{pbkdf2-sha256}10000$****", pbkdf2.toString());
    assertFalse(pbkdf2.toString().contains(B64.encodeToString(pbkdf2.hash())));
  }

  @Test
  void recordsHoldingSecretsDoNotPrintThem() {
    UserAccount user = new UserAccount("alice", StoredSecret.parse("{noop}hunter2"));
    assertEquals("UserAccount[alice]", user.toString());
    ClientRegistration client = new ClientRegistration("app", StoredSecret.parse("{noop}hunter2"), "App",
        List.of("https://app.example/cb"), Set.of("email"), true, Duration.ofHours(1));
    assertEquals("ClientRegistration[app]", client.toString());
  }

  private static void assertMessage(String expected, String encoded) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StoredSecret.parse(encoded));
    assertEquals(expected, e.getMessage(), encoded);
  }
}
