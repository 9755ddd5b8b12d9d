package io.portcullis.oauth;

import static io.portcullis.oauth.AuthorizeServiceTest.assertErrorPage;
import static io.portcullis.oauth.AuthorizeServiceTest.assertErrorRedirect;
import static io.portcullis.oauth.OAuthFixture.MACHINE;
import static io.portcullis.oauth.OAuthFixture.REFRESHER;
import static io.portcullis.oauth.OAuthFixture.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;

/** The authorization endpoint serves only clients registered for the authorization-code grant. */
class AuthorizeServiceGrantTypesTest {

  final OAuthFixture f = OAuthFixture.standard();

  @Test
  void clientOfTheCodeGrantGetsTheApprovalPage() {
    AuthorizeOutcome.ShowApproval page = assertInstanceOf(AuthorizeOutcome.ShowApproval.class,
        f.authorize.start(params("response_type", "code", "client_id", REFRESHER)));
    assertEquals(REFRESHER, page.client().clientId());
  }

  @Test
  void clientWithoutRedirectUrisAndCodeGrantGetsAnErrorPage() {
    assertErrorPage(f.authorize.start(params("response_type", "code", "client_id", MACHINE)), 400,
        "unauthorized_client", "this client may not use the authorization_code grant (see grantTypes in its registration)");
  }

  @Test
  void clientWithRedirectUrisButNotTheCodeGrantIsRedirectedWithUnauthorizedClient() {
    OAuthFixture custom = OAuthFixture.withExtraClient("""
        {"clientId": "worker", "clientSecret": "{noop}w", "redirectUris": ["https://worker.example/cb"],
         "grantTypes": ["client_credentials"]},""");
    assertErrorRedirect(custom.authorize.start(params("response_type", "code", "client_id", "worker", "state", "s")),
        "https://worker.example/cb", "unauthorized_client",
        "this client may not use the authorization_code grant (see grantTypes in its registration)", "s");
  }
}
