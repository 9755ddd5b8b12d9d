package io.portcullis.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import io.portcullis.config.StoreSettings;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The single-node store: one bounded Caffeine cache per kind of entry, each entry expiring at its
 * own {@code expiresAt}. Time comes from the injected {@link Clock} (through a {@link Ticker}
 * derived from it), so tests advance a clock instead of sleeping.
 *
 * <p>Separate caches keep a flood of one kind from evicting another: unauthenticated authorize
 * requests can only push out other pending requests, never live tokens.
 */
public final class CaffeineTokenStore implements TokenStore {

  private static final System.Logger LOG = System.getLogger(CaffeineTokenStore.class.getName());

  private final Clock clock;
  /** Entries pushed out by the size bounds, per kind; filled as the caches are built. */
  private final Map<String, AtomicLong> evictions = new java.util.concurrent.ConcurrentHashMap<>();
  private final Cache<SecretKey, PendingAuthorization> pending;
  /** Values are {@link AuthorizationCode} until redeemed, then briefly {@link UsedCode}. */
  private final Cache<SecretKey, Expiring> codes;
  /**
   * Spent codes, remembered as long as a token issued from them may live. Their own cache: they
   * outnumber fresh codes by far and must not push them out.
   */
  private final Cache<SecretKey, UsedCode> usedCodes;
  /** Not a Caffeine cache: a table of its own keeps a million tokens in a third of the heap. */
  private final AccessTokenTable tokens;
  /**
   * Live access tokens per client, for {@code maxLiveTokens}: one more on every save, one less
   * whenever a token leaves the cache (expired, evicted, revoked). Keyed by configured client ids.
   */
  private final ConcurrentMap<String, AtomicLong> liveTokensByClient = new java.util.concurrent.ConcurrentHashMap<>();
  private final Cache<SecretKey, RefreshToken> refreshTokens;
  /** Rotated refresh tokens, remembered as long as their successors may live. */
  private final Cache<SecretKey, UsedCode> usedRefreshTokens;
  private final Cache<Long, RevokedGrant> revokedGrants;
  /** Incident cut-offs by client id and by username ({@link #revokeIssuedBefore}): few, each until its own expiry. */
  private final Cache<String, CutOff> clientCutOffs;
  private final Cache<String, CutOff> userCutOffs;
  /** Whether any cut-off was ever recorded (or restored); until then no token needs looking up in them. */
  private volatile boolean cutOffsRecorded;
  /** Failed passwords and secrets per subject (throttling); each entry lives as long as its window. */
  private final ExpiringMap<SecretKey, FailureCount> failures;

  /**
   * Failure counters kept at most. Every failure counts against the remote address as well, so
   * filling this bound to push out another subject's counter is itself throttled.
   */
  static final long MAX_FAILURE_COUNTERS = 200_000;

  /** Cut-offs kept at most per kind: far more than incidents ever call for, yet no way to exhaust the heap. */
  static final long MAX_CUT_OFFS = 100_000;

  /** What a code or refresh token becomes once spent: enough to revoke its grant if reused. */
  record UsedCode(long grantId, String clientId, String username, long expiresAtEpochSecond) implements Expiring {}

  record RevokedGrant(long expiresAtEpochSecond) implements Expiring {}

  /** Where live entries outlast a restart ({@code store.snapshotFile}); {@code null} for nowhere. */
  private final java.nio.file.Path snapshotFile;

