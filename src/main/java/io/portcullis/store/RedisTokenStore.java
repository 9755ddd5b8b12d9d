package io.portcullis.store;

import io.portcullis.config.RedisSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

/**
 * The shared store: every pending approval, code, token, spent marker, revoked grant and failure
 * counter lives in Redis, so any node can answer any request. Keys are the SHA-256 of the secret
 * (as in {@link CaffeineTokenStore}) behind {@code keyPrefix}; every key carries a Redis TTL from
 * its entry's own expiry, so nothing needs a purge job. Each single-use step is one atomic Redis
 * operation — a Lua script — and the keys a script touches share a hash tag ({@code {c:…}}), so
 * it runs on Redis Cluster too.
 *
 * <p>Standalone ({@code redis://}, {@code rediss://} for TLS), Sentinel and Cluster, through Jedis.
 * Any Redis error or timeout ({@code commandTimeoutMillis}) is a {@link StoreUnavailableException}:
 * callers then deny, never grant. Entries are also checked against the injected clock when read,
 * as the memory store does, so expiry is exact to the second whatever Redis's own timing.
 *
 * <p>Cut-offs ({@link #revokeIssuedBefore}) live in one small hash, {@code prefix{n}}, field
 * {@code c:<client id>} or {@code u:<username>}, value {@code "<cut-off> <until>"} in epoch seconds
 * (a field has no TTL of its own before Redis 7.4; the key's TTL is the latest {@code until}). A
 * token check reads its grant's revocation and its two cut-offs in one pipeline: one round trip,
 * after the one that found the token.
 */
public final class RedisTokenStore implements TokenStore {

  private static final System.Logger LOG = System.getLogger(RedisTokenStore.class.getName());

  private static final Base64.Encoder KEY_HASH = Base64.getUrlEncoder().withoutPadding();

  /** How long a reserved live-token place is held before it lapses on its own. */
  static final Duration PLACE_RESERVATION = Duration.ofSeconds(60);

  // ---- scripts (each atomic; every key of one script in one hash slot) ----

