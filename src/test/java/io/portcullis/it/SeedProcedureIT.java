package io.portcullis.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The procedure of the seed document, step by step, against the real WAR: authorize with an S256
 * challenge, approve with gateway credentials, trade the code and verifier for a bearer token with
 * the seed's JSON body and Basic header, then call a guarded route with it.
 */
class SeedProcedureIT {

  static final String CLIENT_ID = "374b1fae-4405-411b-85a0-6e1ab90923ba";
  static final String SECRET = "change-me";
  static final String REDIRECT = "http://test.com";

  @RegisterExtension static final PortcullisServer server = PortcullisServer.deploy(Path.of("conf/portcullis.json"));
  static final OAuthClient client = new OAuthClient(server);

  @Test
  void seedProcedureVerbatim() throws Exception {
    String verifier = OAuthClient.newVerifier();
    // Step 1.a: the seed's URL (response_type, redirect_uri, client_id, code_challenge, method).
    HttpResponse<String> page = client.get(OAuthClient.AUTHORIZE + "?response_type=code&redirect_uri=" + REDIRECT
        + "&client_id=" + CLIENT_ID + "&code_challenge=" + OAuthClient.challenge(verifier)
        + "&code_challenge_method=S256");
    assertEquals(200, page.statusCode(), page.body());
    assertTrue(page.body().contains("Test application"), "the page names the client");
    assertTrue(page.body().contains("email"), "the page lists the scope");
    OAuthClient.ApprovalPage approval = OAuthClient.ApprovalPage.parse(page.body());

    // Steps 1.b-1.c: approve with the gateway user's credentials; redirected with the code.
    HttpResponse<String> redirect = client.decide(approval, "approve", "Administrator", "manage");
    assertEquals(302, redirect.statusCode(), redirect.body());
    assertTrue(redirect.headers().firstValue("Location").orElseThrow().startsWith(REDIRECT + "?code="));
    String code = OAuthClient.redirectParameters(redirect).get("code");
    assertNotNull(code);

    // Step 2: the seed's sample request body, Basic client authentication.
    String body = "{\n\"redirect_uri\":\"" + REDIRECT + "\",\n\"scope\":\"email\",\n\"grant_type\":\"authorization_code\",\n"
        + "\"code\":\"" + code + "\",\n\"code_verifier\":\"" + verifier + "\",\n\"client_id\":\"" + CLIENT_ID + "\"\n}";
    HttpResponse<String> token = client.postJson(OAuthClient.TOKEN, body,
        "Authorization", OAuthClient.basic(CLIENT_ID, SECRET));
    assertEquals(200, token.statusCode(), token.body());
    assertEquals("no-store", token.headers().firstValue("Cache-Control").orElse(""));
    assertEquals("no-cache", token.headers().firstValue("Pragma").orElse(""));
    JsonObject json = OAuthClient.json(token);
    String accessToken = json.get("access_token").getAsString();
    assertTrue(accessToken.matches("[0-9a-f]{64}"), accessToken);
    assertEquals("Bearer", json.get("token_type").getAsString());
    assertEquals(3600, json.get("expires_in").getAsInt());
    assertEquals("email", json.get("scope").getAsString());

    // The token opens a guarded route, and the route learns who called.
    HttpResponse<String> api = client.get("/api/orders", "Authorization", "Bearer " + accessToken);
    assertEquals(200, api.statusCode(), api.body());
    JsonObject caller = OAuthClient.json(api);
    assertEquals(CLIENT_ID, caller.get("client_id").getAsString());
    assertEquals("Administrator", caller.get("username").getAsString());

    // A code is single-use.
    HttpResponse<String> again = client.postJson(OAuthClient.TOKEN, body,
        "Authorization", OAuthClient.basic(CLIENT_ID, SECRET));
    assertEquals(400, again.statusCode());
    assertEquals("invalid_grant", OAuthClient.json(again).get("error").getAsString());
    // ... and reusing it revoked the token issued from it.
    HttpResponse<String> revoked = client.get("/api/orders", "Authorization", "Bearer " + accessToken);
    assertEquals(401, revoked.statusCode());
    assertTrue(revoked.headers().firstValue("WWW-Authenticate").orElse("").contains("error=\"invalid_token\""));
  }

  @Test
  void publicRouteNeedsNoTokenAndOtherRoutesDo() throws Exception {
    assertEquals(200, client.get("/health").statusCode());
    HttpResponse<String> denied = client.get("/api/orders");
    assertEquals(401, denied.statusCode());
    assertEquals("Bearer realm=\"portcullis\"", denied.headers().firstValue("WWW-Authenticate").orElse(""));
    assertEquals(401, client.get("/anything-else").statusCode());
  }

  @Test
  void approvalPageIsProtectedFromFramingAndCaching() throws Exception {
    String verifier = OAuthClient.newVerifier();
    HttpResponse<String> page = client.get(OAuthClient.AUTHORIZE + "?" + OAuthClient.formEncode(Map.of(
        "response_type", "code", "client_id", CLIENT_ID, "redirect_uri", REDIRECT,
        "code_challenge", OAuthClient.challenge(verifier), "code_challenge_method", "S256")));
    assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElse(""));
    String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
    assertTrue(csp.contains("frame-ancestors 'none'"), csp);
    assertTrue(csp.contains("form-action 'self' http://test.com"), csp);
    assertEquals("no-store", page.headers().firstValue("Cache-Control").orElse(""));
  }
}
