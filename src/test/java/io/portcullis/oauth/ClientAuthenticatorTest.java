package io.portcullis.oauth;

import static io.portcullis.oauth.OAuthFixture.CONFIDENTIAL;
import static io.portcullis.oauth.OAuthFixture.CONFIDENTIAL_SECRET;
import static io.portcullis.oauth.OAuthFixture.HASHED;
import static io.portcullis.oauth.OAuthFixture.HASHED_SECRET;
import static io.portcullis.oauth.OAuthFixture.SPA;
import static io.portcullis.oauth.OAuthFixture.basic;
import static io.portcullis.oauth.OAuthFixture.params;
import static io.portcullis.oauth.TokenServiceTest.assertOAuthError;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.portcullis.config.ClientRegistration;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ClientAuthenticatorTest {

  final OAuthFixture f = OAuthFixture.standard();
  final ClientAuthenticator clients = f.clients;

  // ---- accepted ----

  @Test
  void basicWithTheRightSecret() {
    ClientRegistration client = clients.authenticate(basic(CONFIDENTIAL, CONFIDENTIAL_SECRET), params());
    assertEquals(CONFIDENTIAL, client.clientId());
  }

  @Test
  void basicCredentialsAreFormUrlDecoded() {
    // RFC 6749 §2.3.1: "hashed:se cret+%42" travels as hashed%3Ase+cret%2B%2542.
    String header = basic(HASHED, HASHED_SECRET);
    assertEquals("Basic " + b64("hashed:hashed%3Ase+cret%2B%2542"), header);
    assertEquals(HASHED, clients.authenticate(header, params()).clientId());
  }

  @Test
  void basicSecretWithAnUnencodedColonStillSplitsAtTheFirstColon() {
    // Everything after the first colon is the secret; a ':' there is not ambiguous.
    assertEquals(HASHED, clients.authenticate("Basic " + b64("hashed:hashed:se+cret%2B%2542"), params()).clientId());
  }

  @Test
  void basicUnencodedPercentIsDecodedAsAnEscape() {
    // A client that forgets to encode sends %42, which means 'B': the secret is then wrong.
    assertOAuthError(() -> clients.authenticate("Basic " + b64("hashed:hashed:se+cret%2B%42"), params()),
        "invalid_client", 401, ClientAuthenticator.FAILED);
  }

  @Test
  void basicPlusMeansSpaceAndAnEncodedPlusIsAPlus() {
    // An unencoded '+' is a space, so "+" for "+" yields "se cret %42": wrong.
    assertOAuthError(() -> clients.authenticate("Basic " + b64("hashed:hashed%3Ase+cret+%2542"), params()),
        "invalid_client", 401, ClientAuthenticator.FAILED);
    // "%20" is a space as well as "+".
    assertEquals(HASHED, clients.authenticate("Basic " + b64("hashed:hashed%3Ase%20cret%2B%2542"), params())
        .clientId());
  }

  @Test
  void basicSchemeIsCaseInsensitive() {
    String header = basic(CONFIDENTIAL, CONFIDENTIAL_SECRET).replace("Basic ", "bAsIc ");
    assertEquals(CONFIDENTIAL, clients.authenticate(header, params()).clientId());
  }

  @Test
  void basicWithAMatchingClientIdInTheBody() {
    ClientRegistration client = clients.authenticate(basic(CONFIDENTIAL, CONFIDENTIAL_SECRET),
        params("client_id", CONFIDENTIAL));
    assertEquals(CONFIDENTIAL, client.clientId());
  }

  @Test
  void secretInTheBody() {
    ClientRegistration client = clients.authenticate(null,
        params("client_id", CONFIDENTIAL, "client_secret", CONFIDENTIAL_SECRET));
    assertEquals(CONFIDENTIAL, client.clientId());
    assertEquals(HASHED, clients.authenticate(null, params("client_id", HASHED, "client_secret", HASHED_SECRET))
        .clientId());
  }

  @Test
  void publicClientWithClientIdAlone() {
    ClientRegistration client = clients.authenticate(null, params("client_id", SPA));
    assertEquals(SPA, client.clientId());
  }

  // ---- invalid_request ----

  @Test
  void basicAndBodySecretTogetherIsInvalidRequest() {
    assertOAuthError(() -> clients.authenticate(basic(CONFIDENTIAL, CONFIDENTIAL_SECRET),
            params("client_id", CONFIDENTIAL, "client_secret", CONFIDENTIAL_SECRET)),
        "invalid_request", 400,
        "the client authenticated twice (HTTP Basic and client_secret); use one method (RFC 6749 section 2.3)");
  }

  @Test
  void bodyClientIdDisagreeingWithBasicIsInvalidRequest() {
    assertOAuthError(() -> clients.authenticate(basic(CONFIDENTIAL, CONFIDENTIAL_SECRET), params("client_id", SPA)),
        "invalid_request", 400, "client_id in the body does not match the client in the Authorization header");
  }

  // ---- invalid_client, 401 ----

  @Test
  void wrongSecretIsInvalidClient() {
    assertOAuthError(() -> clients.authenticate(basic(CONFIDENTIAL, "wrong"), params()),
        "invalid_client", 401, ClientAuthenticator.FAILED);
    assertOAuthError(() -> clients.authenticate(null, params("client_id", CONFIDENTIAL, "client_secret", "wrong")),
        "invalid_client", 401, ClientAuthenticator.FAILED);
    assertOAuthError(() -> clients.authenticate(basic(HASHED, "hashed:se cret+%43"), params()),
        "invalid_client", 401, ClientAuthenticator.FAILED);
  }

  /** An unknown client_id gets the very answer a known one with a wrong secret gets: ids cannot be listed. */
  @Test
  void unknownClientIsInvalidClientWithTheSameDescription() {
    assertOAuthError(() -> clients.authenticate(basic("nope", "x"), params()),
        "invalid_client", 401, ClientAuthenticator.FAILED);
    assertOAuthError(() -> clients.authenticate(null, params("client_id", "nope", "client_secret", "x")),
        "invalid_client", 401, ClientAuthenticator.FAILED);
    assertOAuthError(() -> clients.authenticate(null, params("client_id", "nope")),
        "invalid_client", 401, ClientAuthenticator.FAILED);
    assertOAuthError(() -> clients.authenticate(null, params("client_id", "x".repeat(5000))),
        "invalid_client", 401, ClientAuthenticator.FAILED);
  }

  @Test
  void confidentialClientWithoutSecretIsInvalidClient() {
    assertOAuthError(() -> clients.authenticate(null, params("client_id", CONFIDENTIAL)), "invalid_client", 401,
        ClientAuthenticator.FAILED);
    assertOAuthError(() -> clients.authenticate("Basic " + b64("confidential:"), params()), "invalid_client", 401,
        ClientAuthenticator.FAILED);
  }

  @Test
  void publicClientWithASecretIsInvalidClient() {
    assertOAuthError(() -> clients.authenticate(null, params("client_id", SPA, "client_secret", "x")),
        "invalid_client", 401, ClientAuthenticator.FAILED);
    assertOAuthError(() -> clients.authenticate(basic(SPA, "x"), params()), "invalid_client", 401,
        ClientAuthenticator.FAILED);
  }

  @Test
  void noClientAuthenticationIsInvalidClient() {
    assertOAuthError(() -> clients.authenticate(null, params("grant_type", "authorization_code")),
        "invalid_client", 401,
        "client authentication is required: HTTP Basic, client_id + client_secret, or client_id for a public client");
  }

  @Test
  void secretWithoutClientIdIsInvalidClient() {
    assertOAuthError(() -> clients.authenticate(null, params("client_secret", CONFIDENTIAL_SECRET)),
        "invalid_client", 401,
        "client authentication is required: HTTP Basic, client_id + client_secret, or client_id for a public client");
  }

  // ---- malformed Basic ----

  @Test
  void otherAuthorizationSchemesAreInvalidClient() {
    String expected = "only HTTP Basic client authentication is accepted in the Authorization header";
    for (String header : new String[] {"Bearer abc", "Basic", "Basicx", "Digest username=x", ""}) {
      assertOAuthError(() -> clients.authenticate(header, params()), "invalid_client", 401, expected);
    }
  }

  @Test
  void basicThatIsNotBase64IsInvalidClient() {
    String expected = "the Basic Authorization header is not valid base64 of UTF-8 text";
    assertOAuthError(() -> clients.authenticate("Basic !!!", params()), "invalid_client", 401, expected);
    assertOAuthError(() -> clients.authenticate("Basic " + b64("confidential:s3cret") + "*", params()),
        "invalid_client", 401, expected);
  }

  @Test
  void basicThatIsNotUtf8IsInvalidClient() {
    String header = "Basic " + Base64.getEncoder().encodeToString(new byte[] {'a', ':', (byte) 0xff, (byte) 0xfe});
    assertOAuthError(() -> clients.authenticate(header, params()), "invalid_client", 401,
        "the Basic Authorization header is not valid base64 of UTF-8 text");
  }

  @Test
  void basicWithoutAColonIsInvalidClient() {
    assertOAuthError(() -> clients.authenticate("Basic " + b64("confidential"), params()), "invalid_client", 401,
        "the Basic Authorization header must hold client_id:client_secret");
  }

  @Test
  void basicWithAnEmptyClientIdIsInvalidClient() {
    assertOAuthError(() -> clients.authenticate("Basic " + b64(":s3cret"), params()), "invalid_client", 401,
        "the Basic Authorization header has an empty client_id");
  }

  @Test
  void basicWithAMalformedEscapeIsInvalidClient() {
    String expected = "the Basic Authorization header has a malformed %-escape";
    assertOAuthError(() -> clients.authenticate("Basic " + b64("confidential:s3cret%zz"), params()),
        "invalid_client", 401, expected);
    assertOAuthError(() -> clients.authenticate("Basic " + b64("conf%2:s3cret"), params()),
        "invalid_client", 401, expected);
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