  public CaffeineTokenStore(StoreSettings settings, Clock clock) {
    this.clock = clock;
    Ticker ticker = ClockTicker.of(clock);
    this.pending = cache("pending_authorizations", settings.maxPendingAuthorizations(), ticker);
    this.codes = cache("codes", settings.maxAuthorizationCodes(), ticker);
    AtomicLong tokensEvicted = new AtomicLong();
    evictions.put("access_tokens", tokensEvicted);
    this.tokens = new AccessTokenTable(settings.maxAccessTokens(), clock,
        clientId -> liveTokens(clientId).decrementAndGet(), tokensEvicted);
    this.usedCodes = memory("spent_codes", "spent authorization codes", settings.maxAccessTokens(), ticker);
    this.refreshTokens = cache("refresh_tokens", settings.maxAccessTokens(), ticker);
    this.usedRefreshTokens = memory("spent_refresh_tokens", "spent refresh tokens", settings.maxAccessTokens(),
        ticker);
    // Revocations must outlive eviction pressure: bounded only as a last resort.
    this.revokedGrants = memory("revoked_grants", "revoked grants", Math.max(settings.maxAccessTokens(), 1_000_000),
        ticker);
    this.clientCutOffs = memory("client_cut_offs", "client cut-offs", MAX_CUT_OFFS, ticker);
    this.userCutOffs = memory("user_cut_offs", "user cut-offs", MAX_CUT_OFFS, ticker);
    AtomicLong countersEvicted = new AtomicLong();
    evictions.put("failure_counters", countersEvicted);
    // Past the bound, the counters with the fewest attempts go first: a flood of new subjects
    // pushes out other single attempts, not a lock-out (ExpiringMap).
    this.failures = new ExpiringMap<>(MAX_FAILURE_COUNTERS, clock, countersEvicted,
        java.util.Comparator.comparingInt(FailureCount::count).thenComparing(FailureCount::windowEnds));
    this.snapshotFile = settings.snapshotFile().orElse(null);
    if (snapshotFile != null) {
      restore();
    }
  }

