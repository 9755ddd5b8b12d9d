package io.portcullis.oauth;

import io.portcullis.config.ClientRegistration;
import io.portcullis.config.PortcullisConfig;
import io.portcullis.config.StoredSecret;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * RFC 6749 §2.3: a client proves itself with HTTP Basic, with {@code client_id} and
 * {@code client_secret} in the body, or — a public client — with {@code client_id} alone. Using
 * two methods at once is {@code invalid_request} (where webMethods lets the header win).
 */
public final class ClientAuthenticator {

  /**
   * The one answer to a client id with the wrong credentials, whatever was wrong: naming the
   * cause ("unknown client_id", "wrong secret") would let anyone list the registered client ids.
   */
  static final String FAILED =
      "client authentication failed: check the client_id and secret (a public client sends client_id alone)";

  private final PortcullisConfig config;
  private final Throttle throttle;
  private final Audit audit;
  /** Checked for a secret that no stored secret is checked against: every secret costs the same. */
  private final StoredSecret decoy;

  public ClientAuthenticator(PortcullisConfig config, Throttle throttle, Audit audit) {
    this.config = config;
    this.throttle = throttle;
    this.audit = audit;
    this.decoy = StoredSecret.decoyFor(config.clients().values().stream()
        .map(ClientRegistration::secret).filter(java.util.Objects::nonNull).toList());
  }

  /** True while the client of a token, and the user who approved it (if any), are in the config. */
  public boolean stillHolds(String clientId, String username) {
    return config.acceptsTokensOf(clientId, username);
  }

  /** Client credentials as presented, before they are checked. */
  record Presented(String clientId, String secret, boolean basic) {}

  /**
   * @param authorization the {@code Authorization} header, or {@code null}
   * @return the authenticated client
   * @throws OAuthException {@code invalid_client} (401) or {@code invalid_request}
   */
  public ClientRegistration authenticate(String authorization, Parameters body) {
    return authenticate(authorization, body, Throttle.UNKNOWN_ADDRESS);
  }

  /**
   * @param address the caller's remote address, for throttling (RFC 6749 §10.10)
   * @throws OAuthException also 429 while the client id or the address is throttled
   */
  public ClientRegistration authenticate(String authorization, Parameters body, String address) {
    Presented presented = presented(authorization, body);
    ClientRegistration client = config.client(presented.clientId()).orElse(null);
    if (client != null && client.isPublic()) {
      // Nothing to guess: a public client proves nothing with a secret. Not counted either, so a
      // stranger cannot lock a public client out by sending it wrong secrets.
      if (presented.secret() != null) {
        audit.record("client_authentication", "failed", presented.clientId(), null, address);
        throw OAuthException.invalidClient(FAILED);
      }
      return client;
    }
    // Counted before the secret is checked (as an unknown client_id is: its answer must not differ).
    Throttle.Attempt attempt;
    try {
      attempt = throttle.admitClient(presented.clientId(), address);
    } catch (OAuthException throttled) {
      audit.record("client_authentication", throttled.status() == 429 ? "locked" : "busy", presented.clientId(),
          null, address);
      throw throttled;
    }
    boolean authenticated = false;
    boolean checked = false;
    try {
      if (client == null) {
        if (presented.secret() != null) {
          matches(decoy, presented.secret()); // as long as checking a secret takes
        }
      } else {
        authenticated = presented.secret() != null && matches(client.secret(), presented.secret());
      }
      checked = true;
    } finally {
      if (authenticated || !checked) {
        attempt.forget();
      } else {
        attempt.failed();
      }
    }
    if (!authenticated) {
      audit.record("client_authentication", "failed", presented.clientId(), null, address);
      throw OAuthException.invalidClient(FAILED);
    }
    return client;
  }

  private boolean matches(StoredSecret secret, String candidate) {
    return secret.isSlow() ? throttle.hashing(() -> secret.matches(candidate)) : secret.matches(candidate);
  }

  private static Presented presented(String authorization, Parameters body) {
    String bodyId = body.get("client_id");
    String bodySecret = body.get("client_secret");
    if (authorization != null) {
      Presented basic = basic(authorization);
      if (bodySecret != null) {
        throw OAuthException.invalidRequest(
            "the client authenticated twice (HTTP Basic and client_secret); use one method (RFC 6749 section 2.3)");
      }
      if (bodyId != null && !bodyId.equals(basic.clientId())) {
        throw OAuthException.invalidRequest("client_id in the body does not match the client in the Authorization header");
      }
      return basic;
    }
    if (bodyId == null) {
      throw OAuthException.invalidClient(
          "client authentication is required: HTTP Basic, client_id + client_secret, or client_id for a public client");
    }
    return new Presented(bodyId, bodySecret, false);
  }

  /** RFC 6749 §2.3.1: Basic with the id and secret each form-urlencoded before base64. */
  private static Presented basic(String authorization) {
    String decoded;
    try {
      decoded = BasicCredentials.text(authorization);
    } catch (IllegalArgumentException e) {
      throw OAuthException.invalidClient("the Basic Authorization header is not valid base64 of UTF-8 text");
    }
    if (decoded == null) {
      throw OAuthException.invalidClient("only HTTP Basic client authentication is accepted in the Authorization header");
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      throw OAuthException.invalidClient("the Basic Authorization header must hold client_id:client_secret");
    }
    try {
      String id = URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8);
      String secret = URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8);
      if (id.isEmpty()) {
        throw OAuthException.invalidClient("the Basic Authorization header has an empty client_id");
      }
      return new Presented(id, secret.isEmpty() ? null : secret, true);
    } catch (IllegalArgumentException e) {
      throw OAuthException.invalidClient("the Basic Authorization header has a malformed %-escape");
    }
  }
}
