package io.portcullis.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.StoreSettings;
import io.portcullis.json.StrictJson;
import io.portcullis.testing.Concurrently;
import io.portcullis.testing.RedisSentinel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The Sentinel store through a failover — one a sentinel is asked for, and a master killed with
 * SIGKILL — each on a real master, two replicas and three sentinels of its own. The same store
 * object, never reopened, writes to the new master within {@link #FOLLOW_WITHIN} of the sentinels
 * naming it, finds there what was written (and replicated) before, and single use still holds
 * there; meanwhile every answer is the right one or a {@link StoreUnavailableException} (fail
 * closed), never a wrong one. Another node's near-cache, which keeps a token for a minute, drops
 * one revoked after the failover within {@link #REVOCATION_WITHIN}: its subscription to
 * revocations moves to the new master too.
 */
class RedisSentinelFailoverTest {

  static final String PREFIX = "failover:";
  /** From the failover's start to every sentinel naming a new master that says it is one. */
  static final Duration SWITCH_WITHIN = Duration.ofSeconds(15);
  /** From the sentinels naming the new master to the store writing there. */
  static final Duration FOLLOW_WITHIN = Duration.ofSeconds(5);
  /** How long another node's near-cache keeps a token it is not told is revoked. */
  static final Duration NEAR_CACHE = Duration.ofMinutes(1);
  /** From a revocation after the failover to another node's near-cache dropping the token. */
  static final Duration REVOCATION_WITHIN = Duration.ofSeconds(2);

  private final Clock clock = Clock.systemUTC();
  private final ExecutorService pool = Executors.newFixedThreadPool(32);
  private final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    pool.shutdownNow();
    Collections.reverse(opened);
    for (AutoCloseable closeable : opened) {
      closeable.close();
    }
  }

  /** What makes the sentinels choose another master. */
  interface Failover {
    void force(RedisSentinel sentinel, int masterPort) throws Exception;
  }

  @Test
  void aFailoverTheSentinelsAreAskedForIsFollowed() throws Exception {
    survives((sentinel, masterPort) -> sentinel.failover());
  }

  @Test
  void aKilledMasterIsReplacedAndFollowed() throws Exception {
    survives((sentinel, masterPort) -> sentinel.node(masterPort).kill());
  }

  private void survives(Failover failover) throws Exception {
    RedisSentinel sentinel = opened(new RedisSentinel().start());
    StoreSettings settings = settings(sentinel);
    TokenStore store = opened(TokenStores.open(settings, clock, name -> null));
    // Another node, whose near-cache keeps a token for a minute unless it hears of its revocation.
    TokenStore other = opened(TokenStores.open(settings, clock, name -> null));
    AccessTokenLookup otherNearCache = TokenStores.bearerLookup(settings, other, clock);

    store.saveAccessToken("before", token(1));
    store.saveAccessToken("of-a-revoked-grant", token(2));
    store.revokeGrant(2, in(3600));
    store.saveRefreshToken("refresh", refresh(3));
    store.saveAuthorizationCode("spent-code", code(4));
    assertInstanceOf(CodeRedemption.Redeemed.class, store.redeemAuthorizationCode("spent-code", in(3600)));
    store.saveAuthorizationCode("fresh-code", code(5));
    assertTrue(otherNearCache.findAccessToken("before").isPresent());
    sentinel.awaitReplicated();
    int former = sentinel.masterPort();

    Prober prober = new Prober(store);
    prober.start();
    failover.force(sentinel, former);
    int master = sentinel.awaitNewMaster(former, SWITCH_WITHIN);
    awaitWritesReach(store, master);
    prober.stop();
    assertEquals(List.of(), prober.wrong, "every answer during the switch right or unavailable");
    assertTrue(prober.right.get() > 0, "answers during the switch: " + prober.right + " right, "
        + prober.unavailable + " unavailable");

    // What was written before, on the new master.
    assertEquals(1, store.findAccessToken("before").orElseThrow().grantId());
    assertEquals(Optional.empty(), store.findAccessToken("of-a-revoked-grant"));
    assertEquals(new CodeRedemption.AlreadyUsed(4, "app", "alice"), store.redeemAuthorizationCode("spent-code", in(3600)));
    // Single use, of what was written before and of what is written now.
    List<CodeRedemption> fresh = Concurrently.atOnce(pool, 32,
        () -> store.redeemAuthorizationCode("fresh-code", in(3600)));
    assertEquals(1, fresh.stream().filter(r -> r instanceof CodeRedemption.Redeemed).count(), fresh.toString());
    assertEquals(31, fresh.stream().filter(r -> r instanceof CodeRedemption.AlreadyUsed).count());
    List<RefreshRotation> rotations = Concurrently.atOnce(pool, 32,
        () -> store.rotateRefreshToken("refresh", "app", in(3600)));
    assertEquals(1, rotations.stream().filter(r -> r instanceof RefreshRotation.Rotated).count(),
        rotations.toString());
    assertEquals(31, rotations.stream().filter(r -> r instanceof RefreshRotation.AlreadyUsed).count());
    store.saveAuthorizationCode("new-code", code(6));
    List<CodeRedemption> again = Concurrently.atOnce(pool, 32,
        () -> store.redeemAuthorizationCode("new-code", in(3600)));
    assertEquals(1, again.stream().filter(r -> r instanceof CodeRedemption.Redeemed).count(), again.toString());
    try (Jedis direct = RedisSentinel.connect(master)) {
      assertTrue(direct.exists(RedisTokenStore.key(PREFIX, "c", "new-code") + "s"),
          "the spent marker is on the new master");
    }

    // The other node, its near-cache holding the token again, hears of its revocation.
    assertTrue(otherNearCache.findAccessToken("before").isPresent());
    store.revokeAccessToken("before");
    long deadline = System.nanoTime() + REVOCATION_WITHIN.toNanos();
    while (otherNearCache.findAccessToken("before").isPresent() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(Optional.empty(), otherNearCache.findAccessToken("before"),
        "the other node's near-cache still holds the revoked token after " + REVOCATION_WITHIN.toMillis() + " ms");
  }

  /**
   * Asks, over and over until stopped, what has one right answer throughout: the token saved
   * before, the one of the revoked grant, the spent code.
   */
  private final class Prober {
    final TokenStore store;
    final List<String> wrong = new CopyOnWriteArrayList<>();
    final AtomicInteger right = new AtomicInteger();
    final AtomicInteger unavailable = new AtomicInteger();
    final AtomicBoolean running = new AtomicBoolean(true);
    Thread thread;

    Prober(TokenStore store) {
      this.store = store;
    }

    void start() {
      thread = new Thread(() -> {
        while (running.get()) {
          check("the token saved before", () -> store.findAccessToken("before").map(AccessToken::grantId),
              Optional.of(1L));
          check("the token of a revoked grant", () -> store.findAccessToken("of-a-revoked-grant"), Optional.empty());
          check("the spent code", () -> store.redeemAuthorizationCode("spent-code", in(3600)),
              new CodeRedemption.AlreadyUsed(4, "app", "alice"));
        }
      }, "failover-prober");
      thread.start();
    }

    private void check(String what, Callable<Object> ask, Object expected) {
      try {
        Object answer = ask.call();
        if (expected.equals(answer)) {
          right.incrementAndGet();
        } else {
          wrong.add(what + ": " + answer);
        }
      } catch (StoreUnavailableException e) {
        unavailable.incrementAndGet();
      } catch (Exception e) {
        wrong.add(what + ": " + e);
      }
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join(10_000);
    }
  }

  /** Saves access tokens through the store until one lands on the new master. */
  private void awaitWritesReach(TokenStore store, int master) throws InterruptedException {
    long deadline = System.nanoTime() + FOLLOW_WITHIN.toNanos();
    try (Jedis direct = RedisSentinel.connect(master)) {
      for (int i = 0; System.nanoTime() < deadline; i++) {
        String probe = "probe-" + i;
        try {
          store.saveAccessToken(probe, token(100 + i));
        } catch (StoreUnavailableException e) {
          // during the switch
        }
        if (direct.exists(RedisTokenStore.key(PREFIX, "a", probe))) {
          return;
        }
        Thread.sleep(20);
      }
    }
    throw new AssertionError("the store did not write to the new master on port " + master + " within "
        + FOLLOW_WITHIN.toMillis() + " ms of the sentinels naming it");
  }

  /** The store settings of a node's config: this Sentinel set, a near-cache of a minute. */
  private static StoreSettings settings(RedisSentinel sentinel) throws Exception {
    JsonObject config = RedisSentinelTokenStoreTest.configJson(sentinel, PREFIX);
    config.getAsJsonObject("store").addProperty("nearCacheMillis", NEAR_CACHE.toMillis());
    return ConfigLoader.load("failover test", StrictJson.parse(config.toString())).store();
  }

  private <T extends AutoCloseable> T opened(T closeable) {
    opened.add(closeable);
    return closeable;
  }

  private Instant in(long seconds) {
    return clock.instant().plusSeconds(seconds);
  }

  private AccessToken token(long grantId) {
    return new AccessToken(grantId, "app", "alice", "email", clock.instant().getEpochSecond(),
        in(600).getEpochSecond());
  }

  private RefreshToken refresh(long grantId) {
    return new RefreshToken(grantId, "app", "alice", "email", clock.instant().getEpochSecond(),
        in(3600).getEpochSecond(), in(86_400).getEpochSecond());
  }

  private AuthorizationCode code(long grantId) {
    return new AuthorizationCode(grantId, "app", "alice", "https://app.example/cb", true, "email",
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "S256", clock.instant(), in(600));
  }
}
