package io.portcullis.it;

import static io.portcullis.it.ConfigJson.CONFIDENTIAL;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_REDIRECT;
import static io.portcullis.it.ConfigJson.PASSWORD;
import static io.portcullis.it.ConfigJson.REFRESHING;
import static io.portcullis.it.ConfigJson.REFRESHING_REDIRECT;
import static io.portcullis.it.ConfigJson.REFRESHING_SECRET;
import static io.portcullis.it.ConfigJson.SERVICE;
import static io.portcullis.it.ConfigJson.SERVICE_SECRET;
import static io.portcullis.it.ConfigJson.USER;
import static io.portcullis.it.Grants.REVOKE;
import static io.portcullis.it.OAuthClient.TOKEN;
import static io.portcullis.it.OAuthClient.basic;
import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.portcullis.it.Grants.Caller;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The audit trail over real HTTP: each security event leaves one line on {@code io.portcullis.audit}
 * with its time, event, outcome, client, user and address — and no line holds a token, code,
 * secret, password or verifier of the requests that caused it.
 */
class AuditIT {

  @RegisterExtension static final PortcullisServer server = PortcullisServer.deploy(ConfigJson.grants()
      .set("throttling", JsonParser.parseString("{\"userFailures\": 2, \"clientFailures\": 2}")));
  static final OAuthClient client = new OAuthClient(server);
  static final Grants grants = new Grants(client);
  static final Caller APP = Caller.confidential(REFRESHING, REFRESHING_SECRET, REFRESHING_REDIRECT);