  /**
   * Loads what the last graceful shutdown saved (see {@link StoreSnapshot}). The file is first
   * renamed aside, and nothing is loaded unless that worked: a snapshot left in place would come
   * back at the next start, with tokens revoked since.
   */
  private void restore() {
    if (!java.nio.file.Files.exists(snapshotFile, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      LOG.log(System.Logger.Level.INFO, "no store snapshot at " + snapshotFile + "; starting empty");
      return;
    }
    java.nio.file.Path loading = snapshotFile.resolveSibling(snapshotFile.getFileName() + ".loading");
    try {
      StoreSnapshot.requireOwnFile(snapshotFile);
      java.nio.file.Files.move(snapshotFile, loading, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (StoreSnapshot.Unreadable e) {
      LOG.log(System.Logger.Level.ERROR, "store snapshot " + snapshotFile + " skipped, starting empty: "
          + e.getMessage());
      return;
    } catch (java.io.IOException e) {
      LOG.log(System.Logger.Level.ERROR, "store snapshot " + snapshotFile + " skipped, starting empty: it could "
          + "not be moved aside before loading (" + e + "), and a file left in place could bring back tokens "
          + "revoked later");
      return;
    }
    try {
      StoreSnapshot.Contents contents = StoreSnapshot.read(loading, clock.instant());
      pending.putAll(contents.pending);
      codes.putAll(contents.codes);
      usedCodes.putAll(contents.usedCodes);
      contents.tokens.values().forEach(token -> liveTokens(token.clientId()).incrementAndGet());
      contents.tokens.forEach(tokens::put);
      refreshTokens.putAll(contents.refreshTokens);
      usedRefreshTokens.putAll(contents.usedRefreshTokens);
      revokedGrants.putAll(contents.revokedGrants);
      cutOffsRecorded = !contents.clientCutOffs.isEmpty() || !contents.userCutOffs.isEmpty();
      clientCutOffs.putAll(contents.clientCutOffs);
      userCutOffs.putAll(contents.userCutOffs);
      failures.putAll(contents.failures);
      java.nio.file.Files.delete(loading);
      LOG.log(System.Logger.Level.INFO, "restored " + contents.size() + " live entries (" + contents.tokens.size()
          + " access tokens, " + contents.refreshTokens.size() + " refresh tokens) from " + snapshotFile);
    } catch (StoreSnapshot.Unreadable e) {
      java.nio.file.Path aside = snapshotFile.resolveSibling(snapshotFile.getFileName() + ".unreadable");
      LOG.log(System.Logger.Level.ERROR, "store snapshot " + snapshotFile + " skipped, starting empty: "
          + e.getMessage() + "; moved to " + aside);
      try {
        java.nio.file.Files.move(loading, aside, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      } catch (java.io.IOException moveFailed) {
        LOG.log(System.Logger.Level.ERROR, "could not move it to " + aside + ": " + moveFailed);
      }
    } catch (java.io.IOException e) {
      LOG.log(System.Logger.Level.ERROR, "store snapshot " + snapshotFile + " could not be read, starting empty: "
          + e + " (it is left as " + loading + ")");
    }
  }


  /**
   * Maintenance (draining the read and write buffers, evicting, expiring) runs on the calling
   * thread. Caffeine's default hands it to {@code ForkJoinPool.commonPool()}, which wakes a pool
   * thread after nearly every write and about every sixteenth token lookup; on a small machine
   * those wake-ups cost more CPU than the lookups themselves (docs/benchmarks.md). The work done
   * is the same, and it no longer waits behind whatever else the JVM runs on the common pool.
   */
  private <K, V extends Expiring> Cache<K, V> cache(String kind, long maximumSize, Ticker ticker) {
    return this.<K, V>builder(kind, maximumSize, ticker, null).build();
  }

  /**
   * Bounded, each entry expiring at its own {@code expiresAt}, maintenance on the calling thread;
   * what the bound pushes out is counted under {@code kind} ({@link #evictions()}), and logged
   * as {@code logAs} when that is given.
   */
  private <K, V extends Expiring> Caffeine<K, V> builder(String kind, long maximumSize, Ticker ticker,
      String logAs) {
    AtomicLong evicted = new AtomicLong();
    evictions.put(kind, evicted);
    return Caffeine.newBuilder()
        .ticker(ticker)
        .maximumSize(maximumSize)
        .executor(Runnable::run)
        .expireAfter(new ExpiresAt<K, V>(clock))
        .evictionListener((K key, V value, RemovalCause cause) -> {
          if (cause == RemovalCause.SIZE && evicted.getAndIncrement() % 10_000 == 0 && logAs != null) {
            LOG.log(System.Logger.Level.WARNING, "the store is full of " + logAs + " (" + maximumSize
                + "): " + evicted.get() + " forgotten before they expired; raise store.maxAccessTokens");
          }
        });
  }

  /**
   * A cache of what the store must remember (revocations, spent codes and refresh tokens). Its
   * bound only guards the heap: an entry pushed out early forgets a revocation or a replay, so
   * every such eviction is logged (the first, then every 10,000th) for the operator to raise
   * {@code store.maxAccessTokens}.
   */
  private <K, V extends Expiring> Cache<K, V> memory(String kind, String what, long maximumSize, Ticker ticker) {
    return this.<K, V>builder(kind, maximumSize, ticker, what).build();
  }

  @Override
  public Map<String, Long> entries() {
    Map<String, Long> entries = new java.util.LinkedHashMap<>();
    entries.put("pending_authorizations", pending.estimatedSize());
    entries.put("codes", codes.estimatedSize());
    entries.put("access_tokens", tokens.size());
    entries.put("refresh_tokens", refreshTokens.estimatedSize());
    entries.put("spent_codes", usedCodes.estimatedSize());
    entries.put("spent_refresh_tokens", usedRefreshTokens.estimatedSize());
    entries.put("revoked_grants", revokedGrants.estimatedSize());
    entries.put("client_cut_offs", clientCutOffs.estimatedSize());
    entries.put("user_cut_offs", userCutOffs.estimatedSize());
    entries.put("failure_counters", failures.size());
    return entries;
  }

  @Override
  public Map<String, Long> evictions() {
    Map<String, Long> counts = new java.util.LinkedHashMap<>();
    evictions.forEach((kind, count) -> counts.put(kind, count.get()));
    return counts;
  }

  /** Per-entry TTL: whatever is left until the entry's own expiry. */
  private record ExpiresAt<K, V extends Expiring>(Clock clock) implements Expiry<K, V> {
    @Override
    public long expireAfterCreate(K key, V value, long currentTime) {
      return remainingNanos(value);
    }

    @Override
    public long expireAfterUpdate(K key, V value, long currentTime, long currentDuration) {
      return remainingNanos(value);
    }

    @Override
    public long expireAfterRead(K key, V value, long currentTime, long currentDuration) {
      return currentDuration;
    }

    private long remainingNanos(V value) {
      Instant now = clock.instant();
      long seconds = value.expiresAtEpochSecond() - now.getEpochSecond();
      if (seconds <= 0) {
        return 0;
      }
      return Math.max(0, seconds * 1_000_000_000L - now.getNano());
    }
  }

  @Override
  public void savePendingAuthorization(String transactionId, PendingAuthorization value) {
    pending.put(SecretKey.of(transactionId), value);
  }

  @Override
  public Optional<PendingAuthorization> findPendingAuthorization(String transactionId) {
    return live(pending.getIfPresent(SecretKey.of(transactionId)));
  }

  @Override
  public int countApprovalAttempt(String transactionId) {
    // computeIfPresent is atomic per key: concurrent attempts each see a count of their own.
    PendingAuthorization updated = pending.asMap().computeIfPresent(SecretKey.of(transactionId),
        (key, current) -> current.isExpired(clock) ? null : current.withApprovalAttempt());
    return updated == null ? 0 : updated.approvalAttempts();
  }

  @Override
  public FailureCount recordAttempt(String subject, java.time.Duration window) {
    Instant now = clock.instant();
    // compute is atomic per key: concurrent attempts each add one.
    return failures.compute(SecretKey.of(subject), (key, current) ->
        current == null || !now.isBefore(current.windowEnds())
            ? new FailureCount(1, 1, now.plus(window))
            : new FailureCount(current.count() + 1, current.pending() + 1, current.windowEnds()));
  }

  @Override
  public FailureCount failures(String subject) {
    FailureCount count = failures.get(SecretKey.of(subject));
    return count == null || !clock.instant().isBefore(count.windowEnds()) ? FailureCount.NONE : count;
  }

  @Override
  public void settleAttempt(String subject, Instant windowEnds, boolean failed) {
    failures.computeIfPresent(SecretKey.of(subject), (key, current) -> {
      if (!current.windowEnds().equals(windowEnds)) {
        return current; // counted in a window that has closed since
      }
      int count = failed ? current.count() : current.count() - 1;
      int pending = Math.max(0, current.pending() - 1);
      return count <= 0 ? null : new FailureCount(count, pending, current.windowEnds());
    });
  }

  @Override
  public Optional<PendingAuthorization> takePendingAuthorization(String transactionId) {
    // ConcurrentMap.remove is atomic: of two concurrent approvals only one gets the request.
    return live(pending.asMap().remove(SecretKey.of(transactionId)));
  }

  @Override
  public void saveAuthorizationCode(String code, AuthorizationCode value) {
    codes.put(SecretKey.of(code), value);
  }

  @Override
  public CodeRedemption redeemAuthorizationCode(String code, Instant rememberUsedUntil) {
    SecretKey key = SecretKey.of(code);
    ConcurrentMap<SecretKey, Expiring> map = codes.asMap();
    CodeRedemption[] outcome = {new CodeRedemption.Unknown()};
    UsedCode[] marker = {null};
    // One atomic compute swaps the code for its used marker, so exactly one caller redeems it
    // and every later caller learns that it was used (not merely that it is unknown).
    map.computeIfPresent(key, (k, current) -> {
      if (current.isExpired(clock)) {
        return null;
      }
      if (current instanceof AuthorizationCode fresh) {
        if (cutOff(fresh)) {
          return null; // Unknown, and no spent marker: a second presentation must revoke nothing either
        }
        outcome[0] = new CodeRedemption.Redeemed(fresh);
        marker[0] = new UsedCode(fresh.grantId(), fresh.clientId(), fresh.username(), rememberUsedUntil.getEpochSecond());
        return marker[0];
      }
      UsedCode used = (UsedCode) current;
      outcome[0] = new CodeRedemption.AlreadyUsed(used.grantId(), used.clientId(), used.username());
      return used;
    });
    if (marker[0] != null) {
      // Move the marker to the spent codes, copying before removing so that it is always in one
      // of the two caches for a concurrent replay to find.
      usedCodes.put(key, marker[0]);
      map.remove(key, marker[0]);
    } else if (outcome[0] instanceof CodeRedemption.Unknown) {
      Optional<UsedCode> used = live(usedCodes.getIfPresent(key));
      if (used.isPresent()) {
        return new CodeRedemption.AlreadyUsed(used.get().grantId(), used.get().clientId(), used.get().username());
      }
    }
    return outcome[0];
  }

  @Override
  public void saveAccessToken(String token, AccessToken value) {
    liveTokens(value.clientId()).incrementAndGet();
    tokens.put(SecretKey.of(token), value);
  }

  @Override
  public LiveTokenPlace reserveLiveToken(String clientId, long maxLive) {
    AtomicLong live = liveTokens(clientId);
    if (!takePlace(live, maxLive)) {
      // Expired tokens leave the count when the table notices them: let it look now, then once more.
      tokens.cleanUpAtMostEverySecond();
      if (!takePlace(live, maxLive)) {
        return null;
      }
    }
    return new LiveTokenPlace(clientId, "");
  }

  @Override
  public void releaseLiveToken(LiveTokenPlace place) {
    liveTokens(place.clientId()).decrementAndGet();
  }

  @Override
  public void saveReservedAccessToken(String token, AccessToken value, LiveTokenPlace place) {
    tokens.put(SecretKey.of(token), value); // its place was counted by reserveLiveToken
  }

  private static boolean takePlace(AtomicLong live, long maxLive) {
    while (true) {
      long now = live.get();
      if (now >= maxLive) {
        return false;
      }
      if (live.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  @Override
  public long liveAccessTokens(String clientId) {
    AtomicLong live = liveTokensByClient.get(clientId);
    return live == null ? 0 : Math.max(0, live.get());
  }

  private AtomicLong liveTokens(String clientId) {
    return liveTokensByClient.computeIfAbsent(clientId, id -> new AtomicLong());
  }

  @Override
  public Optional<AccessToken> findAccessToken(String token) {
    return live(tokens.get(SecretKey.of(token))).filter(t -> !refused(t));
  }

  @Override
  public void revokeAccessToken(String token) {
    tokens.remove(SecretKey.of(token));
  }

  @Override
  public void saveRefreshToken(String token, RefreshToken value) {
    refreshTokens.put(SecretKey.of(token), value);
  }

  @Override
  public void revokeRefreshToken(String token) {
    refreshTokens.invalidate(SecretKey.of(token));
  }

  @Override
  public Optional<RefreshToken> findRefreshToken(String token) {
    return live(refreshTokens.getIfPresent(SecretKey.of(token))).filter(t -> !refused(t));
  }

  @Override
  public RefreshRotation rotateRefreshToken(String token, String clientId, Instant rememberUsedUntil) {
    SecretKey key = SecretKey.of(token);
    RefreshToken[] rotated = {null};
    // Removed atomically, and only for its own client: of concurrent uses, one rotates it. The
    // spent marker is written inside the same compute, so a concurrent replay, which waits for
    // this key, always finds it.
    refreshTokens.asMap().computeIfPresent(key, (k, current) -> {
      if (current.isExpired(clock)) {
        return null;
      }
      if (!current.clientId().equals(clientId) || refused(current)) {
        return current;
      }
      usedRefreshTokens.put(k, new UsedCode(current.grantId(), current.clientId(), current.username(),
          rememberUsedUntil.getEpochSecond()));
      rotated[0] = current;
      return null;
    });
    // The grant was checked before the rotation, not after: a replay racing it revokes the grant,
    // and the one that rotated must still get its answer (its new tokens die with the grant).
    if (rotated[0] != null) {
      return new RefreshRotation.Rotated(rotated[0]);
    }
    Optional<RefreshToken> left = Optional.ofNullable(refreshTokens.getIfPresent(key));
    if (left.isPresent() && left.get().clientId().equals(clientId)) {
      return new RefreshRotation.Unknown(); // its grant is revoked, or a cut-off refuses it
    }
    Optional<UsedCode> used = live(usedRefreshTokens.getIfPresent(key));
    if (used.isPresent()) {
      return new RefreshRotation.AlreadyUsed(used.get().grantId(), used.get().clientId(), used.get().username());
    }
    return new RefreshRotation.Unknown();
  }

  @Override
  public void revokeGrant(long grantId, Instant until) {
    revokedGrants.put(grantId, new RevokedGrant(until.getEpochSecond()));
  }

  @Override
  public Instant revokeIssuedBefore(Subject kind, String id, Instant cutoff, Instant until) {
    // Set before the cut-off is, so that no check between the two can miss it.
    cutOffsRecorded = true;
    // merge is atomic per key: of concurrent cut-offs the latest stays, whatever their order.
    return cutOffs(kind).asMap().merge(id, CutOff.of(cutoff, until),
        (current, asked) -> current.isExpired(clock) ? asked : current.andThen(asked)).at();
  }

  @Override
  public Optional<Instant> cutoff(Subject kind, String id) {
    return live(cutOffs(kind).getIfPresent(id)).map(CutOff::at);
  }

  private Cache<String, CutOff> cutOffs(Subject kind) {
    return kind == Subject.CLIENT ? clientCutOffs : userCutOffs;
  }

  /** Whether its grant is revoked, or a cut-off of its client or of its user refuses it. */
  private boolean refused(Issued issued) {
    return revokedGrants.getIfPresent(issued.grantId()) != null || cutOff(issued);
  }

  /**
   * Whether a cut-off of its client or of its user refuses it. A code is checked against this
   * alone, not its grant: a replay racing the redemption revokes the grant, and the one redemption
   * must still get its answer (its tokens die with the grant).
   */
  private boolean cutOff(Issued issued) {
    if (!cutOffsRecorded) {
      return false; // the usual case: no incident yet, no lookups for every token checked
    }
    return refuses(clientCutOffs.getIfPresent(issued.clientId()), issued)
        || issued.username() != null && refuses(userCutOffs.getIfPresent(issued.username()), issued);
  }

  private boolean refuses(CutOff cutOff, Issued issued) {
    return cutOff != null && !cutOff.isExpired(clock) && cutOff.refuses(issued.issuedAtEpochSecond());
  }

  @Override
  public long accessTokenCount() {
    return tokens.size();
  }

  /** Caffeine may hand out an entry in the instant it expires; the entry's own expiry decides. */
  private <V extends Expiring> Optional<V> live(V value) {
    return value == null || value.isExpired(clock) ? Optional.empty() : Optional.of(value);
  }

  /** Runs pending expiry and eviction now; for tests and measurements. */
  public void cleanUp() {
    pending.cleanUp();
    codes.cleanUp();
    usedCodes.cleanUp();
    tokens.cleanUp();
    refreshTokens.cleanUp();
    usedRefreshTokens.cleanUp();
    revokedGrants.cleanUp();
    clientCutOffs.cleanUp();
    userCutOffs.cleanUp();
  }

  @Override
  public void close() {
    if (snapshotFile != null) {
      save();
    }
    pending.invalidateAll();
    codes.invalidateAll();
    usedCodes.invalidateAll();
    tokens.clear();
    refreshTokens.invalidateAll();
    usedRefreshTokens.invalidateAll();
    revokedGrants.invalidateAll();
    clientCutOffs.invalidateAll();
    userCutOffs.invalidateAll();
    failures.clear();
  }
  /** Writes every live entry to the snapshot file, for the next start (graceful shutdown). */
  private void save() {
    try {
      tokens.cleanUp();
      // Tokens of revoked grants or cut off are dead already: they are left behind.
      Map<SecretKey, AccessToken> liveTokens = new java.util.HashMap<>();
      tokens.forEach(liveTokens::put);
      liveTokens.values().removeIf(this::refused);
      Map<SecretKey, RefreshToken> liveRefreshTokens = new java.util.HashMap<>(refreshTokens.asMap());
      liveRefreshTokens.values().removeIf(this::refused);
      StoreSnapshot.Contents contents = new StoreSnapshot.Contents(Map.copyOf(pending.asMap()),
          Map.copyOf(codes.asMap()), Map.copyOf(usedCodes.asMap()), liveTokens, liveRefreshTokens,
          Map.copyOf(usedRefreshTokens.asMap()), Map.copyOf(revokedGrants.asMap()), Map.copyOf(failures.snapshot()),
          Map.copyOf(clientCutOffs.asMap()), Map.copyOf(userCutOffs.asMap()));
      StoreSnapshot.write(snapshotFile, contents);
      LOG.log(System.Logger.Level.INFO, "saved " + contents.size() + " live entries to " + snapshotFile);
    } catch (java.io.IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "the store snapshot could not be written to " + snapshotFile
          + "; the next start begins empty: " + e);
    }
  }

}
