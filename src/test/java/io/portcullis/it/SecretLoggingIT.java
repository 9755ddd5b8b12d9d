package io.portcullis.it;

import static io.portcullis.it.ConfigJson.CONFIDENTIAL;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_REDIRECT;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_SECRET;
import static io.portcullis.it.ConfigJson.PASSWORD;
import static io.portcullis.it.ConfigJson.PUBLIC;
import static io.portcullis.it.ConfigJson.PUBLIC_REDIRECT;
import static io.portcullis.it.ConfigJson.USER;
import static io.portcullis.it.OAuthClient.TOKEN;
import static io.portcullis.it.OAuthClient.basic;
import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Secrets, passwords, codes, verifiers and tokens never appear in logs (DESIGN 1.6): flows run
 * while every {@code java.util.logging} record, at every level, is captured.
 */
class SecretLoggingIT {

  static final String WRONG_PASSWORD = "wrong-password-9f8e7d";
  static final String WRONG_SECRET = "wrong-client-secret-1a2b3c";

  @RegisterExtension static final PortcullisServer server = PortcullisServer.deploy(ConfigJson.standard());
  static final OAuthClient client = new OAuthClient(server);

  static void assertNoneLogged(List<String> log, List<String> secrets) {
    assertFalse(secrets.isEmpty());
    for (String secret : secrets) {
      assertTrue(secret.length() >= 8, "too short to search for meaningfully: " + secret);
      for (String line : log) {
        assertFalse(line.contains(secret), () -> "a log record holds a secret value:\n" + line);
      }
    }
  }

  @Test
  void startUpLogsNoSecretOrPassword() {
    List<String> startupLog = server.startupLog();
    assertTrue(startupLog.stream().anyMatch(l -> l.contains("Portcullis started")), startupLog.toString());
    assertTrue(startupLog.stream().anyMatch(l -> l.contains("clientSecret: is stored in plain text")),
        "the {noop} warning is logged, without the value: " + startupLog);
    assertNoneLogged(startupLog, List.of(CONFIDENTIAL_SECRET, PASSWORD, "markup-secret"));
  }

  @Test
  void aWholeFlowWithMistakesAndACodeReuseLogsNoSecret() throws Exception {
    List<String> secrets = new ArrayList<>(List.of(CONFIDENTIAL_SECRET, PASSWORD, WRONG_PASSWORD, WRONG_SECRET));
    List<String> log;
    try (LogCapture capture = LogCapture.start()) {
      // Front channel: a wrong password first, then the right one.
      String verifier = OAuthClient.newVerifier();
      secrets.add(verifier);
      OAuthClient.ApprovalPage page = client.authorize(params("response_type", "code", "client_id", CONFIDENTIAL,
          "redirect_uri", CONFIDENTIAL_REDIRECT, "scope", "email", "state", "state-value",
          "code_challenge", OAuthClient.challenge(verifier), "code_challenge_method", "S256"));
      secrets.add(page.hidden().get("transaction_id"));
      secrets.add(page.hidden().get("csrf_token"));
      assertEquals(401, client.decide(page, "approve", USER, WRONG_PASSWORD).statusCode());
      assertEquals(401, client.decide(page, "approve", "no-such-user", WRONG_PASSWORD).statusCode());
      HttpResponse<String> redirect = client.decide(page, "approve", USER, PASSWORD);
      assertEquals(302, redirect.statusCode());
      String code = OAuthClient.redirectParameters(redirect).get("code");
      secrets.add(code);

      // Back channel: a wrong secret, then Basic.
      Map<String, String> grant = params("grant_type", "authorization_code", "code", code,
          "redirect_uri", CONFIDENTIAL_REDIRECT, "code_verifier", verifier);
      assertEquals(401, client.postForm(TOKEN, grant, "Authorization", basic(CONFIDENTIAL, WRONG_SECRET)).statusCode());
      HttpResponse<String> token = client.postForm(TOKEN, grant, "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET));
      assertEquals(200, token.statusCode(), token.body());
      String accessToken = OAuthClient.json(token).get("access_token").getAsString();
      secrets.add(accessToken);
      assertEquals(200, client.get("/api/orders", "Authorization", "Bearer " + accessToken).statusCode());
      assertEquals(403, client.get("/api/admin/x", "Authorization", "Bearer " + accessToken).statusCode());

      // The code again: refused, the token revoked, and a warning logged.
      assertEquals(400, client.postForm(TOKEN, grant, "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET))
          .statusCode());
      assertEquals(401, client.get("/api/orders", "Authorization", "Bearer " + accessToken).statusCode());

      // A second grant with the secret in the body and a wrong verifier first.
      String verifier2 = OAuthClient.newVerifier();
      String wrongVerifier = OAuthClient.newVerifier();
      secrets.addAll(List.of(verifier2, wrongVerifier));
      String code2 = client.approve(params("response_type", "code", "client_id", CONFIDENTIAL,
          "redirect_uri", CONFIDENTIAL_REDIRECT, "code_challenge", OAuthClient.challenge(verifier2),
          "code_challenge_method", "S256"), USER, PASSWORD).get("code");
      secrets.add(code2);
      Map<String, String> body = params("grant_type", "authorization_code", "code", code2,
          "redirect_uri", CONFIDENTIAL_REDIRECT, "code_verifier", wrongVerifier,
          "client_id", CONFIDENTIAL, "client_secret", CONFIDENTIAL_SECRET);
      assertEquals(400, client.postForm(TOKEN, body).statusCode());

      // A public client, with JSON.
      String verifier3 = OAuthClient.newVerifier();
      secrets.add(verifier3);
      String code3 = client.approve(params("response_type", "code", "client_id", PUBLIC,
          "redirect_uri", PUBLIC_REDIRECT, "code_challenge", OAuthClient.challenge(verifier3),
          "code_challenge_method", "S256"), USER, PASSWORD).get("code");
      secrets.add(code3);
      HttpResponse<String> publicToken = client.postJson(TOKEN, "{\"grant_type\":\"authorization_code\",\"code\":\""
          + code3 + "\",\"redirect_uri\":\"" + PUBLIC_REDIRECT + "\",\"code_verifier\":\"" + verifier3
          + "\",\"client_id\":\"" + PUBLIC + "\"}");
      assertEquals(200, publicToken.statusCode(), publicToken.body());
      secrets.add(OAuthClient.json(publicToken).get("access_token").getAsString());

      // Malformed requests carrying secrets.
      assertEquals(400, client.post(TOKEN, "application/json", "{\"client_secret\":\"" + CONFIDENTIAL_SECRET
          + "\",\"code\":\"" + code + "\",", "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)).statusCode());
      assertEquals(400, client.post(TOKEN, "application/x-www-form-urlencoded", "code=" + code + "&code=" + code
          + "&password=" + PASSWORD + "%00", "Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET)).statusCode());
      assertEquals(401, client.get("/api/orders", "Authorization", "Bearer " + "d".repeat(64)).statusCode());
      log = capture.lines();
    }
    assertTrue(log.stream().anyMatch(line -> line.contains("event=code_replay outcome=grant_revoked")),
        "the capture sees Portcullis' own audit line about the reused code: " + log);
    assertNoneLogged(log, secrets);
  }
}
