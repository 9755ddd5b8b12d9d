package io.portcullis.web;

import io.micrometer.core.instrument.Timer;
import io.portcullis.store.AccessToken;
import io.portcullis.store.AuthorizationCode;
import io.portcullis.store.CodeRedemption;
import io.portcullis.store.FailureCount;
import io.portcullis.store.LiveTokenPlace;
import io.portcullis.store.PendingAuthorization;
import io.portcullis.store.RefreshRotation;
import io.portcullis.store.RefreshToken;
import io.portcullis.store.TokenStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * A {@link TokenStore} whose every call is timed under the method's name, {@code ok} or
 * {@code error} (an exception, passed on as it came). Written out rather than a reflective proxy:
 * a complete flow makes about twenty store calls, and the proxy's reflection, argument arrays and
 * meter lookups per call were a measurable part of a flow's server time (issue 12).
 */
final class TimedTokenStore implements TokenStore {

  /** One operation's two timers, made when first needed (a series appears once the call has been made). */
  static final class Operation {
    private final String name;
    private final BiFunction<String, String, Timer> timers;
    private volatile Timer ok;
    private volatile Timer error;

    Operation(String name, BiFunction<String, String, Timer> timers) {
      this.name = name;
      this.timers = timers;
    }

    <T> T time(Supplier<T> call) {
      long start = System.nanoTime();
      boolean failed = true;
      try {
        T result = call.get();
        failed = false;
        return result;
      } finally {
        record(start, failed);
      }
    }

    void run(Runnable call) {
      long start = System.nanoTime();
      boolean failed = true;
      try {
        call.run();
        failed = false;
      } finally {
        record(start, failed);
      }
    }

    private void record(long start, boolean failed) {
      long elapsed = System.nanoTime() - start;
      Timer timer = failed ? error : ok;
      if (timer == null) {
        timer = timers.apply(name, failed ? "error" : "ok");
        if (failed) {
          error = timer;
        } else {
          ok = timer;
        }
      }
      timer.record(elapsed, TimeUnit.NANOSECONDS);
    }
  }

  private final TokenStore store;
  private final Operation savePendingAuthorization;
  private final Operation findPendingAuthorization;
  private final Operation countApprovalAttempt;
  private final Operation takePendingAuthorization;
  private final Operation saveAuthorizationCode;
  private final Operation redeemAuthorizationCode;
  private final Operation saveAccessToken;
  private final Operation reserveLiveToken;
  private final Operation releaseLiveToken;
  private final Operation saveReservedAccessToken;
  private final Operation liveAccessTokens;
  private final Operation findAccessToken;
  private final Operation revokeAccessToken;
  private final Operation saveRefreshToken;
  private final Operation revokeRefreshToken;
  private final Operation findRefreshToken;
  private final Operation rotateRefreshToken;
  private final Operation revokeGrant;
  private final Operation revokeIssuedBefore;
  private final Operation cutoff;
  private final Operation recordAttempt;
  private final Operation failures;
  private final Operation settleAttempt;
  private final Operation accessTokenCount;
  private final Operation close;
  private final Operation ping;
  private final Operation entries;
  private final Operation evictions;

  TimedTokenStore(TokenStore store, BiFunction<String, String, Timer> timers) {
    this.store = store;
    savePendingAuthorization = new Operation("savePendingAuthorization", timers);
    findPendingAuthorization = new Operation("findPendingAuthorization", timers);
    countApprovalAttempt = new Operation("countApprovalAttempt", timers);
    takePendingAuthorization = new Operation("takePendingAuthorization", timers);
    saveAuthorizationCode = new Operation("saveAuthorizationCode", timers);
    redeemAuthorizationCode = new Operation("redeemAuthorizationCode", timers);
    saveAccessToken = new Operation("saveAccessToken", timers);
    reserveLiveToken = new Operation("reserveLiveToken", timers);
    releaseLiveToken = new Operation("releaseLiveToken", timers);
    saveReservedAccessToken = new Operation("saveReservedAccessToken", timers);
    liveAccessTokens = new Operation("liveAccessTokens", timers);
    findAccessToken = new Operation("findAccessToken", timers);
    revokeAccessToken = new Operation("revokeAccessToken", timers);
    saveRefreshToken = new Operation("saveRefreshToken", timers);
    revokeRefreshToken = new Operation("revokeRefreshToken", timers);
    findRefreshToken = new Operation("findRefreshToken", timers);
    rotateRefreshToken = new Operation("rotateRefreshToken", timers);
    revokeGrant = new Operation("revokeGrant", timers);
    revokeIssuedBefore = new Operation("revokeIssuedBefore", timers);
    cutoff = new Operation("cutoff", timers);
    recordAttempt = new Operation("recordAttempt", timers);
    failures = new Operation("failures", timers);
    settleAttempt = new Operation("settleAttempt", timers);
    accessTokenCount = new Operation("accessTokenCount", timers);
    close = new Operation("close", timers);
    ping = new Operation("ping", timers);
    entries = new Operation("entries", timers);
    evictions = new Operation("evictions", timers);
  }

