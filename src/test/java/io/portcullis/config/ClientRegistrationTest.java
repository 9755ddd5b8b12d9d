package io.portcullis.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The invariants a ClientRegistration keeps whoever builds it (the loader reports them first). */
class ClientRegistrationTest {

  static final StoredSecret SECRET = StoredSecret.parse("{noop}s");
  static final List<String> REDIRECT = List.of("https://app.example/cb");

  @Test
  void shortConstructorMeansTheAuthorizationCodeGrantAlone() {
    ClientRegistration client = new ClientRegistration("app", SECRET, "App", REDIRECT, Set.of("email"), true,
        Duration.ofSeconds(3600));
    assertEquals(Set.of("authorization_code"), client.grantTypes());
    assertEquals(Duration.ofDays(1), client.refreshTokenTtl());
    assertFalse(client.resourceServer());
    assertFalse(client.mayUse("refresh_token"));
  }

  @Test
  void unknownGrantTypeIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> registration(SECRET, REDIRECT, Set.of("authorization_code", "password")));
    assertTrue(e.getMessage().startsWith("unknown grant type in "), e.getMessage());
  }

  @Test
  void authorizationCodeNeedsARedirectUri() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> registration(SECRET, List.of(), Set.of("authorization_code")));
    assertEquals("a client of the authorization-code grant needs a redirect URI", e.getMessage());
    assertEquals(List.of(), registration(SECRET, List.of(), Set.of("client_credentials")).redirectUris());
  }

  @Test
  void clientCredentialsNeedsASecret() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> registration(null, REDIRECT, Set.of("authorization_code", "client_credentials")));
    assertEquals("client credentials are for confidential clients only", e.getMessage());
  }

  @Test
  void mayUseAnswersForTheListedGrantsOnly() {
    ClientRegistration client = registration(SECRET, REDIRECT, Set.of("authorization_code", "refresh_token"));
    assertTrue(client.mayUse("authorization_code"));
    assertTrue(client.mayUse("refresh_token"));
    assertFalse(client.mayUse("client_credentials"));
    assertFalse(client.mayUse("password"));
  }

  private static ClientRegistration registration(StoredSecret secret, List<String> redirectUris, Set<String> grants) {
    return new ClientRegistration("app", secret, "App", redirectUris, Set.of("email"), true, Duration.ofSeconds(3600),
        grants, Duration.ofDays(1), false);
  }
}
