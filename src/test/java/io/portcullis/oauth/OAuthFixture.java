package io.portcullis.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.google.gson.JsonParser;
import io.portcullis.config.ConfigException;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.PortcullisConfig;
import io.portcullis.config.StoredSecret;
import io.portcullis.store.CaffeineTokenStore;
import io.portcullis.testing.MutableClock;
import io.portcullis.testing.Secrets;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The oauth services wired as the bootstrap wires them, with a real Caffeine store, a config built
 * by ConfigLoader and a clock that tests move by hand.
 *
 * <ul>
 *   <li>{@code confidential}: secret {@code s3cret}, PKCE by its own enforcePkce, token TTL 900 s,
 *       two redirect URIs (so the token request must name one), scopes email profile orders.
 *   <li>{@code legacy}: secret {@code legacy-secret}, no PKCE (global enforcePkce is false), one
 *       redirect URI, scope email, the global token TTL of 3600 s.
 *   <li>{@code spa}: public client, PKCE always.
 *   <li>{@code hashed}: a {sha256} secret {@code hashed:se cret+%42}, every character Basic must escape.
 *   <li>{@code refresher}: secret {@code refresher-secret}, authorization_code and refresh_token, no
 *       PKCE, one redirect URI, scopes email profile orders, access TTL 600 s, refresh TTL 7200 s.
 *   <li>{@code refresher2}: secret {@code refresher2-secret}, authorization_code and refresh_token,
 *       scope email, the global refresh TTL of 86400 s.
 *   <li>{@code machine}: secret {@code machine-secret}, client_credentials only, no redirect URI,
 *       scopes read write admin, access TTL 300 s.
 *   <li>{@code gateway}: secret {@code gateway-secret}, client_credentials only, a resource server
 *       (may introspect every client's tokens).
 * </ul>
 * Users: alice/wonderland ({noop}) and bob/builder ({pbkdf2-sha256}).
 */
final class OAuthFixture {

  static final String CONFIDENTIAL = "confidential";
  static final String CONFIDENTIAL_SECRET = "s3cret";
  static final String CONFIDENTIAL_REDIRECT = "https://app.example/cb";
  static final String CONFIDENTIAL_OTHER_REDIRECT = "https://app.example/other?x=1";
  static final String LEGACY = "legacy";
  static final String LEGACY_SECRET = "legacy-secret";
  static final String LEGACY_REDIRECT = "https://legacy.example/cb";
  static final String SPA = "spa";
  static final String SPA_REDIRECT = "https://spa.example/cb";
  static final String HASHED = "hashed";
  static final String HASHED_SECRET = "hashed:se cret+%42";
  static final String REFRESHER = "refresher";
  static final String REFRESHER_SECRET = "refresher-secret";
  static final String REFRESHER2 = "refresher2";
  static final String REFRESHER2_SECRET = "refresher2-secret";
  static final String MACHINE = "machine";
  static final String MACHINE_SECRET = "machine-secret";
  static final String GATEWAY = "gateway";
  static final String GATEWAY_SECRET = "gateway-secret";

  /** Hashed once per run: even 10 000 PBKDF2 iterations add up over a few hundred fixtures. */
  private static final String BOB_PASSWORD = Secrets.pbkdf2("builder");
  private static final String HASHED_CLIENT_SECRET = StoredSecret.hash(StoredSecret.SHA256, HASHED_SECRET);

  /** RFC 7636 Appendix B. */
  static final String VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  static final String CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

  final MutableClock clock = new MutableClock();
  /** The config file's text, for a test that loads a changed one. */
  final String json;
  final PortcullisConfig config;
  final CaffeineTokenStore store;
  final RandomValues random = new RandomValues();
  final AuthorizeService authorize;
  final ClientAuthenticator clients;
  final Throttle throttle;
  final Audit audit;
  final TokenService token;
  final BearerTokenValidator bearer;
  final IntrospectionService introspection;
  final RevocationService revocation;
  final IncidentRevocation incident;

  private OAuthFixture(String extraTopLevel) {
    this(extraTopLevel, "");
  }

  private OAuthFixture(String extraTopLevel, String extraClients) {
    String json = """
        {
          %s
          "enforcePkce": false,
          "authorizationCodeTtlSeconds": 600,
          "accessTokenTtlSeconds": 3600,
          "authorizationRequestTtlSeconds": 300,
          "users": [
            {"username": "alice", "password": "{noop}wonderland"},
            {"username": "bob", "password": "%s"}
          ],
          "clients": [
            %s
            {"clientId": "confidential", "clientSecret": "{noop}s3cret", "name": "Confidential <App>",
             "redirectUris": ["https://app.example/cb", "https://app.example/other?x=1"],
             "scopes": ["email", "profile", "orders"], "enforcePkce": true, "accessTokenTtlSeconds": 900},
            {"clientId": "legacy", "clientSecret": "{noop}legacy-secret",
             "redirectUris": ["https://legacy.example/cb"], "scopes": ["email"]},
            {"clientId": "spa", "redirectUris": ["https://spa.example/cb"], "scopes": ["email"]},
            {"clientId": "hashed", "clientSecret": "%s",
             "redirectUris": ["https://hashed.example/cb"], "scopes": ["email"], "enforcePkce": true},
            {"clientId": "refresher", "clientSecret": "{noop}refresher-secret",
             "redirectUris": ["https://refresher.example/cb"], "scopes": ["email", "profile", "orders"],
             "grantTypes": ["authorization_code", "refresh_token"], "accessTokenTtlSeconds": 600,
             "refreshTokenTtlSeconds": 7200},
            {"clientId": "refresher2", "clientSecret": "{noop}refresher2-secret",
             "redirectUris": ["https://refresher2.example/cb"], "scopes": ["email"],
             "grantTypes": ["authorization_code", "refresh_token"]},
            {"clientId": "machine", "clientSecret": "{noop}machine-secret", "scopes": ["read", "write", "admin"],
             "grantTypes": ["client_credentials"], "accessTokenTtlSeconds": 300},
            {"clientId": "gateway", "clientSecret": "{noop}gateway-secret",
             "grantTypes": ["client_credentials"], "resourceServer": true}
          ],
          "routes": [
            {"path": "/health", "public": true},
            {"path": "/api/*", "scopes": ["email"]},
            {"path": "/api/admin/*", "scopes": ["orders"]},
            {"path": "/api/admin/open", "public": true},
            {"path": "/api/profile", "scopes": ["email", "profile"]}
          ]
        }
        """.formatted(extraTopLevel, BOB_PASSWORD, extraClients, HASHED_CLIENT_SECRET);
    this.json = json;
    try {
      config = ConfigLoader.load("test", JsonParser.parseString(json));
    } catch (ConfigException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    store = new CaffeineTokenStore(config.store(), clock);
    throttle = new Throttle(config.throttling(), store, clock);
    audit = new Audit(clock);
    authorize = new AuthorizeService(config, store, new ConfigUsers(config), random, clock, throttle, audit);
    clients = new ClientAuthenticator(config, throttle, audit);
    token = new TokenService(config, store, clients, random, clock, audit);
    bearer = new BearerTokenValidator(config, store);
    introspection = new IntrospectionService(store, clients);
    revocation = new RevocationService(store, clients, clock, config.longestTokenLifetime(), audit);
    incident = new IncidentRevocation(store, clock, IncidentRevocation.longestLifetime(config), audit);
  }

  /** S256 only. */
  static OAuthFixture standard() {
    return new OAuthFixture("");
  }

  /** {@code "pkceMethods": ["S256", "plain"]}. */
  static OAuthFixture withPlain() {
    return new OAuthFixture("\"pkceMethods\": [\"S256\", \"plain\"],");
  }

  /** {@code "issuer"} set, so the one-argument start and decide send it as {@code iss}. */
  static OAuthFixture withIssuer(String issuer) {
    return new OAuthFixture("\"issuer\": \"" + issuer + "\",");
  }

  /** Top-level keys of its own, given as JSON members each followed by a comma. */
  static OAuthFixture withTopLevel(String members) {
    return new OAuthFixture(members);
  }

  /** One more client, given as a JSON object followed by a comma. */
  static OAuthFixture withExtraClient(String clientJson) {
    return new OAuthFixture("", clientJson);
  }

  /** The approval form of {@code page}; a {@code null} field is left out. */
  static Parameters form(AuthorizeOutcome.ShowApproval page, String decision, String username, String password) {
    List<String> form = new ArrayList<>(List.of(AuthorizeService.TRANSACTION_ID, page.transactionId(),
        AuthorizeService.CSRF_TOKEN, page.csrfToken()));
    String[] optional = {AuthorizeService.DECISION, decision, AuthorizeService.USERNAME, username,
        AuthorizeService.PASSWORD, password};
    for (int i = 0; i < optional.length; i += 2) {
      if (optional[i + 1] != null) {
        form.add(optional[i]);
        form.add(optional[i + 1]);
      }
    }
    return params(form);
  }

  // ---- parameters ----

  /** Name/value pairs; a name may repeat. */
  static Parameters params(String... namesAndValues) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      values.computeIfAbsent(namesAndValues[i], k -> new ArrayList<>()).add(namesAndValues[i + 1]);
    }
    return new Parameters(values);
  }

  /** A complete, valid authorization request of the confidential client. */
  static List<String> validRequest() {
    return new ArrayList<>(List.of("response_type", "code", "client_id", CONFIDENTIAL,
        "redirect_uri", CONFIDENTIAL_REDIRECT, "scope", "email profile", "state", "xyz",
        "code_challenge", CHALLENGE, "code_challenge_method", "S256"));
  }

  static Parameters params(List<String> namesAndValues) {
    return params(namesAndValues.toArray(String[]::new));
  }

  /** The request with one parameter replaced ({@code null} value: removed). */
  static Parameters validRequestWith(String name, String value) {
    List<String> request = validRequest();
    int at = request.indexOf(name);
    if (at >= 0 && at % 2 == 0) {
      request.remove(at);
      request.remove(at);
    }
    if (value != null) {
      request.add(name);
      request.add(value);
    }
    return params(request);
  }

  // ---- flows ----

  AuthorizeOutcome.ShowApproval approvalPage(Parameters request) {
    return assertInstanceOf(AuthorizeOutcome.ShowApproval.class, authorize.start(request));
  }

  /** Submits the page's form; a {@code null} field is left out, as a browser leaves out an absent one. */
  AuthorizeOutcome decide(AuthorizeOutcome.ShowApproval page, String decision, String username, String password) {
    return authorize.decide(form(page, decision, username, password));
  }

  /** Start, approve as alice, return the code from the redirect. */
  String code(Parameters request) {
    AuthorizeOutcome outcome = decide(approvalPage(request), "approve", "alice", "wonderland");
    Map<String, String> query = query(assertInstanceOf(AuthorizeOutcome.Redirect.class, outcome).location());
    return query.get("code");
  }

  /** A code for the confidential client, S256 challenge of {@link #VERIFIER}, scope email profile. */
  String code() {
    return code(params(validRequest()));
  }

  static String basic(String id, String secret) {
    // RFC 6749 §2.3.1: each part form-urlencoded before base64.
    String pair = URLEncoder.encode(id, StandardCharsets.UTF_8) + ":" + URLEncoder.encode(secret, StandardCharsets.UTF_8);
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  /** The token request the confidential client sends for {@code code}. */
  TokenResponse exchange(String code) {
    return token.exchange(basic(CONFIDENTIAL, CONFIDENTIAL_SECRET), params("grant_type", "authorization_code",
        "code", code, "redirect_uri", CONFIDENTIAL_REDIRECT, "code_verifier", VERIFIER));
  }

  /** Tokens for {@code clientId} (a client of the refresh_token grant) from a code approved by alice. */
  TokenResponse tokensOf(String clientId, String secret, String scope) {
    List<String> request = new ArrayList<>(List.of("response_type", "code", "client_id", clientId));
    if (scope != null) {
      request.addAll(List.of("scope", scope));
    }
    String code = code(params(request));
    return token.exchange(basic(clientId, secret), params("grant_type", "authorization_code", "code", code));
  }

  /** Access and refresh token of {@code refresher}, scope email profile orders. */
  TokenResponse refresherTokens() {
    return tokensOf(REFRESHER, REFRESHER_SECRET, null);
  }

  /** A refresh_token grant request of {@code refresher}; {@code scope} {@code null} for none. */
  TokenResponse refresh(String refreshToken, String scope) {
    return refresh(REFRESHER, REFRESHER_SECRET, refreshToken, scope);
  }

  TokenResponse refresh(String clientId, String secret, String refreshToken, String scope) {
    List<String> body = new ArrayList<>(List.of("grant_type", "refresh_token", "refresh_token", refreshToken));
    if (scope != null) {
      body.addAll(List.of("scope", scope));
    }
    return token.exchange(basic(clientId, secret), params(body));
  }

  /** A client_credentials request of {@code machine}; {@code scope} {@code null} for none. */
  TokenResponse machineToken(String scope) {
    List<String> body = new ArrayList<>(List.of("grant_type", "client_credentials"));
    if (scope != null) {
      body.addAll(List.of("scope", scope));
    }
    return token.exchange(basic(MACHINE, MACHINE_SECRET), params(body));
  }

  // ---- redirects ----

  /** The part of a redirect location before the query. */
  static String base(String location) {
    int q = location.indexOf('?');
    return q < 0 ? location : location.substring(0, q);
  }

  /** Decoded query parameters of a redirect location; a repeated name fails the test. */
  static Map<String, String> query(String location) {
    String raw = URI.create(location).getRawQuery();
    Map<String, String> values = new LinkedHashMap<>();
    if (raw == null) {
      return values;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      assertEquals(null, values.put(name, value), "parameter " + name + " appears once");
    }
    return values;
  }
}
