package io.portcullis.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.config.RedisSettings;
import io.portcullis.testing.MutableClock;
import io.portcullis.testing.RedisServer;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * How the Redis store connects: it starts while Redis is away and serves once Redis is there, a
 * hung Redis holds no request past the timeouts however many wait, and an ACL user named in the
 * URI is the one it logs in as. Real redis-server processes throughout; the hung one is a socket
 * that accepts and never answers.
 */
class RedisConnectionTest {

  private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));

  private static RedisSettings standalone(String uri, String passwordEnv, long timeoutMillis) {
    return new RedisSettings(URI.create(uri), List.of(), null, List.of(), passwordEnv, "p:",
        Duration.ofMillis(timeoutMillis), Duration.ofMillis(timeoutMillis), Duration.ZERO);
  }

  private AccessToken token() {
    long now = clock.instant().getEpochSecond();
    return new AccessToken(1, "app", "alice", "email", now, now + 600);
  }

  @Test
  void startsWhileRedisIsAwayAnswersUnavailableAndServesOnceItIsThere() throws Exception {
    int port = RedisServer.freePort();
    URI node = URI.create("redis://127.0.0.1:" + port);
    for (RedisSettings away : List.of(
        new RedisSettings(null, List.of(), null, List.of(node), null, "p:", Duration.ofMillis(300),
            Duration.ofMillis(300), Duration.ZERO),
        new RedisSettings(null, List.of(node), "gateway", List.of(), null, "p:", Duration.ofMillis(300),
            Duration.ofMillis(300), Duration.ZERO))) {
      try (RedisTokenStore store = new RedisTokenStore(away, clock, name -> null)) {
        StoreUnavailableException unavailable = assertThrows(StoreUnavailableException.class,
            () -> store.findAccessToken("t"));
        assertTrue(unavailable.getMessage().startsWith("Redis: cannot connect to Redis "), unavailable.getMessage());
      }
    }

    try (RedisTokenStore store = new RedisTokenStore(standalone(node.toString(), null, 300), clock, name -> null)) {
      assertThrows(StoreUnavailableException.class, () -> store.findAccessToken("t"));
      try (RedisServer redis = new RedisServer(port)) {
        redis.start();
        Instant deadline = Instant.now().plusSeconds(5);
        Optional<AccessToken> found = Optional.empty();
        while (found.isEmpty() && Instant.now().isBefore(deadline)) {
          try {
            store.saveAccessToken("t", token());
            found = store.findAccessToken("t");
          } catch (StoreUnavailableException notYet) {
            Thread.sleep(100);
          }
        }
        assertEquals(Optional.of(token()), found, "serves by itself once Redis is there");
      }
    }
  }

  /** More requests than the pool has connections, all at once, at a Redis that never answers. */
  @Test
  void aHungRedisHoldsNoRequestPastTheTimeouts() throws Exception {
    ConcurrentLinkedQueue<Socket> accepted = new ConcurrentLinkedQueue<>();
    try (ServerSocket blackHole = new ServerSocket(0, 1000)) {
      Thread acceptor = new Thread(() -> {
        while (true) {
          try {
            accepted.add(blackHole.accept()); // and never answers
          } catch (Exception e) {
            return;
          }
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      int requests = RedisConnection.POOL_SIZE + 60;
      ExecutorService pool = Executors.newFixedThreadPool(requests);
      try (RedisTokenStore store = new RedisTokenStore(standalone("redis://127.0.0.1:" + blackHole.getLocalPort(),
          null, 300), clock, name -> null)) {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Long>> calls = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
          calls.add(pool.submit(() -> {
            go.await();
            long start = System.nanoTime();
            assertThrows(StoreUnavailableException.class, () -> store.findAccessToken("t"));
            return (System.nanoTime() - start) / 1_000_000;
          }));
        }
        go.countDown();
        long worst = 0;
        for (Future<Long> call : calls) {
          worst = Math.max(worst, call.get());
        }
        // A pooled request: connect (accepted) + 300 ms read; a queued one: 300 ms for a connection.
        assertTrue(worst < 2000, "a hung Redis held one request for " + worst + " ms (timeouts 300 ms)");
      } finally {
        pool.shutdownNow();
        for (Socket socket : accepted) {
          socket.close();
        }
      }
    }
  }

  @Test
  void aUserNamedInTheUriIsTheAclUserItLogsInAs() throws Exception {
    try (RedisServer redis = new RedisServer("--user", "portcullis", "on", ">s3cret", "~*", "&*", "+@all",
        "--user", "default", "on", "nopass", "-@all", "+ping")) {
      redis.start();
      Map<String, String> environment = Map.of("PORTCULLIS_REDIS_PASSWORD", "s3cret");
      try (RedisTokenStore store = new RedisTokenStore(standalone("redis://portcullis@127.0.0.1:" + redis.port(),
          "PORTCULLIS_REDIS_PASSWORD", 1000), clock, environment::get)) {
        store.saveAccessToken("t", token());
        assertEquals(Optional.of(token()), store.findAccessToken("t"));
      }
      // The same user with its password in the URI; and the default user cannot use the store at all.
      try (RedisTokenStore store = new RedisTokenStore(standalone("redis://portcullis:s3cret@127.0.0.1:"
          + redis.port(), null, 1000), clock, name -> null)) {
        assertEquals(Optional.of(token()), store.findAccessToken("t"));
      }
      try (RedisTokenStore store = new RedisTokenStore(standalone("redis://127.0.0.1:" + redis.port(), null, 1000),
          clock, name -> null)) {
        assertThrows(StoreUnavailableException.class, () -> store.findAccessToken("t"));
      }
    }
  }
}