  @Override
  public void savePendingAuthorization(String transactionId, PendingAuthorization pending) {
    savePendingAuthorization.run(() -> store.savePendingAuthorization(transactionId, pending));
  }

  @Override
  public Optional<PendingAuthorization> findPendingAuthorization(String transactionId) {
    return findPendingAuthorization.time(() -> store.findPendingAuthorization(transactionId));
  }

  @Override
  public int countApprovalAttempt(String transactionId) {
    return countApprovalAttempt.time(() -> store.countApprovalAttempt(transactionId));
  }

  @Override
  public Optional<PendingAuthorization> takePendingAuthorization(String transactionId) {
    return takePendingAuthorization.time(() -> store.takePendingAuthorization(transactionId));
  }

  @Override
  public void saveAuthorizationCode(String code, AuthorizationCode authorizationCode) {
    saveAuthorizationCode.run(() -> store.saveAuthorizationCode(code, authorizationCode));
  }

  @Override
  public CodeRedemption redeemAuthorizationCode(String code, Instant rememberUsedUntil) {
    return redeemAuthorizationCode.time(() -> store.redeemAuthorizationCode(code, rememberUsedUntil));
  }

  @Override
  public void saveAccessToken(String token, AccessToken accessToken) {
    saveAccessToken.run(() -> store.saveAccessToken(token, accessToken));
  }

  @Override
  public LiveTokenPlace reserveLiveToken(String clientId, long maxLive) {
    return reserveLiveToken.time(() -> store.reserveLiveToken(clientId, maxLive));
  }

  @Override
  public void releaseLiveToken(LiveTokenPlace place) {
    releaseLiveToken.run(() -> store.releaseLiveToken(place));
  }

  @Override
  public void saveReservedAccessToken(String token, AccessToken accessToken, LiveTokenPlace place) {
    saveReservedAccessToken.run(() -> store.saveReservedAccessToken(token, accessToken, place));
  }

  @Override
  public long liveAccessTokens(String clientId) {
    return liveAccessTokens.time(() -> store.liveAccessTokens(clientId));
  }

  @Override
  public Optional<AccessToken> findAccessToken(String token) {
    return findAccessToken.time(() -> store.findAccessToken(token));
  }

  @Override
  public void revokeAccessToken(String token) {
    revokeAccessToken.run(() -> store.revokeAccessToken(token));
  }

  @Override
  public void saveRefreshToken(String token, RefreshToken refreshToken) {
    saveRefreshToken.run(() -> store.saveRefreshToken(token, refreshToken));
  }

  @Override
  public void revokeRefreshToken(String token) {
    revokeRefreshToken.run(() -> store.revokeRefreshToken(token));
  }

  @Override
  public Optional<RefreshToken> findRefreshToken(String token) {
    return findRefreshToken.time(() -> store.findRefreshToken(token));
  }

  @Override
  public RefreshRotation rotateRefreshToken(String token, String clientId, Instant rememberUsedUntil) {
    return rotateRefreshToken.time(() -> store.rotateRefreshToken(token, clientId, rememberUsedUntil));
  }

  @Override
  public void revokeGrant(long grantId, Instant until) {
    revokeGrant.run(() -> store.revokeGrant(grantId, until));
  }

  @Override
  public Instant revokeIssuedBefore(Subject kind, String id, Instant cutoffTime, Instant until) {
    return revokeIssuedBefore.time(() -> store.revokeIssuedBefore(kind, id, cutoffTime, until));
  }

  @Override
  public Optional<Instant> cutoff(Subject kind, String id) {
    return cutoff.time(() -> store.cutoff(kind, id));
  }

  @Override
  public FailureCount recordAttempt(String subject, Duration window) {
    return recordAttempt.time(() -> store.recordAttempt(subject, window));
  }

  @Override
  public FailureCount failures(String subject) {
    return failures.time(() -> store.failures(subject));
  }

  @Override
  public void settleAttempt(String subject, Instant windowEnds, boolean failed) {
    settleAttempt.run(() -> store.settleAttempt(subject, windowEnds, failed));
  }

  @Override
  public long accessTokenCount() {
    return accessTokenCount.time(store::accessTokenCount);
  }

  @Override
  public void close() {
    close.run(store::close);
  }

  @Override
  public void ping() {
    ping.run(store::ping);
  }

  @Override
  public Map<String, Long> entries() {
    return entries.time(store::entries);
  }

  @Override
  public Map<String, Long> evictions() {
    return evictions.time(store::evictions);
  }

  @Override
  public String toString() {
    return store.toString();
  }
}