  /** Every audit line logged while running {@code events}, and the secrets the events used. */
  @Test
  void everySecurityEventLeavesOneLineAndNoSecret() throws Exception {
    List<String> secrets = new ArrayList<>(List.of(PASSWORD, REFRESHING_SECRET, SERVICE_SECRET, "wrong-secret",
        "wrong-password"));
    List<String> lines;
    try (LogCapture log = LogCapture.start()) {
      // An approval with a wrong password first, then the right one; a code, tokens, a refresh.
      String verifier = OAuthClient.newVerifier();
      secrets.add(verifier);
      Map<String, String> query = params("response_type", "code", "client_id", REFRESHING,
          "redirect_uri", REFRESHING_REDIRECT, "code_challenge", OAuthClient.challenge(verifier),
          "code_challenge_method", "S256");
      OAuthClient.ApprovalPage page = client.authorize(query);
      assertEquals(401, client.decide(page, "approve", USER, "wrong-password").statusCode());
      String code = OAuthClient.redirectParameters(client.decide(page, "approve", USER, PASSWORD)).get("code");
      secrets.add(code);
      HttpResponse<String> exchanged = client.postForm(TOKEN, params("grant_type", "authorization_code",
          "code", code, "redirect_uri", REFRESHING_REDIRECT, "code_verifier", verifier),
          "Authorization", basic(REFRESHING, REFRESHING_SECRET));
      Grants.Tokens tokens = Grants.issued(exchanged);
      secrets.add(tokens.access());
      secrets.add(tokens.refresh());
      Grants.Tokens rotated = Grants.issued(grants.refresh(APP, tokens.refresh(), null));
      secrets.add(rotated.access());
      secrets.add(rotated.refresh());
      // A user's token revoked: the line names the user of its grant.
      assertEquals(200, client.postForm(REVOKE, params("token", rotated.access()),
          "Authorization", basic(REFRESHING, REFRESHING_SECRET)).statusCode());
      // The spent refresh token again (reuse), the code again (replay).
      assertEquals(400, grants.refresh(APP, tokens.refresh(), null).statusCode());
      assertEquals(400, client.postForm(TOKEN, params("grant_type", "authorization_code", "code", code,
          "redirect_uri", REFRESHING_REDIRECT, "code_verifier", verifier),
          "Authorization", basic(REFRESHING, REFRESHING_SECRET)).statusCode());
      // A denial, client credentials, a revocation, failed client authentications up to a lockout.
      OAuthClient.ApprovalPage denied = client.authorize(params("response_type", "code", "client_id", CONFIDENTIAL,
          "redirect_uri", CONFIDENTIAL_REDIRECT, "code_challenge", OAuthClient.challenge(verifier),
          "code_challenge_method", "S256"));
      assertEquals(302, client.decide(denied, "deny", null, null).statusCode());
      Grants.Tokens machine = Grants.issued(client.postForm(TOKEN, params("grant_type", "client_credentials"),
          "Authorization", basic(SERVICE, SERVICE_SECRET)));
      secrets.add(machine.access());
      assertEquals(200, client.postForm(REVOKE, params("token", machine.access()),
          "Authorization", basic(SERVICE, SERVICE_SECRET)).statusCode());
      for (int i = 0; i < 2; i++) {
        assertEquals(401, client.postForm(TOKEN, params("grant_type", "client_credentials"),
            "Authorization", basic(SERVICE, "wrong-secret")).statusCode());
      }
      assertEquals(429, client.postForm(TOKEN, params("grant_type", "client_credentials"),
          "Authorization", basic(SERVICE, SERVICE_SECRET)).statusCode());
      // Sign-ins for one user up to a lockout.
      for (int i = 0; i < 2; i++) {
        client.decide(client.authorize(query), "approve", "mallory", "wrong-password");
      }
      assertEquals(429, client.decide(client.authorize(query), "approve", "mallory", "wrong-password").statusCode());
      lines = log.lines().stream().filter(l -> l.startsWith("INFO io.portcullis.audit: ")).map(l -> l.substring(
          "INFO io.portcullis.audit: ".length())).toList();
    }

    assertLine(lines, "event=approval outcome=wrong_password client_id=" + REFRESHING + " user=" + USER);
    assertLine(lines, "event=approval outcome=approved client_id=" + REFRESHING + " user=" + USER);
    assertLine(lines, "event=token_issued outcome=success client_id=" + REFRESHING + " user=" + USER
        + " address=127.0.0.1 grant_type=authorization_code");
    assertLine(lines, "event=token_issued outcome=success client_id=" + REFRESHING + " user=" + USER
        + " address=127.0.0.1 grant_type=refresh_token");
    assertLine(lines, "event=refresh_reuse outcome=grant_revoked client_id=" + REFRESHING + " user=" + USER
        + " address=127.0.0.1");
    assertLine(lines, "event=code_replay outcome=grant_revoked client_id=" + REFRESHING + " user=" + USER
        + " address=127.0.0.1");
    assertLine(lines, "event=approval outcome=denied client_id=" + CONFIDENTIAL + " address=127.0.0.1");
    assertLine(lines, "event=token_issued outcome=success client_id=" + SERVICE
        + " address=127.0.0.1 grant_type=client_credentials");
    assertLine(lines, "event=revocation outcome=revoked client_id=" + SERVICE + " address=127.0.0.1 "
        + "token_type=access_token");
    assertLine(lines, "event=revocation outcome=revoked client_id=" + REFRESHING + " user=" + USER
        + " address=127.0.0.1 token_type=access_token");
    assertLine(lines, "event=client_authentication outcome=failed client_id=" + SERVICE + " address=127.0.0.1");
    assertLine(lines, "event=client_authentication outcome=locked client_id=" + SERVICE + " address=127.0.0.1");
    assertLine(lines, "event=approval outcome=locked client_id=" + REFRESHING + " user=mallory address=127.0.0.1");

    for (String line : lines) {
      assertTrue(line.matches("time=\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z event=[a-z_]+ outcome=[a-z_]+ .*"), line);
      for (String secret : secrets) {
        assertFalse(line.contains(secret), "an audit line holds a secret: " + line);
      }
    }
  }

  private static void assertLine(List<String> lines, String fields) {
    assertTrue(lines.stream().anyMatch(line -> line.contains(fields)), "no audit line with " + fields + " in\n"
        + String.join("\n", lines));
  }
}
