package io.portcullis.oauth;

import static io.portcullis.oauth.OAuthFixture.CONFIDENTIAL_REDIRECT;
import static io.portcullis.oauth.OAuthFixture.LEGACY;
import static io.portcullis.oauth.OAuthFixture.LEGACY_REDIRECT;
import static io.portcullis.oauth.OAuthFixture.base;
import static io.portcullis.oauth.OAuthFixture.form;
import static io.portcullis.oauth.OAuthFixture.params;
import static io.portcullis.oauth.OAuthFixture.query;
import static io.portcullis.oauth.OAuthFixture.validRequest;
import static io.portcullis.oauth.OAuthFixture.validRequestWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RFC 9207: {@code iss} on every authorization response that goes back to the client. */
class AuthorizeServiceIssTest {

  static final String ISSUER = "https://gateway.example/oauth";

  final OAuthFixture f = OAuthFixture.standard();

  // ---- with an issuer ----

  @Test
  void codeRedirectCarriesIss() {
    AuthorizeOutcome.ShowApproval page = start(params(validRequest()), ISSUER);
    Map<String, String> query = redirect(decide(page, "approve", "alice", "wonderland", ISSUER), CONFIDENTIAL_REDIRECT);
    assertEquals(List.of("code", "state", "iss"), List.copyOf(query.keySet()));
    assertEquals(ISSUER, query.get("iss"));
    assertEquals("xyz", query.get("state"));
  }

  @Test
  void codeRedirectWithoutStateStillCarriesIss() {
    AuthorizeOutcome.ShowApproval page = start(params("response_type", "code", "client_id", LEGACY), ISSUER);
    Map<String, String> query = redirect(decide(page, "approve", "alice", "wonderland", ISSUER), LEGACY_REDIRECT);
    assertEquals(List.of("code", "iss"), List.copyOf(query.keySet()));
    assertEquals(ISSUER, query.get("iss"));
  }

  @Test
  void errorRedirectOfTheRequestCarriesIss() {
    Map<String, String> query = redirect(f.authorize.start(validRequestWith("response_type", "token"), ISSUER),
        CONFIDENTIAL_REDIRECT);
    assertEquals("unsupported_response_type", query.get("error"));
    assertEquals("xyz", query.get("state"));
    assertEquals(ISSUER, query.get("iss"));

    query = redirect(f.authorize.start(validRequestWith("scope", "admin"), ISSUER), CONFIDENTIAL_REDIRECT);
    assertEquals("invalid_scope", query.get("error"));
    assertEquals(ISSUER, query.get("iss"));
  }

  @Test
  void accessDeniedCarriesIss() {
    AuthorizeOutcome.ShowApproval page = start(params(validRequest()), ISSUER);
    Map<String, String> query = redirect(decide(page, "deny", null, null, ISSUER), CONFIDENTIAL_REDIRECT);
    assertEquals("access_denied", query.get("error"));
    assertEquals("the user denied the request", query.get("error_description"));
    assertEquals(List.of("error", "error_description", "state", "iss"), List.copyOf(query.keySet()));
    assertEquals(ISSUER, query.get("iss"));
  }

  @Test
  void accessDeniedAfterTooManyWrongPasswordsCarriesIss() {
    AuthorizeOutcome.ShowApproval page = start(params(validRequest()), ISSUER);
    for (int i = 1; i < AuthorizeService.MAX_APPROVAL_ATTEMPTS; i++) {
      assertInstanceOf(AuthorizeOutcome.ShowApproval.class, decide(page, "approve", "alice", "guess-" + i, ISSUER));
    }
    Map<String, String> query = redirect(decide(page, "approve", "alice", "guess-5", ISSUER), CONFIDENTIAL_REDIRECT);
    assertEquals("access_denied", query.get("error"));
    assertEquals(ISSUER, query.get("iss"));
  }

  @Test
  void issIsFormEncoded() {
    String issuer = "https://gateway.example/a b?x=1&y=2";
    Map<String, String> query = redirect(f.authorize.start(validRequestWith("response_type", "token"), issuer),
        CONFIDENTIAL_REDIRECT);
    assertEquals(issuer, query.get("iss"), "decoded back to the issuer, not split into other parameters");
    assertFalse(query.containsKey("y"));
  }

  @Test
  void errorPagesHaveNoRedirectAndSoNoIss() {
    assertInstanceOf(AuthorizeOutcome.ErrorPage.class,
        f.authorize.start(validRequestWith("redirect_uri", "https://evil.example/cb"), ISSUER));
  }

  // ---- without an issuer ----

  @Test
  void nullIssuerMeansNoIssOnAnyRedirect() {
    AuthorizeOutcome.ShowApproval page = start(params(validRequest()), null);
    Map<String, String> code = redirect(decide(page, "approve", "alice", "wonderland", null), CONFIDENTIAL_REDIRECT);
    assertEquals(List.of("code", "state"), List.copyOf(code.keySet()));

    Map<String, String> error = redirect(f.authorize.start(validRequestWith("response_type", "token"), null),
        CONFIDENTIAL_REDIRECT);
    assertFalse(error.containsKey("iss"), error.toString());

    AuthorizeOutcome.ShowApproval denied = start(params(validRequest()), null);
    Map<String, String> deny = redirect(decide(denied, "deny", null, null, null), CONFIDENTIAL_REDIRECT);
    assertEquals(List.of("error", "error_description", "state"), List.copyOf(deny.keySet()));
  }

  @Test
  void withoutAConfiguredIssuerTheShortFormsSendNoIss() {
    AuthorizeOutcome.ShowApproval page = f.approvalPage(params(validRequest()));
    Map<String, String> query = redirect(f.decide(page, "approve", "alice", "wonderland"), CONFIDENTIAL_REDIRECT);
    assertFalse(query.containsKey("iss"), query.toString());
    assertFalse(redirect(f.authorize.start(validRequestWith("response_type", "token")), CONFIDENTIAL_REDIRECT)
        .containsKey("iss"));
  }

  @Test
  void theShortFormsSendTheConfiguredIssuer() {
    OAuthFixture configured = OAuthFixture.withIssuer("https://configured.example");
    AuthorizeOutcome.ShowApproval page = configured.approvalPage(params(validRequest()));
    Map<String, String> query = redirect(configured.decide(page, "approve", "alice", "wonderland"),
        CONFIDENTIAL_REDIRECT);
    assertEquals("https://configured.example", query.get("iss"));
    assertEquals("https://configured.example",
        redirect(configured.authorize.start(validRequestWith("response_type", "token")), CONFIDENTIAL_REDIRECT)
            .get("iss"));
  }

  // ---- helpers ----

  private AuthorizeOutcome.ShowApproval start(Parameters request, String issuer) {
    return assertInstanceOf(AuthorizeOutcome.ShowApproval.class, f.authorize.start(request, issuer));
  }

  private AuthorizeOutcome decide(AuthorizeOutcome.ShowApproval page, String decision, String username,
      String password, String issuer) {
    return f.authorize.decide(form(page, decision, username, password), f.authorize.configUsers(), issuer);
  }

  private static Map<String, String> redirect(AuthorizeOutcome outcome, String redirectUri) {
    String location = assertInstanceOf(AuthorizeOutcome.Redirect.class, outcome).location();
    assertEquals(redirectUri, base(location));
    assertTrue(location.startsWith(redirectUri + "?"), location);
    return query(location);
  }
}
