package io.portcullis.store;

import java.time.Instant;
import java.util.Optional;

/**
 * Where pending authorization requests, authorization codes and access tokens live until they
 * expire. Every implementation keys entries by a hash of the secret value ({@link SecretKey}),
 * derives each entry's time to live from its own expiry, bounds its size, and makes the
 * single-use operations atomic across every node that shares it. Any method may throw
 * {@link StoreUnavailableException}; callers then deny.
 */
public interface TokenStore extends AccessTokenLookup, AutoCloseable {

  void savePendingAuthorization(String transactionId, PendingAuthorization pending);

  /** The pending request, unless unknown or expired; it stays in place. */
  Optional<PendingAuthorization> findPendingAuthorization(String transactionId);

  /**
   * Counts one password check against the pending request, atomically, before the password is
   * checked: of any number of concurrent callers, each gets a count of its own.
   *
   * @return the number of checks so far, this one included, or 0 when the request is unknown or
   *         expired
   */
  int countApprovalAttempt(String transactionId);

  /** Removes the pending request atomically: of concurrent callers, at most one gets it. */
  Optional<PendingAuthorization> takePendingAuthorization(String transactionId);

  void saveAuthorizationCode(String code, AuthorizationCode authorizationCode);

  /**
   * Spends a code atomically. The first caller gets {@link CodeRedemption.Redeemed}; the store
   * then remembers the code as used until {@code rememberUsedUntil}, so a later presentation is
   * {@link CodeRedemption.AlreadyUsed} rather than merely unknown. A code that a cut-off of its
   * client or user refuses is {@link CodeRedemption.Unknown}, now and when presented again: it buys
   * nothing, and its presentation revokes nothing either.
   */
  CodeRedemption redeemAuthorizationCode(String code, Instant rememberUsedUntil);

  void saveAccessToken(String token, AccessToken accessToken);

  /**
   * Takes one of the {@code maxLive} places of {@code clientId}'s live access tokens for a token
   * about to be issued: one atomic step per client, so parallel requests cannot all slip under the
   * quota. Taken before a code or refresh token is spent, so that a client at its quota keeps them.
   *
   * @return the place, or {@code null} when every place is taken (by live tokens or other
   *         reservations)
   */
  LiveTokenPlace reserveLiveToken(String clientId, long maxLive);

  /** Gives back a place taken by {@link #reserveLiveToken} when no token was issued after all. */
  void releaseLiveToken(LiveTokenPlace place);

  /** Saves a token into the place {@link #reserveLiveToken} took for it. */
  void saveReservedAccessToken(String token, AccessToken accessToken, LiveTokenPlace place);

  /** The access tokens of {@code clientId} not yet expired or removed (revoked grants' tokens count until they expire). */
  long liveAccessTokens(String clientId);

  /** The token, unless unknown, expired, its grant revoked, or a cut-off of its client or user refuses it. */
  Optional<AccessToken> findAccessToken(String token);

  /** Removes one access token (RFC 7009); the rest of its grant stays. */
  void revokeAccessToken(String token);

  void saveRefreshToken(String token, RefreshToken refreshToken);

  /** Removes one refresh token (RFC 7009); callers revoke its grant too. */
  void revokeRefreshToken(String token);

  /** The refresh token, unless unknown, expired, rotated, its grant revoked, or cut off. */
  Optional<RefreshToken> findRefreshToken(String token);

  /**
   * Spends a refresh token of {@code clientId} atomically, like
   * {@link #redeemAuthorizationCode}: the first caller gets {@link RefreshRotation.Rotated}, later
   * ones {@link RefreshRotation.AlreadyUsed} until {@code rememberUsedUntil}. A token of another
   * client is left as it is and answered {@link RefreshRotation.Unknown}; so is one whose grant is
   * revoked or that a cut-off refuses, checked before it could rotate into a fresh pair.
   */
  RefreshRotation rotateRefreshToken(String token, String clientId, Instant rememberUsedUntil);

  /** Every token carrying {@code grantId} is refused from now on (until {@code until}). */
  void revokeGrant(long grantId, Instant until);

  /** Whose tokens and codes a cut-off refuses. */
  enum Subject {
    /** Everything issued to one client id. */
    CLIENT,
    /** Everything one user approved, whichever client holds it; the username compared exactly as stored. */
    USER
  }

  /**
   * Incident revocation, in one step and on every node sharing the store: every access token,
   * refresh token and authorization code of {@code id} issued before {@code cutoff} is refused
   * from now on, by each check comparing its issued-at, without any token being looked for.
   *
   * <p>Compared in whole seconds: what was issued in the cut-off's own second is refused too (the
   * cut-off is the operator's "now", and what was issued just before it in that second must not
   * slip through), what is issued from the next second on works. So for up to a second after the
   * cut-off, newly issued tokens of the subject are refused as well. Nodes' clocks must agree: a
   * node whose clock runs ahead stamps tokens issued before the cut-off with a later second.
   *
   * <p>A cut-off only moves forward: one earlier than the cut-off in force changes nothing.
   *
   * @param until how long to remember it: when everything issued before it has expired (callers
   *              pass now plus the longest lifetime of any token or code)
   * @return the cut-off in force now, to the second: this one, or a later one set before
   * @throws IllegalArgumentException when {@code until} is not after {@code cutoff}
   */
  Instant revokeIssuedBefore(Subject kind, String id, Instant cutoff, Instant until);

  /** The cut-off in force for {@code id}, to the second; empty when none was set or it is forgotten. */
  Optional<Instant> cutoff(Subject kind, String id);

  /**
   * Counts one attempt against {@code subject} (a key such as {@code user:alice}, stored by its
   * hash) before its password or secret is checked, atomically: of concurrent callers each sees a
   * count of its own, this one included as pending. The first attempt opens a window of
   * {@code window}; when it has passed, counting starts again.
   */
  FailureCount recordAttempt(String subject, java.time.Duration window);

  /** The attempts counted against {@code subject} in its open window, or {@link FailureCount#NONE}. */
  FailureCount failures(String subject);

  /**
   * Settles an attempt {@link #recordAttempt counted} in the window ending {@code windowEnds}: a
   * failure stays counted (no longer pending), anything else is taken back. Nothing happens when
   * that window has closed.
   */
  void settleAttempt(String subject, java.time.Instant windowEnds, boolean failed);

  /** Number of live access tokens (approximate: expired ones may still count until cleaned up). */
  long accessTokenCount();

  @Override
  void close();

  /**
   * Returns when the store answers; throws {@link StoreUnavailableException} when it does not
   * within its timeout (readiness probes). A store in this node's memory always answers.
   */
  default void ping() {}

  /** Entries held now, per kind ({@code access_tokens}, {@code codes}, …), for metrics; empty where not known. */
  default java.util.Map<String, Long> entries() {
    return java.util.Map.of();
  }

  /** Entries pushed out by a size bound before they expired, per kind, since start; empty where not known. */
  default java.util.Map<String, Long> evictions() {
    return java.util.Map.of();
  }
}