  private static final String SAVE_PENDING =
      "redis.call('HSET', KEYS[1], 'v', ARGV[1], 'n', 0) redis.call('PEXPIREAT', KEYS[1], ARGV[2]) return 1";
  private static final String COUNT_ATTEMPT =
      "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HINCRBY', KEYS[1], 'n', 1) end return 0";
  private static final String TAKE_PENDING =
      "local v = redis.call('HMGET', KEYS[1], 'v', 'n') redis.call('DEL', KEYS[1]) return v";
  /** KEYS: code, spent marker. ARGV: marker expiry (ms). */
  private static final String REDEEM_CODE = String.join("\n",
      "local v = redis.call('GETDEL', KEYS[1])",
      "if v then",
      "  local d = cjson.decode(v)",
      "  redis.call('SET', KEYS[2], cjson.encode({g = d.g, c = d.c, u = d.u}), 'PXAT', ARGV[1])",
      "  return {'fresh', v}",
      "end",
      "local u = redis.call('GET', KEYS[2])",
      "if u then return {'spent', u} end",
      "return {'unknown'}");
  private static final String SAVE_REFRESH =
      "redis.call('HSET', KEYS[1], 'c', ARGV[1], 'v', ARGV[2]) redis.call('PEXPIREAT', KEYS[1], ARGV[3]) return 1";
  /** KEYS: refresh token, spent marker. ARGV: client id, marker expiry (ms). */
  private static final String ROTATE_REFRESH = String.join("\n",
      "local c = redis.call('HGET', KEYS[1], 'c')",
      "if not c then",
      "  local u = redis.call('GET', KEYS[2])",
      "  if u then return {'spent', u} end",
      "  return {'unknown'}",
      "end",
      "if c ~= ARGV[1] then return {'unknown'} end",
      "local v = redis.call('HGET', KEYS[1], 'v')",
      "local d = cjson.decode(v)",
      "redis.call('DEL', KEYS[1])",
      "redis.call('SET', KEYS[2], cjson.encode({g = d.g, c = c, u = d.u}), 'PXAT', ARGV[2])",
      "return {'rotated', v}");
  /** ARGV: window end if it opens now (ms), now (ms). Returns {count, window end (ms)}. */
  /** KEYS: the counter, a hash of n (attempts) and p (pending). ARGV: window end (ms), now (ms). */
  private static final String RECORD_ATTEMPT = String.join("\n",
      "local t = redis.call('PEXPIRETIME', KEYS[1])",
      "if t < 0 or t <= tonumber(ARGV[2]) then",
      "  redis.call('DEL', KEYS[1])",
      "  redis.call('HSET', KEYS[1], 'n', 1, 'p', 1)",
      "  redis.call('PEXPIREAT', KEYS[1], ARGV[1])",
      "  return {1, 1, tonumber(ARGV[1])}",
      "end",
      "return {redis.call('HINCRBY', KEYS[1], 'n', 1), redis.call('HINCRBY', KEYS[1], 'p', 1), t}");
  private static final String FAILURES = String.join("\n",
      "local v = redis.call('HMGET', KEYS[1], 'n', 'p')",
      "if not v[1] then return {0, 0, 0} end",
      "return {tonumber(v[1]), tonumber(v[2] or '0'), redis.call('PEXPIRETIME', KEYS[1])}");
  /** KEYS: the counter. ARGV: the window end (ms) it was counted in, 1 if it failed. */
  private static final String SETTLE_ATTEMPT = String.join("\n",
      "if redis.call('PEXPIRETIME', KEYS[1]) ~= tonumber(ARGV[1]) then return 0 end",
      "if tonumber(redis.call('HGET', KEYS[1], 'p') or '0') > 0 then redis.call('HINCRBY', KEYS[1], 'p', -1) end",
      "if ARGV[2] == '1' then return 1 end",
      "if redis.call('HINCRBY', KEYS[1], 'n', -1) <= 0 then redis.call('DEL', KEYS[1]) end",
      "return 1");
  /*
   * A client's live access tokens are counted, not listed: a hash of expiry buckets, field = the
   * end of a LIVE_BUCKET_SECONDS bucket (epoch seconds), value = the tokens (and reserved places)
   * that expire in it. A bucket whose end has passed is dropped when the count is next read. So a
   * million tokens cost the client a few dozen fields, not a million members; a token is counted
   * until the end of its bucket, at most a minute past its expiry.
   */
  /** Lua: the live count of KEYS[1] at ARGV[1] (s), dropping the buckets that have ended. */
  private static final String LIVE_COUNT = String.join("\n",
      "local function live(key, now)",
      "  local all = redis.call('HGETALL', key)",
      "  local n = 0",
      "  for i = 1, #all, 2 do",
      "    if tonumber(all[i]) <= now then redis.call('HDEL', key, all[i]) else n = n + tonumber(all[i + 1]) end",
      "  end",
      "  return n",
      "end",
      "local function add(key, bucket, by)",
      "  if by < 0 and tonumber(redis.call('HGET', key, bucket) or '0') <= -by then",
      "    redis.call('HDEL', key, bucket)",
      "  elseif by ~= 0 then",
      "    redis.call('HINCRBY', key, bucket, by)",
      "    if redis.call('PEXPIRETIME', key) < tonumber(bucket) * 1000 then",
      "      redis.call('PEXPIREAT', key, bucket .. '000')",
      "    end",
      "  end",
      "end");
  /** KEYS: the client's live count. ARGV: now (s), max, the reservation's bucket. Returns 1 if taken. */
  private static final String RESERVE_PLACE = LIVE_COUNT + "\n"
      + "if live(KEYS[1], tonumber(ARGV[1])) >= tonumber(ARGV[2]) then return 0 end\n"
      + "add(KEYS[1], ARGV[3], 1) return 1";
  /** KEYS: the client's live count. ARGV: bucket to take one from ('' for none), bucket to add one to ('' for none). */
  private static final String MOVE_PLACE = LIVE_COUNT + "\n"
      + "if ARGV[1] ~= '' then add(KEYS[1], ARGV[1], -1) end\n"
      + "if ARGV[2] ~= '' then add(KEYS[1], ARGV[2], 1) end return 1";
  private static final String LIVE_PLACES = LIVE_COUNT + "\nreturn live(KEYS[1], tonumber(ARGV[1]))";
  /**
   * KEYS: the cut-offs. ARGV: field, cut-off (s), until (s), now (s). Only raises the field's
   * cut-off (and its until); drops the fields forgotten by now, so the hash holds only what is in
   * force; extends the key's TTL to the latest until. Returns the cut-off in force (s).
   */
  private static final String SET_CUT_OFF = String.join("\n",
      "local function parse(v)",
      "  local at, u = string.match(v or '', '^(-?%d+) (-?%d+)$')",
      "  return tonumber(at), tonumber(u)",
      "end",
      "local all = redis.call('HGETALL', KEYS[1])",
      "for i = 1, #all, 2 do",
      "  local _, u = parse(all[i + 1])",
      "  if u and u <= tonumber(ARGV[4]) then redis.call('HDEL', KEYS[1], all[i]) end",
      "end",
      "local at, u = tonumber(ARGV[2]), tonumber(ARGV[3])",
      "local was, wasUntil = parse(redis.call('HGET', KEYS[1], ARGV[1]))",
      "if was then at = math.max(at, was) u = math.max(u, wasUntil) end",
      "redis.call('HSET', KEYS[1], ARGV[1], string.format('%d %d', at, u))",
      "if redis.call('PEXPIRETIME', KEYS[1]) < u * 1000 then",
      "  redis.call('PEXPIREAT', KEYS[1], string.format('%d000', u))",
      "end",
      "return at");
  /** Width of the live-count buckets. */
  static final long LIVE_BUCKET_SECONDS = 60;

