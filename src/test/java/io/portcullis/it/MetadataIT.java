package io.portcullis.it;

import static io.portcullis.it.ConfigJson.CONFIDENTIAL;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_REDIRECT;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_SECRET;
import static io.portcullis.it.ConfigJson.PASSWORD;
import static io.portcullis.it.ConfigJson.USER;
import static io.portcullis.it.Grants.INTROSPECT;
import static io.portcullis.it.Grants.METADATA;
import static io.portcullis.it.Grants.REVOKE;
import static io.portcullis.it.OAuthClient.AUTHORIZE;
import static io.portcullis.it.OAuthClient.TOKEN;
import static io.portcullis.it.OAuthClient.basic;
import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RFC 8414 metadata at {@code /.well-known/oauth-authorization-server} (relative to the context)
 * and RFC 9207 {@code iss} on every authorization response, over real HTTP: at the root with the
 * issuer derived from the request, at {@code /gateway} with {@code plain} opted into, and with a
 * configured issuer.
 */
class MetadataIT {

  static final String CONFIGURED_ISSUER = "https://auth.example.com/gw";

  /** Root context, the grants() clients, no issuer configured. */
  @RegisterExtension static final PortcullisServer root = PortcullisServer.deploy(ConfigJson.grants());
  /** {@code /gateway}, the standard clients, {@code plain} opted into, no issuer configured. */
  @RegisterExtension static final PortcullisServer gateway =
      PortcullisServer.deploy(ConfigJson.standard().pkceMethods("S256", "plain")).at("/gateway");
  /** Root context, the standard clients, {@link #CONFIGURED_ISSUER}. */
  @RegisterExtension static final PortcullisServer configured =
      PortcullisServer.deploy(ConfigJson.standard().set("issuer", CONFIGURED_ISSUER));

  static JsonObject metadata(OAuthClient client, String... headers) throws Exception {
    HttpResponse<String> response = client.get(METADATA, headers);
    assertEquals(200, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    return OAuthClient.json(response);
  }

  static List<String> strings(JsonObject json, String member) {
    JsonArray array = json.getAsJsonArray(member);
    List<String> values = new ArrayList<>();
    array.forEach(e -> values.add(e.getAsString()));
    return values;
  }

  /** The members every deployment states, with the endpoints below {@code issuer}. */
  static void assertDescribes(JsonObject metadata, String issuer) {
    assertEquals(issuer, metadata.get("issuer").getAsString(), metadata.toString());
    assertEquals(issuer + AUTHORIZE, metadata.get("authorization_endpoint").getAsString());
    assertEquals(issuer + TOKEN, metadata.get("token_endpoint").getAsString());
    assertEquals(issuer + INTROSPECT, metadata.get("introspection_endpoint").getAsString());
    assertEquals(issuer + REVOKE, metadata.get("revocation_endpoint").getAsString());
    assertEquals(Set.of("client_secret_basic", "client_secret_post", "none"),
        new TreeSet<>(strings(metadata, "token_endpoint_auth_methods_supported")));
    assertTrue(metadata.get("authorization_response_iss_parameter_supported").getAsBoolean());
  }

  // ---- the metadata document ----

  @Test
  void atTheRootTheIssuerIsTheUrlTheRequestCameTo() throws Exception {
    JsonObject metadata = metadata(new OAuthClient(root));
    assertDescribes(metadata, root.baseUrl());
    assertEquals(List.of("S256"), strings(metadata, "code_challenge_methods_supported"));
    assertEquals(Set.of("authorization_code", "refresh_token", "client_credentials"),
        new TreeSet<>(strings(metadata, "grant_types_supported")));

    // Reached by another name, the derived issuer follows the request.
    String byName = "http://localhost:" + root.port();
    assertDescribes(metadata(new OAuthClient(byName)), byName);
  }

  @Test
  void underAContextPathTheIssuerAndEndpointsIncludeIt() throws Exception {
    assertEquals("/gateway", gateway.contextPath());
    JsonObject metadata = metadata(new OAuthClient(gateway));
    assertDescribes(metadata, "http://127.0.0.1:" + gateway.port() + "/gateway");
    assertEquals(List.of("S256", "plain"), strings(metadata, "code_challenge_methods_supported"));
    // Only the standard clients, all of the authorization-code grant alone.
    assertEquals(List.of("authorization_code"), strings(metadata, "grant_types_supported"));
  }

  @Test
  void aConfiguredIssuerIsStatedAsConfigured() throws Exception {
    assertDescribes(metadata(new OAuthClient(configured)), CONFIGURED_ISSUER);
  }

  @Test
  void theMetadataNeedsNoToken() throws Exception {
    OAuthClient client = new OAuthClient(root);
    // Every other unlisted path is behind the filter...
    assertEquals(401, client.get("/.well-known/something-else").statusCode());
    // ...the metadata is not, whatever the caller sends.
    metadata(client);
    metadata(client, "Authorization", "Bearer " + "0".repeat(64));
    metadata(new OAuthClient(gateway));
  }

  @Test
  void anotherMethodIsAJson405OfItsOwn() throws Exception {
    HttpResponse<String> post = new OAuthClient(root).post(METADATA, "application/x-www-form-urlencoded", "a=b");
    assertEquals(405, post.statusCode(), post.body());
    assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(null));
    assertEquals("invalid_request", com.google.gson.JsonParser.parseString(post.body()).getAsJsonObject()
        .get("error").getAsString());
  }

