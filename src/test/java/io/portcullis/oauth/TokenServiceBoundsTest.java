package io.portcullis.oauth;

import static io.portcullis.oauth.OAuthFixture.REFRESHER;
import static io.portcullis.oauth.OAuthFixture.REFRESHER_SECRET;
import static io.portcullis.oauth.OAuthFixture.basic;
import static io.portcullis.oauth.OAuthFixture.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.PortcullisConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Bounds one client cannot break: its quota of live access tokens (so it cannot crowd the
 * others' tokens out of the store), the lifetime of a grant however often it is refreshed, and
 * a refresh never handing out a scope the client's registration no longer allows.
 */
class TokenServiceBoundsTest {

  static final String QUOTA_CLIENT = """
      {"clientId": "quota", "clientSecret": "{noop}quota-secret", "scopes": ["read"],
       "grantTypes": ["client_credentials"], "accessTokenTtlSeconds": 300, "maxLiveTokens": 3},
      {"clientId": "limited", "clientSecret": "{noop}limited-secret", "scopes": ["email"],
       "redirectUris": ["https://limited.example/cb"], "maxLiveTokens": 1},
      """;

  final OAuthFixture f = OAuthFixture.withExtraClient(QUOTA_CLIENT);

  TokenResponse quotaToken() {
    return f.token.exchange(basic("quota", "quota-secret"), params("grant_type", "client_credentials"));
  }

  // ---- maxLiveTokens ----

  @Test
  void aClientGetsNoMoreLiveTokensThanItsQuota() {
    List<TokenResponse> issued = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      issued.add(quotaToken());
    }
    OAuthException refused = assertThrows(OAuthException.class, this::quotaToken);
    assertEquals(429, refused.status());
    assertEquals("temporarily_unavailable", refused.error());
    assertEquals("this client already holds its limit of 3 live access tokens; reuse them until they expire, "
        + "or revoke some", refused.description());
    // Other clients are not held up.
    f.machineToken(null);
    // A revoked token frees its place; so does an expired one.
    f.store.revokeAccessToken(issued.get(0).accessToken());
    quotaToken();
    assertThrows(OAuthException.class, this::quotaToken);
    f.clock.advanceSeconds(300);
    for (int i = 0; i < 3; i++) {
      quotaToken();
    }
    assertEquals(3, f.store.liveAccessTokens("quota"));
  }

  @Test
  void parallelRequestsGetExactlyTheQuota() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(32);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Boolean>> results = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      results.add(pool.submit(() -> {
        go.await();
        try {
          quotaToken();
          return true;
        } catch (OAuthException e) {
          assertEquals(429, e.status());
          return false;
        }
      }));
    }
    go.countDown();
    int issued = 0;
    for (Future<Boolean> result : results) {
      issued += result.get() ? 1 : 0;
    }
    pool.shutdown();
    assertEquals(3, issued);
    assertEquals(3, f.store.liveAccessTokens("quota"));
  }

  @Test
  void aCodeIsNotSpentWhileItsClientIsAtItsQuota() {
    // redirect_uri left out: the client has one, so the token requests need not name it either.
    String first = f.code(params("response_type", "code", "client_id", "limited"));
    String second = f.code(params("response_type", "code", "client_id", "limited"));
    TokenResponse token = f.token.exchange(basic("limited", "limited-secret"),
        params("grant_type", "authorization_code", "code", first));
    assertEquals(429, assertThrows(OAuthException.class, () -> f.token.exchange(basic("limited", "limited-secret"),
        params("grant_type", "authorization_code", "code", second))).status());
    f.store.revokeAccessToken(token.accessToken());
    // The second code survived the refusal.
    f.token.exchange(basic("limited", "limited-secret"), params("grant_type", "authorization_code", "code", second));
  }

  // ---- maxGrantLifetimeSeconds ----

  @Test
  void noTokenOutlivesItsGrantHoweverOftenItIsRefreshed() {
    // refresher: access tokens 600 s, refresh tokens 7200 s; grants live 3000 s.
    OAuthFixture g = OAuthFixture.withTopLevel("\"maxGrantLifetimeSeconds\": 3000,");
    TokenResponse first = g.refresherTokens();
    assertEquals(g.clock.instant().plusSeconds(3000), g.store.findRefreshToken(first.refreshToken()).orElseThrow()
        .expiresAt(), "the refresh token ends with the grant, before its own 7200 s");
    String refresh = first.refreshToken();
    for (int i = 0; i < 4; i++) {
      g.clock.advanceSeconds(580);
      refresh = g.refresh(refresh, null).refreshToken();
    }
    g.clock.advanceSeconds(580); // 2900 s into the grant
    TokenResponse late = g.refresh(refresh, null);
    assertEquals(100, late.expiresIn(), "the access token ends with the grant, before its own 600 s");
    g.clock.advanceSeconds(100);
    OAuthException over = assertThrows(OAuthException.class, () -> g.refresh(late.refreshToken(), null));
    assertEquals("invalid_grant", over.error());
  }

  // ---- scopes the registration no longer allows ----

  /** The refresher client of the fixture, with its registration's scopes replaced. */
  TokenService withRefresherScopes(String scopesJson) throws Exception {
    String changed = f.json.replace("\"redirectUris\": [\"https://refresher.example/cb\"], "
        + "\"scopes\": [\"email\", \"profile\", \"orders\"]", "\"redirectUris\": [\"https://refresher.example/cb\"], "
        + "\"scopes\": " + scopesJson);
    assertTrue(!changed.equals(f.json), "the fixture's refresher client changed its form");
    PortcullisConfig config = ConfigLoader.load("changed", JsonParser.parseString(changed));
    return new TokenService(config, f.store, new ClientAuthenticator(config, f.throttle, f.audit), f.random, f.clock,
        f.audit);
  }

  @Test
  void aRefreshRefusedForItsScopeSpendsNothing() throws Exception {
    TokenResponse tokens = f.refresherTokens();
    TokenService narrowed = withRefresherScopes("[\"email\"]");
    assertEquals("invalid_scope", assertThrows(OAuthException.class, () -> narrowed.exchange(
        basic(REFRESHER, REFRESHER_SECRET), params("grant_type", "refresh_token", "refresh_token",
            tokens.refreshToken(), "scope", "profile"))).error());
    // Not spent: the retry without the scope works, and revokes nothing.
    assertEquals("email", narrowed.exchange(basic(REFRESHER, REFRESHER_SECRET),
        params("grant_type", "refresh_token", "refresh_token", tokens.refreshToken())).scope());
    assertTrue(f.store.findAccessToken(tokens.accessToken()).isPresent());
  }

  @Test
  void aGrantWithNoScopeLeftIsInvalidGrantAndIsNotSpent() throws Exception {
    TokenResponse tokens = f.refresherTokens();
    TokenService unrelated = withRefresherScopes("[\"admin\"]");
    assertEquals("invalid_grant", assertThrows(OAuthException.class, () -> unrelated.exchange(
        basic(REFRESHER, REFRESHER_SECRET), params("grant_type", "refresh_token", "refresh_token",
            tokens.refreshToken()))).error());
    f.refresh(tokens.refreshToken(), null); // the registration restored: the grant goes on
  }

  @Test
  void parallelCodeExchangesAtTheQuotaSpendOnlyTheCodesTheyRedeem() throws Exception {
    List<String> codes = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      codes.add(f.code(params("response_type", "code", "client_id", "limited")));
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<String[]>> results = new ArrayList<>();
    for (String code : codes) {
      results.add(pool.submit(() -> {
        go.await();
        try {
          TokenResponse token = f.token.exchange(basic("limited", "limited-secret"),
              params("grant_type", "authorization_code", "code", code));
          return new String[] {code, token.accessToken()};
        } catch (OAuthException e) {
          assertEquals(429, e.status());
          return null;
        }
      }));
    }
    go.countDown();
    List<String[]> redeemed = new ArrayList<>();
    for (Future<String[]> result : results) {
      if (result.get() != null) {
        redeemed.add(result.get());
      }
    }
    pool.shutdown();
    assertEquals(1, redeemed.size(), "a quota of one");
    // Every other code is still good once the place is free again.
    f.store.revokeAccessToken(redeemed.get(0)[1]);
    String other = codes.stream().filter(c -> !c.equals(redeemed.get(0)[0])).findFirst().orElseThrow();
    f.token.exchange(basic("limited", "limited-secret"), params("grant_type", "authorization_code", "code", other));
  }

  @Test
  void aRefreshGivesNoScopeTheClientsRegistrationNoLongerAllows() throws Exception {
    TokenResponse tokens = f.refresherTokens();
    assertEquals("email profile orders", tokens.scope());
    // The operator takes profile and orders from the client's registration.
    String narrowed = f.json.replace("\"redirectUris\": [\"https://refresher.example/cb\"], "
        + "\"scopes\": [\"email\", \"profile\", \"orders\"]", "\"redirectUris\": [\"https://refresher.example/cb\"], "
        + "\"scopes\": [\"email\"]");
    assertTrue(!narrowed.equals(f.json), "the fixture's refresher client changed its form");
    PortcullisConfig config = ConfigLoader.load("narrowed", JsonParser.parseString(narrowed));
    TokenService service = new TokenService(config, f.store, new ClientAuthenticator(config, f.throttle, f.audit),
        f.random, f.clock, f.audit);
    TokenResponse refreshed = service.exchange(basic(REFRESHER, REFRESHER_SECRET),
        params("grant_type", "refresh_token", "refresh_token", tokens.refreshToken()));
    assertEquals("email", refreshed.scope());
    assertEquals("email", f.store.findRefreshToken(refreshed.refreshToken()).orElseThrow().scope(),
        "the grant itself is narrowed: a later registration change does not bring them back");
    assertThrows(OAuthException.class, () -> service.exchange(basic(REFRESHER, REFRESHER_SECRET),
        params("grant_type", "refresh_token", "refresh_token", refreshed.refreshToken(), "scope", "profile")));
  }
}