  private final RedisConnection redis;
  private final String prefix;
  private final Clock clock;
  /** Where revocations are announced to every node's near-cache. */
  private final String revocations;
  private volatile RevocationListener listener;

  /** @throws IllegalStateException when {@code passwordEnv} names a variable that is not set */
  public RedisTokenStore(RedisSettings settings, Clock clock, Function<String, String> environment) {
    this.redis = new RedisConnection(settings, environment);
    this.prefix = settings.keyPrefix();
    this.clock = clock;
    this.revocations = prefix + "revocations";
    LOG.log(System.Logger.Level.INFO, "store: " + settings.describe());
  }

  // ---- keys ----

  /**
   * {@code prefix{kind:hash}}: the braces make every key of one entry one hash slot. The hash is
   * the first 128 bits of the secret's SHA-256 in URL-safe Base64 (22 characters): as hard to
   * guess a secret from as the whole hash for any store of fewer than 2<sup>64</sup> entries, and
   * 42 characters shorter than its hex — a million tokens' keys are 48 rather than 96 bytes each.
   */
  private String key(String kind, String secret) {
    return key(prefix, kind, secret);
  }

  /** The Redis key of {@code secret} of kind {@code kind} ({@code a} access token, {@code c} code…). */
  public static String key(String prefix, String kind, String secret) {
    return prefix + "{" + kind + ":" + KEY_HASH.encodeToString(Arrays.copyOf(SecretKey.sha256(secret), 16)) + "}";
  }

  /** The marker a spent code or refresh token leaves: its key and {@code s}, in its hash slot. */
  private String spentKey(String kind, String secret) {
    return key(kind, secret) + "s";
  }

  private String grantKey(long grantId) {
    return prefix + "{g:" + grantId + "}";
  }

  private String liveKey(String clientId) {
    return prefix + "{l:" + clientId + "}";
  }