  @Test
  void theAdvertisedEndpointsAnswer() throws Exception {
    OAuthClient client = new OAuthClient(gateway);
    JsonObject metadata = metadata(client);
    String verifier = OAuthClient.newVerifier();
    Map<String, String> redirect = client.approve(params("response_type", "code", "client_id", CONFIDENTIAL,
        "redirect_uri", CONFIDENTIAL_REDIRECT, "scope", "email",
        "code_challenge", OAuthClient.challenge(verifier), "code_challenge_method", "S256"), USER, PASSWORD);
    HttpResponse<String> token = client.http().send(HttpRequest.newBuilder(
            URI.create(metadata.get("token_endpoint").getAsString()))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET))
        .POST(HttpRequest.BodyPublishers.ofString(OAuthClient.formEncode(params("grant_type", "authorization_code",
            "code", redirect.get("code"), "redirect_uri", CONFIDENTIAL_REDIRECT, "code_verifier", verifier))))
        .build(), HttpResponse.BodyHandlers.ofString());
    String access = Grants.issued(token).access();
    HttpResponse<String> introspection = client.http().send(HttpRequest.newBuilder(
            URI.create(metadata.get("introspection_endpoint").getAsString()))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Authorization", basic(CONFIDENTIAL, CONFIDENTIAL_SECRET))
        .POST(HttpRequest.BodyPublishers.ofString("token=" + access))
        .build(), HttpResponse.BodyHandlers.ofString());
    JsonObject answer = OAuthClient.json(introspection);
    assertTrue(answer.get("active").getAsBoolean(), introspection.body());
    assertEquals(metadata.get("issuer").getAsString(), answer.get("iss").getAsString());
  }

  // ---- iss on authorization responses (RFC 9207) ----

  @Test
  void everyAuthorizationResponseCarriesTheIssuer() throws Exception {
    for (PortcullisServer server : new PortcullisServer[] {root, gateway, configured}) {
      OAuthClient client = new OAuthClient(server);
      String issuer = metadata(client).get("issuer").getAsString();
      assertIssOnEveryResponse(client, issuer);
    }
  }

  @Test
  void aDerivedIssuerFollowsTheHostTheBrowserUsed() throws Exception {
    OAuthClient client = new OAuthClient("http://localhost:" + gateway.port() + "/gateway");
    assertIssOnEveryResponse(client, "http://localhost:" + gateway.port() + "/gateway");
  }

  private static void assertIssOnEveryResponse(OAuthClient client, String issuer) throws Exception {
    String verifier = OAuthClient.newVerifier();
    Map<String, String> query = params("response_type", "code", "client_id", CONFIDENTIAL,
        "redirect_uri", CONFIDENTIAL_REDIRECT, "scope", "email", "state", "st",
        "code_challenge", OAuthClient.challenge(verifier), "code_challenge_method", "S256");

    Map<String, String> approved = client.approve(query, USER, PASSWORD);
    assertEquals(issuer, approved.get("iss"), approved.toString());
    assertEquals("st", approved.get("state"));

    HttpResponse<String> denied = client.decide(client.authorize(query), "deny", null, null);
    Map<String, String> deniedParameters =
        ItAssertions.assertErrorRedirect(denied, CONFIDENTIAL_REDIRECT, "access_denied", "st");
    assertEquals(issuer, deniedParameters.get("iss"));

    // An error found in the request itself (no PKCE) is redirected with iss too.
    HttpResponse<String> noPkce = client.get(AUTHORIZE + "?" + OAuthClient.formEncode(params("response_type", "code",
        "client_id", CONFIDENTIAL, "redirect_uri", CONFIDENTIAL_REDIRECT, "state", "st")));
    assertEquals(issuer, ItAssertions.assertErrorRedirect(noPkce, CONFIDENTIAL_REDIRECT, "invalid_request", "st")
        .get("iss"));
    HttpResponse<String> badScope = client.get(AUTHORIZE + "?" + OAuthClient.formEncode(params("response_type", "code",
        "client_id", CONFIDENTIAL, "redirect_uri", CONFIDENTIAL_REDIRECT, "scope", "nope",
        "code_challenge", OAuthClient.challenge(verifier), "code_challenge_method", "S256")));
    assertEquals(issuer, ItAssertions.assertErrorRedirect(badScope, CONFIDENTIAL_REDIRECT, "invalid_scope", null)
        .get("iss"));
  }
}
