package io.portcullis.it;

import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The WAR deployed at {@code /gateway} instead of the root (DESIGN 1.1: "at the root context or at
 * any other context path; all paths are relative to the context path"), running the seed procedure.
 */
class ContextPathIT {

  static final String CLIENT_ID = "374b1fae-4405-411b-85a0-6e1ab90923ba";
  static final String SECRET = "change-me";
  static final String REDIRECT = "http://test.com";

  @RegisterExtension
  static final PortcullisServer server = PortcullisServer.deploy(Path.of("conf/portcullis.json")).at("/gateway");
  static final OAuthClient client = new OAuthClient(server);

  @Test
  void seedProcedureUnderAContextPath() throws Exception {
    assertEquals("/gateway", server.contextPath());
    String verifier = OAuthClient.newVerifier();
    HttpResponse<String> page = client.get(OAuthClient.AUTHORIZE + "?response_type=code&redirect_uri=" + REDIRECT
        + "&client_id=" + CLIENT_ID + "&code_challenge=" + OAuthClient.challenge(verifier)
        + "&code_challenge_method=S256&state=ctx");
    assertEquals(200, page.statusCode(), page.body());
    OAuthClient.ApprovalPage approval = OAuthClient.ApprovalPage.parse(page.body());
    // The form must post back into this context, not to the server root.
    assertEquals("/gateway" + OAuthClient.AUTHORIZE, approval.action());

    HttpResponse<String> redirect = client.decide(approval, "approve", "Administrator", "manage");
    assertEquals(302, redirect.statusCode(), redirect.body());
    assertTrue(redirect.headers().firstValue("Location").orElseThrow().startsWith(REDIRECT + "?code="));
    String code = OAuthClient.redirectParameters(redirect).get("code");
    assertEquals("ctx", OAuthClient.redirectParameters(redirect).get("state"));

    JsonObject body = new JsonObject();
    body.addProperty("redirect_uri", REDIRECT);
    body.addProperty("scope", "email");
    body.addProperty("grant_type", "authorization_code");
    body.addProperty("code", code);
    body.addProperty("code_verifier", verifier);
    body.addProperty("client_id", CLIENT_ID);
    HttpResponse<String> token = client.postJson(OAuthClient.TOKEN, body.toString(),
        "Authorization", OAuthClient.basic(CLIENT_ID, SECRET));
    assertEquals(200, token.statusCode(), token.body());
    String accessToken = OAuthClient.json(token).get("access_token").getAsString();

    HttpResponse<String> api = client.get("/api/orders", "Authorization", "Bearer " + accessToken);
    assertEquals(200, api.statusCode(), api.body());
    JsonObject caller = OAuthClient.json(api);
    // Routes are matched below the context path.
    assertEquals("/api/orders", caller.get("path").getAsString());
    assertEquals(CLIENT_ID, caller.get("client_id").getAsString());
    assertEquals("Administrator", caller.get("username").getAsString());
  }

  @Test
  void routesAreRelativeToTheContextPath() throws Exception {
    assertEquals(200, client.get("/health").statusCode());
    HttpResponse<String> denied = client.get("/api/orders");
    assertEquals(401, denied.statusCode());
    assertEquals(List.of("Bearer realm=\"portcullis\""), denied.headers().allValues("WWW-Authenticate"));
  }

  @Test
  void errorRedirectsAndPagesWorkUnderAContextPath() throws Exception {
    HttpResponse<String> unknown = client.get(OAuthClient.AUTHORIZE + "?" + OAuthClient.formEncode(
        params("response_type", "code", "client_id", "nobody", "redirect_uri", REDIRECT)));
    ItAssertions.assertErrorPage(unknown, 400, "invalid_request");
    HttpResponse<String> noPkce = client.get(OAuthClient.AUTHORIZE + "?" + OAuthClient.formEncode(
        params("response_type", "code", "client_id", CLIENT_ID, "redirect_uri", REDIRECT, "state", "s")));
    ItAssertions.assertErrorRedirect(noPkce, REDIRECT, "invalid_request", "s");
    ItAssertions.assertTokenError(client.get(OAuthClient.TOKEN), 405, "invalid_request");
  }
}