  private String cutOffsKey() {
    return prefix + "{n}";
  }

  /** A cut-off's field in the cut-offs hash: {@code c:<client id>} or {@code u:<username>}. */
  static String cutOffField(Subject kind, String id) {
    return (kind == Subject.CLIENT ? "c:" : "u:") + id;
  }

  /** Any Redis failure, as the one exception callers deny on. */
  private <T> T call(Function<UnifiedJedis, T> command) {
    try {
      return command.apply(redis.client());
    } catch (JedisException e) {
      throw unavailable(e);
    }
  }

  private static StoreUnavailableException unavailable(RuntimeException e) {
    return new StoreUnavailableException("Redis: " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
  }

  private Object eval(String script, List<String> keys, String... args) {
    return call(r -> r.eval(script, keys, List.of(args)));
  }

  private long nowMillis() {
    return clock.instant().toEpochMilli();
  }

  private static String millis(long epochSecond) {
    return Long.toString(epochSecond * 1000);
  }

  private boolean expired(Expiring entry) {
    return entry.isExpired(clock);
  }

  // ---- pending approvals ----

  @Override
  public void savePendingAuthorization(String transactionId, PendingAuthorization pending) {
    eval(SAVE_PENDING, List.of(key("p", transactionId)), RedisCodec.pending(pending),
        millis(pending.expiresAtEpochSecond()));
  }

  @Override
  public Optional<PendingAuthorization> findPendingAuthorization(String transactionId) {
    List<String> fields = call(r -> r.hmget(key("p", transactionId), "v", "n"));
    return pending(fields);
  }

  private Optional<PendingAuthorization> pending(List<?> fields) {
    if (fields == null || fields.isEmpty() || fields.get(0) == null) {
      return Optional.empty();
    }
    PendingAuthorization pending = RedisCodec.pending((String) fields.get(0),
        fields.get(1) == null ? 0 : Integer.parseInt(fields.get(1).toString()));
    return expired(pending) ? Optional.empty() : Optional.of(pending);
  }

  @Override
  public int countApprovalAttempt(String transactionId) {
    Optional<PendingAuthorization> pending = findPendingAuthorization(transactionId);
    if (pending.isEmpty()) {
      return 0;
    }
    return ((Long) eval(COUNT_ATTEMPT, List.of(key("p", transactionId)))).intValue();
  }

  @Override
  public Optional<PendingAuthorization> takePendingAuthorization(String transactionId) {
    return pending((List<?>) eval(TAKE_PENDING, List.of(key("p", transactionId))));
  }

  // ---- codes ----

  @Override
  public void saveAuthorizationCode(String code, AuthorizationCode value) {
    call(r -> r.set(key("c", code), RedisCodec.code(value),
        SetParams.setParams().pxAt(value.expiresAtEpochSecond() * 1000)));
  }

  @Override
  public CodeRedemption redeemAuthorizationCode(String code, Instant rememberUsedUntil) {
    List<?> answer = (List<?>) eval(REDEEM_CODE, List.of(key("c", code), spentKey("c", code)),
        Long.toString(rememberUsedUntil.toEpochMilli()));
    switch ((String) answer.get(0)) {
      case "fresh" -> {
        AuthorizationCode redeemed = RedisCodec.code((String) answer.get(1));
        if (expired(redeemed)) {
          return new CodeRedemption.Unknown();
        }
        // Cut-offs alone, not the grant: a replay racing this redemption revokes the grant, and this
        // one must still get its answer (its tokens die with the grant).
        if (cutOff(redeemed, call(r -> r.hmget(cutOffsKey(), cutOffFields(redeemed))))) {
          // Unknown, now and when presented again: its spent marker goes, so that no second
          // presentation is taken for a replay and revokes anything. (A presentation racing this
          // one may still see the marker: it revokes a grant that never issued a token.)
          call(r -> r.del(spentKey("c", code)));
          return new CodeRedemption.Unknown();
        }
        return new CodeRedemption.Redeemed(redeemed);
      }
      case "spent" -> {
        RedisCodec.Spent spent = RedisCodec.spent((String) answer.get(1));
        return new CodeRedemption.AlreadyUsed(spent.grantId(), spent.clientId(), spent.username());
      }
      default -> {
        return new CodeRedemption.Unknown();
      }
    }
  }

  // ---- access tokens ----

  @Override
  public void saveAccessToken(String token, AccessToken value) {
    call(r -> r.set(key("a", token), RedisCodec.accessToken(value),
        SetParams.setParams().pxAt(value.expiresAtEpochSecond() * 1000)));
    eval(MOVE_PLACE, List.of(liveKey(value.clientId())), "", liveBucket(value.expiresAtEpochSecond()));
  }

  @Override
  public LiveTokenPlace reserveLiveToken(String clientId, long maxLive) {
    String bucket = liveBucket(clock.instant().plus(PLACE_RESERVATION).getEpochSecond());
    Object taken = eval(RESERVE_PLACE, List.of(liveKey(clientId)), Long.toString(clock.instant().getEpochSecond()),
        Long.toString(maxLive), bucket);
    return ((Long) taken) == 1 ? new LiveTokenPlace(clientId, bucket) : null;
  }

  @Override
  public void releaseLiveToken(LiveTokenPlace place) {
    eval(MOVE_PLACE, List.of(liveKey(place.clientId())), place.id(), "");
  }

  @Override
  public void saveReservedAccessToken(String token, AccessToken value, LiveTokenPlace place) {
    call(r -> r.set(key("a", token), RedisCodec.accessToken(value),
        SetParams.setParams().pxAt(value.expiresAtEpochSecond() * 1000)));
    eval(MOVE_PLACE, List.of(liveKey(value.clientId())), place.id(), liveBucket(value.expiresAtEpochSecond()));
  }

  @Override
  public long liveAccessTokens(String clientId) {
    return (Long) eval(LIVE_PLACES, List.of(liveKey(clientId)), Long.toString(clock.instant().getEpochSecond()));
  }

  /** The live-count bucket a token expiring at {@code epochSecond} is counted in: the end of its minute. */
  private static String liveBucket(long epochSecond) {
    return Long.toString(Math.floorDiv(epochSecond, LIVE_BUCKET_SECONDS) * LIVE_BUCKET_SECONDS + LIVE_BUCKET_SECONDS);
  }

  @Override
  public Optional<AccessToken> findAccessToken(String token) {
    String json = call(r -> r.get(key("a", token)));
    if (json == null) {
      return Optional.empty();
    }
    AccessToken found = RedisCodec.accessToken(json);
    if (expired(found) || refused(found)) {
      return Optional.empty();
    }
    return Optional.of(found);
  }

  @Override
  public void revokeAccessToken(String token) {
    String json = call(r -> r.getDel(key("a", token)));
    // Announced even when the token is gone already: a revocation retried after a failure here
    // must still reach the other nodes' near-caches.
    call(r -> r.publish(revocations, "t:" + SecretKey.of(token).hex()));
    if (json != null) {
      AccessToken revoked = RedisCodec.accessToken(json);
      eval(MOVE_PLACE, List.of(liveKey(revoked.clientId())), liveBucket(revoked.expiresAtEpochSecond()), "");
    }
  }

  // ---- refresh tokens ----

  @Override
  public void saveRefreshToken(String token, RefreshToken value) {
    eval(SAVE_REFRESH, List.of(key("r", token)), value.clientId(), RedisCodec.refreshToken(value),
        millis(value.expiresAtEpochSecond()));
  }

  @Override
  public void revokeRefreshToken(String token) {
    call(r -> r.del(key("r", token)));
  }

  @Override
  public Optional<RefreshToken> findRefreshToken(String token) {
    String json = call(r -> r.hget(key("r", token), "v"));
    if (json == null) {
      return Optional.empty();
    }
    RefreshToken found = RedisCodec.refreshToken(json);
    if (expired(found) || refused(found)) {
      return Optional.empty();
    }
    return Optional.of(found);
  }

  @Override
  public RefreshRotation rotateRefreshToken(String token, String clientId, Instant rememberUsedUntil) {
    // The grant and the cut-offs are checked before the rotation, not after: a replay racing it
    // revokes the grant, and the one that rotated must still get its answer (its new tokens die
    // with the grant); and a refresh token that is cut off never rotates into a fresh pair.
    String current = call(r -> r.hget(key("r", token), "v"));
    if (current != null && refused(RedisCodec.refreshToken(current))) {
      return new RefreshRotation.Unknown();
    }
    List<?> answer = (List<?>) eval(ROTATE_REFRESH, List.of(key("r", token), spentKey("r", token)), clientId,
        Long.toString(rememberUsedUntil.toEpochMilli()));
    switch ((String) answer.get(0)) {
      case "rotated" -> {
        RefreshToken rotated = RedisCodec.refreshToken((String) answer.get(1));
        if (expired(rotated)) {
          return new RefreshRotation.Unknown();
        }
        return new RefreshRotation.Rotated(rotated);
      }
      case "spent" -> {
        RedisCodec.Spent spent = RedisCodec.spent((String) answer.get(1));
        return new RefreshRotation.AlreadyUsed(spent.grantId(), spent.clientId(), spent.username());
      }
      default -> {
        return new RefreshRotation.Unknown();
      }
    }
  }

  // ---- grants ----

  @Override
  public void revokeGrant(long grantId, Instant until) {
    call(r -> r.set(grantKey(grantId), "1", SetParams.setParams().pxAt(until.toEpochMilli())));
    call(r -> r.publish(revocations, "g:" + grantId));
  }

  /**
   * Listens for revocations from every node: {@code revoked} gets {@code t:<token hash>},
   * {@code g:<grant id>}, or a cut-off's {@code c:<client id>} or {@code u:<username>};
   * {@code maybeMissed} runs whenever the subscription starts or ends, since
   * messages may have been missed meanwhile. Keeps listening — through dropped connections and
   * Sentinel failovers — until {@link #close()} ({@link RevocationListener}).
   */
  public synchronized void onRevocation(java.util.function.Consumer<String> revoked, Runnable maybeMissed) {
    if (listener != null) {
      throw new IllegalStateException("one revocation listener per store");
    }
    listener = new RevocationListener(redis, revocations, revoked, maybeMissed);
  }

  // ---- cut-offs ----

  @Override
  public Instant revokeIssuedBefore(Subject kind, String id, Instant cutoff, Instant until) {
    CutOff asked = CutOff.of(cutoff, until);
    Object inForce = eval(SET_CUT_OFF, List.of(cutOffsKey()), cutOffField(kind, id),
        Long.toString(asked.atEpochSecond()), Long.toString(asked.expiresAtEpochSecond()),
        Long.toString(clock.instant().getEpochSecond()));
    // Announced even when a later cut-off was in force: a retry after a failure here must still
    // reach the other nodes' near-caches. The cut-off is in force whether or not the announcement
    // goes out: a failure here is logged, not reported as "nothing revoked" — the other nodes'
    // near-caches then lag by nearCacheMillis at most.
    try {
      call(r -> r.publish(revocations, cutOffField(kind, id)));
    } catch (StoreUnavailableException e) {
      LOG.log(System.Logger.Level.WARNING, "cut-off set, but its announcement to the other nodes failed ("
          + e.getMessage() + "); their near-caches may keep that " + kind.name().toLowerCase(java.util.Locale.ROOT)
          + "'s tokens for nearCacheMillis at most");
    }
    return Instant.ofEpochSecond((Long) inForce);
  }

  @Override
  public Optional<Instant> cutoff(Subject kind, String id) {
    String value = call(r -> r.hget(cutOffsKey(), cutOffField(kind, id)));
    return value == null ? Optional.empty() : inForce(RedisCodec.cutOff(value)).map(CutOff::at);
  }

  private Optional<CutOff> inForce(CutOff cutOff) {
    return expired(cutOff) ? Optional.empty() : Optional.of(cutOff);
  }

  /**
   * Whether its grant is revoked or a cut-off of its client or user refuses it: the three asked
   * in one pipeline, one round trip (on a Cluster the keys are in different slots, so no script
   * could read them together).
   */
  private boolean refused(Issued issued) {
    boolean grantRevoked;
    List<String> cutOffs;
    try (AbstractPipeline pipeline = redis.pipelined()) {
      Response<Boolean> revoked = pipeline.exists(grantKey(issued.grantId()));
      Response<List<String>> values = pipeline.hmget(cutOffsKey(), cutOffFields(issued));
      pipeline.sync();
      grantRevoked = revoked.get();
      cutOffs = values.get();
    } catch (JedisException | IllegalStateException e) {
      throw unavailable(e); // IllegalStateException: a Cluster node's part went unanswered
    }
    return grantRevoked || cutOff(issued, cutOffs);
  }

  /** The fields of its client's and its user's cut-offs. */
  private static String[] cutOffFields(Issued issued) {
    String client = cutOffField(Subject.CLIENT, issued.clientId());
    return issued.username() == null ? new String[] {client}
        : new String[] {client, cutOffField(Subject.USER, issued.username())};
  }

  /** Whether one of {@code values}, read from {@link #cutOffFields}, refuses it. */
  private boolean cutOff(Issued issued, List<String> values) {
    return values.stream().filter(java.util.Objects::nonNull).map(RedisCodec::cutOff)
        .flatMap(c -> inForce(c).stream()).anyMatch(c -> c.refuses(issued.issuedAtEpochSecond()));
  }

  // ---- failure counters ----

  @Override
  public FailureCount recordAttempt(String subject, Duration window) {
    long now = nowMillis();
    List<?> answer = (List<?>) eval(RECORD_ATTEMPT, List.of(attemptsKey(subject)),
        Long.toString(now + window.toMillis()), Long.toString(now));
    return new FailureCount(((Long) answer.get(0)).intValue(), ((Long) answer.get(1)).intValue(),
        Instant.ofEpochMilli((Long) answer.get(2)));
  }

  @Override
  public FailureCount failures(String subject) {
    List<?> answer = (List<?>) eval(FAILURES, List.of(attemptsKey(subject)));
    long count = (Long) answer.get(0);
    Instant ends = Instant.ofEpochMilli((Long) answer.get(2));
    return count == 0 || !clock.instant().isBefore(ends) ? FailureCount.NONE
        : new FailureCount((int) count, ((Long) answer.get(1)).intValue(), ends);
  }

  @Override
  public void settleAttempt(String subject, Instant windowEnds, boolean failed) {
    eval(SETTLE_ATTEMPT, List.of(attemptsKey(subject)), Long.toString(windowEnds.toEpochMilli()), failed ? "1" : "0");
  }

  /** "f": a hash of the attempts counted ("n") and still pending ("p"). */
  private String attemptsKey(String subject) {
    return key("f", subject);
  }

  // ---- the rest ----

  /** Redis holds far more than one node would; no cheap count exists: -1, "not known". */
  @Override
  public long accessTokenCount() {
    return -1;
  }

  /** Answers when Redis does, within the command timeout. */
  @Override
  public void ping() {
    call(UnifiedJedis::ping);
  }

  /** Whether a revocation listener's threads run (tests). */
  boolean listening() {
    RevocationListener current = listener;
    return current != null && current.running();
  }

  @Override
  public void close() {
    RevocationListener current = listener;
    if (current != null) {
      current.close();
    }
    redis.close();
  }
}
