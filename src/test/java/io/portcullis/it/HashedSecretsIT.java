package io.portcullis.it;

import static io.portcullis.it.ItAssertions.assertInvalidClient;
import static io.portcullis.it.OAuthClient.TOKEN;
import static io.portcullis.it.OAuthClient.basic;
import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hashed credentials in the config (DESIGN 1.2): a {@code {pbkdf2-sha256}} user password and a
 * {@code {sha256}} client secret, computed here independently of the code under test.
 */
class HashedSecretsIT {

  static final String USER = "operator";
  static final String PASSWORD = "a long pass phrase for the gateway";
  static final String CLIENT = "hashed-app";
  static final String SECRET = "9b1f0c7e5a3d48e2b6c4f1a0d9e8c7b6";
  static final String REDIRECT = "http://localhost:9400/cb";

  @RegisterExtension static final PortcullisServer server = PortcullisServer.deploy(ConfigJson.empty()
      .storedUser(USER, pbkdf2(PASSWORD, 10_000))
      .client(ConfigJson.Client.stored(CLIENT, sha256(SECRET), REDIRECT).scopes("email")));
  static final OAuthClient client = new OAuthClient(server);

  // The hashes throw nothing checked, as the field initializer that builds the config cannot;
  // every JDK has both algorithms.

  static String pbkdf2(String password, int iterations) {
    byte[] salt = salt();
    try {
      byte[] hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
          .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
      return "{pbkdf2-sha256}" + iterations + "$" + b64(salt) + "$" + b64(hash);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(String secret) {
    byte[] salt = salt();
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(salt);
      return "{sha256}" + b64(salt) + "$" + b64(digest.digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] salt() {
    byte[] salt = new byte[16];
    new SecureRandom().nextBytes(salt);
    return salt;
  }

  static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  @Test
  void hashedPasswordAndSecretWork() throws Exception {
    String verifier = OAuthClient.newVerifier();
    Map<String, String> query = params("response_type", "code", "client_id", CLIENT, "redirect_uri", REDIRECT,
        "code_challenge", OAuthClient.challenge(verifier), "code_challenge_method", "S256");
    OAuthClient.ApprovalPage page = client.authorize(query);
    assertEquals(401, client.decide(page, "approve", USER, PASSWORD + "x").statusCode());
    HttpResponse<String> redirect = client.decide(page, "approve", USER, PASSWORD);
    assertEquals(302, redirect.statusCode(), redirect.body());
    String code = OAuthClient.redirectParameters(redirect).get("code");

    Map<String, String> body = params("grant_type", "authorization_code", "code", code,
        "redirect_uri", REDIRECT, "code_verifier", verifier);
    assertInvalidClient(client.postForm(TOKEN, body, "Authorization", basic(CLIENT, SECRET + "x")));
    HttpResponse<String> token = client.postForm(TOKEN, body, "Authorization", basic(CLIENT, SECRET));
    assertEquals(200, token.statusCode(), token.body());
  }
}
