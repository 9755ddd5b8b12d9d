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
   * {@link CodeRedemption.AlreadyUsed} rather than merely unknown.
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

  /** The token, unless unknown, expired, or its grant was revoked. */
  Optional<AccessToken> findAccessToken(String token);

  /** Removes one access token (RFC 7009); the rest of its grant stays. */
  void revokeAccessToken(String token);

  void saveRefreshToken(String token, RefreshToken refreshToken);

  /** Removes one refresh token (RFC 7009); callers revoke its grant too. */
  void revokeRefreshToken(String token);

  /** The refresh token, unless unknown, expired, rotated or its grant revoked. */
  Optional<RefreshToken> findRefreshToken(String token);

  /**
   * Spends a refresh token of {@code clientId} atomically, like
   * {@link #redeemAuthorizationCode}: the first caller gets {@link RefreshRotation.Rotated}, later
   * ones {@link RefreshRotation.AlreadyUsed} until {@code rememberUsedUntil}. A token of another
   * client is left as it is and answered {@link RefreshRotation.Unknown}.
   */
  RefreshRotation rotateRefreshToken(String token, String clientId, Instant rememberUsedUntil);

  /** Every token carrying {@code grantId} is refused from now on (until {@code until}). */
  void revokeGrant(long grantId, Instant until);

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
