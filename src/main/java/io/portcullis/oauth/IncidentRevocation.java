package io.portcullis.oauth;

import io.portcullis.config.PortcullisConfig;
import io.portcullis.store.TokenStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Incident revocation ({@code admin/revoke}, DESIGN 1.7): in one step, and on every node sharing
 * the store, everything of one client — or everything one user approved, for whichever client —
 * is refused from now on: access tokens at the bearer filter and at introspection, refresh tokens
 * (they no longer rotate into a fresh pair), and authorization codes not yet exchanged. It is a
 * cut-off the store compares every check with ({@link TokenStore#revokeIssuedBefore}), so no token
 * is looked for and the step costs the same for ten tokens or a million.
 *
 * <p>A cut-off is no lock: what is issued from the next second on works, so the client or user can
 * start again at once. Rotate the client's secret or the user's password before, if they leaked.
 * The granularity is one second: a token issued in the cut-off's second, even just after it, is
 * refused too.
 */
public final class IncidentRevocation {

  /** The audit event ({@link Audit}). */
  static final String EVENT = "incident_revocation";
  /** Longer ids are refused: no client id or username is anything like that long. */
  static final int MAX_ID_LENGTH = 256;

  /**
   * What was done, for the operator's answer.
   *
   * @param cutoff          everything of {@code id} issued up to this second is refused (a later
   *                        cut-off set before stays in force)
   * @param rememberedUntil when all of it has expired, and the cut-off is forgotten
   */
  public record Revoked(TokenStore.Subject subject, String id, Instant cutoff, Instant rememberedUntil) {}

  private final TokenStore store;
  private final Clock clock;
  private final Duration longestLifetime;
  private final Audit audit;

  /**
   * @param longestLifetime the longest any token or code may live: how long a cut-off is remembered
   *                        ({@link #longestLifetime(PortcullisConfig)})
   */
  public IncidentRevocation(TokenStore store, Clock clock, Duration longestLifetime, Audit audit) {
    this.store = store;
    this.clock = clock;
    this.longestLifetime = longestLifetime;
    this.audit = audit;
  }

  /**
   * The longest any access token, refresh token or authorization code of {@code config} may live.
   * Codes count: with short-lived access tokens, a code may outlive them all.
   */
  public static Duration longestLifetime(PortcullisConfig config) {
    Duration tokens = config.longestTokenLifetime();
    return tokens.compareTo(config.authorizationCodeTtl()) >= 0 ? tokens : config.authorizationCodeTtl();
  }

  /** Everything issued to {@code clientId} so far. */
  public Revoked revokeClient(String clientId) {
    return revokeClient(clientId, null, Throttle.UNKNOWN_ADDRESS);
  }

  /**
   * @param operator who asked, for the audit trail ({@code null} when not known)
   * @param address  where from
   * @throws OAuthException {@code invalid_request} when {@code clientId} cannot be a client id
   */
  public Revoked revokeClient(String clientId, String operator, String address) {
    return revoke(TokenStore.Subject.CLIENT, "client_id", clientId, operator, address);
  }

  /** Everything {@code username} approved so far, for every client; the username as it signs in. */
  public Revoked revokeUser(String username) {
    return revokeUser(username, null, Throttle.UNKNOWN_ADDRESS);
  }

  /**
   * @param operator who asked, for the audit trail ({@code null} when not known)
   * @param address  where from
   * @throws OAuthException {@code invalid_request} when {@code username} cannot be a username
   */
  public Revoked revokeUser(String username, String operator, String address) {
    return revoke(TokenStore.Subject.USER, "username", username, operator, address);
  }

  private Revoked revoke(TokenStore.Subject subject, String parameter, String id, String operator,
      String address) {
    requireId(parameter, id);
    Instant now = clock.instant();
    Instant until = now.plus(longestLifetime);
    Instant cutoff = store.revokeIssuedBefore(subject, id, now, until);
    boolean client = subject == TokenStore.Subject.CLIENT;
    audit.record(EVENT, "revoked", client ? id : null, client ? null : id, address, "operator", operator,
        "cutoff", cutoff.toString());
    // To the second, rounded up as the store keeps it, like the cut-off it goes with.
    Instant remembered = Instant.ofEpochSecond(until.getEpochSecond() + (until.getNano() > 0 ? 1 : 0));
    return new Revoked(subject, id, cutoff, remembered);
  }

  /** Descriptions name the parameter and never repeat the value: it may be anything at all. */
  private static void requireId(String parameter, String id) {
    if (id == null || id.isBlank()) {
      throw OAuthException.invalidRequest(parameter + " is missing; give the " + parameter
          + " whose tokens to revoke, exactly as registered");
    }
    if (id.length() > MAX_ID_LENGTH) {
      throw OAuthException.invalidRequest(parameter + " is longer than " + MAX_ID_LENGTH
          + " characters; give it exactly as registered");
    }
    if (id.chars().anyMatch(Character::isISOControl)) {
      throw OAuthException.invalidRequest(parameter + " contains a control character; give it exactly as "
          + "registered");
    }
  }
}
