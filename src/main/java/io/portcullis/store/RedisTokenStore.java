package io.portcullis.store;

import io.portcullis.config.RedisSettings;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisSentinelClient;
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
 */
public final class RedisTokenStore implements TokenStore {

  private static final System.Logger LOG = System.getLogger(RedisTokenStore.class.getName());

  /** How long a reserved live-token place is held before it lapses on its own. */
  static final Duration PLACE_RESERVATION = Duration.ofSeconds(60);
  /** Sentinel: how often the revocation listener checks that it listens on the current master. */
  static final Duration MASTER_CHECK = Duration.ofMillis(100);

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
      "  redis.call('SET', KEYS[2], cjson.encode({g = d.g, c = d.c}), 'PXAT', ARGV[1])",
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
      "redis.call('SET', KEYS[2], cjson.encode({g = d.g, c = c}), 'PXAT', ARGV[2])",
      "return {'rotated', v}");
  /** ARGV: window end if it opens now (ms), now (ms). Returns {count, window end (ms)}. */
  private static final String RECORD_FAILURE = String.join("\n",
      "local t = redis.call('PEXPIRETIME', KEYS[1])",
      "if t < 0 or t <= tonumber(ARGV[2]) then",
      "  redis.call('SET', KEYS[1], 1, 'PXAT', ARGV[1])",
      "  return {1, tonumber(ARGV[1])}",
      "end",
      "return {redis.call('INCR', KEYS[1]), t}");
  private static final String FAILURES =
      "local n = redis.call('GET', KEYS[1]) if not n then return {0, 0} end "
          + "return {tonumber(n), redis.call('PEXPIRETIME', KEYS[1])}";
  private static final String FORGET_FAILURE =
      "local n = tonumber(redis.call('GET', KEYS[1]) or '0') "
          + "if n <= 1 then redis.call('DEL', KEYS[1]) else redis.call('DECR', KEYS[1]) end return 1";
  /** KEYS: the client's live set. ARGV: now (ms), max, reservation id, reservation expiry (ms). */
  private static final String RESERVE_PLACE = String.join("\n",
      "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])",
      "if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end",
      "redis.call('ZADD', KEYS[1], ARGV[4], ARGV[3])",
      "if redis.call('PEXPIRETIME', KEYS[1]) < tonumber(ARGV[4]) then redis.call('PEXPIREAT', KEYS[1], ARGV[4]) end",
      "return 1");
  /** KEYS: the client's live set. ARGV: reservation id, token hash, token expiry (ms). */
  private static final String FILL_PLACE = String.join("\n",
      "redis.call('ZREM', KEYS[1], ARGV[1])",
      "redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])",
      "if redis.call('PEXPIRETIME', KEYS[1]) < tonumber(ARGV[3]) then redis.call('PEXPIREAT', KEYS[1], ARGV[3]) end",
      "return 1");
  private static final String LIVE_PLACES =
      "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1]) return redis.call('ZCARD', KEYS[1])";

  private final UnifiedJedis redis;
  private final String prefix;
  private final Clock clock;
  /** Where revocations are announced to every node's near-cache. */
  private final String revocations;
  private volatile boolean closed;
  private volatile Subscription subscription;

  /** The revocation subscription, and the master it was made on (Sentinel; {@code null} otherwise). */
  private record Subscription(redis.clients.jedis.JedisPubSub pubSub, HostAndPort master) {}

  public RedisTokenStore(RedisSettings settings, Clock clock, Function<String, String> environment) {
    this(connect(settings, environment), settings.keyPrefix(), clock);
    LOG.log(System.Logger.Level.INFO, "store: " + settings.describe());
  }

  RedisTokenStore(UnifiedJedis redis, String prefix, Clock clock) {
    this.redis = redis;
    this.prefix = prefix;
    this.clock = clock;
    this.revocations = prefix + "revocations";
  }

  /**
   * A Jedis client for the settings: standalone, Sentinel or Cluster. Nothing is sent to Redis
   * yet; with Sentinel, though, the sentinels are asked for the master at once, and one of them
   * must answer.
   */
  static UnifiedJedis connect(RedisSettings settings, Function<String, String> environment) {
    URI first = settings.isCluster() ? settings.nodes().get(0)
        : settings.isSentinel() ? settings.sentinels().get(0) : settings.uri();
    String user = null;
    String password = null;
    if (settings.uri() != null && settings.uri().getRawUserInfo() != null) {
      String info = settings.uri().getRawUserInfo();
      int colon = info.indexOf(':');
      user = colon < 0 ? null : decode(info.substring(0, colon));
      password = decode(colon < 0 ? info : info.substring(colon + 1));
      if (user != null && user.isEmpty()) {
        user = null;
      }
    }
    if (settings.passwordEnv() != null) {
      password = environment.apply(settings.passwordEnv());
      if (password == null) {
        throw new IllegalStateException("store.passwordEnv names " + settings.passwordEnv()
            + ", which is not set in the environment");
      }
    }
    DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis((int) settings.connectTimeout().toMillis())
        .socketTimeoutMillis((int) settings.commandTimeout().toMillis())
        .ssl("rediss".equals(first.getScheme()))
        .clientName("portcullis");
    if (user != null) {
      config.user(user);
    }
    if (password != null) {
      config.password(password);
    }
    if (settings.uri() != null && settings.uri().getRawPath() != null && settings.uri().getRawPath().length() > 1) {
      config.database(Integer.parseInt(settings.uri().getRawPath().substring(1)));
    }
    JedisClientConfig clientConfig = config.build();
    if (settings.isCluster()) {
      return RedisClusterClient.builder().nodes(hosts(settings.nodes())).clientConfig(clientConfig)
          .maxTotalRetriesDuration(settings.commandTimeout().multipliedBy(2)).build();
    }
    if (settings.isSentinel()) {
      // Jedis speaks RESP2 to sentinels; left to negotiate, it warns so on every connection.
      JedisClientConfig sentinelConfig = DefaultJedisClientConfig.builder()
          .connectionTimeoutMillis((int) settings.connectTimeout().toMillis())
          .socketTimeoutMillis((int) settings.commandTimeout().toMillis())
          .ssl("rediss".equals(first.getScheme())).autoNegotiateProtocol(false).build();
      return RedisSentinelClient.builder().masterName(settings.masterName()).sentinels(hosts(settings.sentinels()))
          .clientConfig(clientConfig).sentinelClientConfig(sentinelConfig).build();
    }
    return RedisClient.builder().hostAndPort(settings.uri().getHost(), port(settings.uri()))
        .clientConfig(clientConfig).build();
  }

  private static Set<HostAndPort> hosts(List<URI> uris) {
    return uris.stream().map(u -> new HostAndPort(u.getHost(), port(u))).collect(Collectors.toSet());
  }

  private static int port(URI uri) {
    return uri.getPort() < 0 ? 6379 : uri.getPort();
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  // ---- keys ----

  /** {@code prefix{kind:hash}}: the braces make every key of one entry one hash slot. */
  private String key(String kind, String secret) {
    return prefix + "{" + kind + ":" + SecretKey.of(secret).hex() + "}";
  }

  private String spentKey(String kind, String secret) {
    return key(kind, secret) + "spent";
  }

  private String grantKey(long grantId) {
    return prefix + "{g:" + grantId + "}";
  }

  private String liveKey(String clientId) {
    return prefix + "{l:" + clientId + "}";
  }

  /** Any Redis failure, as the one exception callers deny on. */
  private <T> T call(Supplier<T> command) {
    try {
      return command.get();
    } catch (JedisException e) {
      throw new StoreUnavailableException("Redis: " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  private Object eval(String script, List<String> keys, String... args) {
    return call(() -> redis.eval(script, keys, List.of(args)));
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
    List<String> fields = call(() -> redis.hmget(key("p", transactionId), "v", "n"));
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
    call(() -> redis.set(key("c", code), RedisCodec.code(value),
        SetParams.setParams().pxAt(value.expiresAtEpochSecond() * 1000)));
  }

  @Override
  public CodeRedemption redeemAuthorizationCode(String code, Instant rememberUsedUntil) {
    List<?> answer = (List<?>) eval(REDEEM_CODE, List.of(key("c", code), spentKey("c", code)),
        Long.toString(rememberUsedUntil.toEpochMilli()));
    switch ((String) answer.get(0)) {
      case "fresh" -> {
        AuthorizationCode redeemed = RedisCodec.code((String) answer.get(1));
        return expired(redeemed) ? new CodeRedemption.Unknown() : new CodeRedemption.Redeemed(redeemed);
      }
      case "spent" -> {
        RedisCodec.Spent spent = RedisCodec.spent((String) answer.get(1));
        return new CodeRedemption.AlreadyUsed(spent.grantId(), spent.clientId());
      }
      default -> {
        return new CodeRedemption.Unknown();
      }
    }
  }

  // ---- access tokens ----

  @Override
  public void saveAccessToken(String token, AccessToken value) {
    call(() -> redis.set(key("a", token), RedisCodec.accessToken(value),
        SetParams.setParams().pxAt(value.expiresAtEpochSecond() * 1000)));
    eval(FILL_PLACE, List.of(liveKey(value.clientId())), "", SecretKey.of(token).hex(),
        millis(value.expiresAtEpochSecond()));
  }

  @Override
  public LiveTokenPlace reserveLiveToken(String clientId, long maxLive) {
    String id = "reserved:" + UUID.randomUUID();
    long now = nowMillis();
    Object taken = eval(RESERVE_PLACE, List.of(liveKey(clientId)), Long.toString(now), Long.toString(maxLive), id,
        Long.toString(now + PLACE_RESERVATION.toMillis()));
    return ((Long) taken) == 1 ? new LiveTokenPlace(clientId, id) : null;
  }

  @Override
  public void releaseLiveToken(LiveTokenPlace place) {
    call(() -> redis.zrem(liveKey(place.clientId()), place.id()));
  }

  @Override
  public void saveReservedAccessToken(String token, AccessToken value, LiveTokenPlace place) {
    call(() -> redis.set(key("a", token), RedisCodec.accessToken(value),
        SetParams.setParams().pxAt(value.expiresAtEpochSecond() * 1000)));
    eval(FILL_PLACE, List.of(liveKey(value.clientId())), place.id(), SecretKey.of(token).hex(),
        millis(value.expiresAtEpochSecond()));
  }

  @Override
  public long liveAccessTokens(String clientId) {
    return (Long) eval(LIVE_PLACES, List.of(liveKey(clientId)), Long.toString(nowMillis()));
  }

  @Override
  public Optional<AccessToken> findAccessToken(String token) {
    String json = call(() -> redis.get(key("a", token)));
    if (json == null) {
      return Optional.empty();
    }
    AccessToken found = RedisCodec.accessToken(json);
    if (expired(found) || grantRevoked(found.grantId())) {
      return Optional.empty();
    }
    return Optional.of(found);
  }

  @Override
  public void revokeAccessToken(String token) {
    String json = call(() -> redis.getDel(key("a", token)));
    // Announced even when the token is gone already: a revocation retried after a failure here
    // must still reach the other nodes' near-caches.
    call(() -> redis.publish(revocations, "t:" + SecretKey.of(token).hex()));
    if (json != null) {
      String clientId = RedisCodec.accessToken(json).clientId();
      call(() -> redis.zrem(liveKey(clientId), SecretKey.of(token).hex()));
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
    call(() -> redis.del(key("r", token)));
  }

  @Override
  public Optional<RefreshToken> findRefreshToken(String token) {
    String json = call(() -> redis.hget(key("r", token), "v"));
    if (json == null) {
      return Optional.empty();
    }
    RefreshToken found = RedisCodec.refreshToken(json);
    if (expired(found) || grantRevoked(found.grantId())) {
      return Optional.empty();
    }
    return Optional.of(found);
  }

  @Override
  public RefreshRotation rotateRefreshToken(String token, String clientId, Instant rememberUsedUntil) {
    List<?> answer = (List<?>) eval(ROTATE_REFRESH, List.of(key("r", token), spentKey("r", token)), clientId,
        Long.toString(rememberUsedUntil.toEpochMilli()));
    switch ((String) answer.get(0)) {
      case "rotated" -> {
        RefreshToken rotated = RedisCodec.refreshToken((String) answer.get(1));
        if (expired(rotated) || grantRevoked(rotated.grantId())) {
          return new RefreshRotation.Unknown();
        }
        return new RefreshRotation.Rotated(rotated);
      }
      case "spent" -> {
        RedisCodec.Spent spent = RedisCodec.spent((String) answer.get(1));
        return new RefreshRotation.AlreadyUsed(spent.grantId(), spent.clientId());
      }
      default -> {
        return new RefreshRotation.Unknown();
      }
    }
  }

  // ---- grants ----

  @Override
  public void revokeGrant(long grantId, Instant until) {
    call(() -> redis.set(grantKey(grantId), "1", SetParams.setParams().pxAt(until.toEpochMilli())));
    call(() -> redis.publish(revocations, "g:" + grantId));
  }

  /**
   * Listens for revocations from every node: {@code revoked} gets {@code t:<token hash>} or
   * {@code g:<grant id>}; {@code maybeMissed} runs whenever the subscription (re)starts or drops,
   * since messages may have been missed meanwhile. Keeps reconnecting until {@link #close()}.
   *
   * <p>With Sentinel it also follows a failover: a subscription stays on the connection it was
   * made on, and a former master that is still running keeps it — hearing nothing, since
   * revocations are now published on the new master — until the sentinels make it a replica,
   * seconds later. So once the client has moved to a new master, the subscription is ended and
   * made again there.
   */
  public void onRevocation(java.util.function.Consumer<String> revoked, Runnable maybeMissed) {
    Thread listener = new Thread(() -> {
      while (!closed) {
        redis.clients.jedis.JedisPubSub pubSub = new redis.clients.jedis.JedisPubSub() {
          @Override
          public void onSubscribe(String channel, int subscribedChannels) {
            maybeMissed.run();
          }

          @Override
          public void onMessage(String channel, String message) {
            revoked.accept(message);
          }
        };
        subscription = new Subscription(pubSub, currentMaster());
        try {
          redis.subscribe(pubSub, revocations);
        } catch (RuntimeException e) {
          maybeMissed.run();
          if (!closed) {
            LOG.log(System.Logger.Level.WARNING, "revocation subscription lost (" + e.getClass().getSimpleName()
                + "); near-cache emptied, reconnecting");
            try {
              Thread.sleep(500);
            } catch (InterruptedException interrupted) {
              return;
            }
          }
        }
      }
    }, "portcullis-revocations");
    listener.setDaemon(true);
    listener.start();
    if (redis instanceof RedisSentinelClient) {
      Thread follower = new Thread(this::followMaster, "portcullis-revocations-master");
      follower.setDaemon(true);
      follower.start();
    }
  }

  /** The master a Sentinel client sends to now; {@code null} for standalone and Cluster. */
  private HostAndPort currentMaster() {
    return redis instanceof RedisSentinelClient sentinel ? sentinel.getCurrentMaster() : null;
  }

  /** Ends a subscription made on a master the client has left; the listener makes it again. */
  private void followMaster() {
    redis.clients.jedis.JedisPubSub ended = null;
    while (!closed) {
      Subscription current = subscription;
      HostAndPort master = currentMaster();
      if (current != null && current.pubSub() != ended && current.master() != null
          && !current.master().equals(master) && current.pubSub().isSubscribed()) {
        LOG.log(System.Logger.Level.INFO, "Redis master moved from " + current.master() + " to " + master
            + ": listening for revocations there");
        ended = current.pubSub();
        try {
          ended.unsubscribe();
        } catch (RuntimeException e) {
          // its connection is gone already: the listener subscribes again by itself
        }
      }
      try {
        Thread.sleep(MASTER_CHECK.toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private boolean grantRevoked(long grantId) {
    return call(() -> redis.exists(grantKey(grantId)));
  }

  // ---- failure counters ----

  @Override
  public FailureCount recordFailure(String subject, Duration window) {
    long now = nowMillis();
    List<?> answer = (List<?>) eval(RECORD_FAILURE, List.of(key("f", subject)), Long.toString(now
        + window.toMillis()), Long.toString(now));
    return new FailureCount(((Long) answer.get(0)).intValue(), Instant.ofEpochMilli((Long) answer.get(1)));
  }

  @Override
  public FailureCount failures(String subject) {
    List<?> answer = (List<?>) eval(FAILURES, List.of(key("f", subject)));
    long count = (Long) answer.get(0);
    Instant ends = Instant.ofEpochMilli((Long) answer.get(1));
    return count == 0 || !clock.instant().isBefore(ends) ? FailureCount.NONE : new FailureCount((int) count, ends);
  }

  @Override
  public void forgetFailure(String subject) {
    eval(FORGET_FAILURE, List.of(key("f", subject)));
  }

  // ---- the rest ----

  /** Redis holds far more than one node would; no cheap count exists: -1, "not known". */
  @Override
  public long accessTokenCount() {
    return -1;
  }

  /** Answers when Redis does, within the command timeout. */
  public void ping() {
    call(redis::ping);
  }

  @Override
  public void close() {
    closed = true;
    Subscription current = subscription;
    if (current != null && current.pubSub().isSubscribed()) {
      try {
        current.pubSub().unsubscribe();
      } catch (RuntimeException ignored) {
        // the connection is gone already
      }
    }
    redis.close();
  }
}
