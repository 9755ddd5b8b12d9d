package io.portcullis.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.config.RedisSettings;
import io.portcullis.testing.RedisServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/**
 * The revocation subscription keeps hearing: a connection dropped without a word — what a NAT,
 * firewall or load balancer does to an idle flow — is noticed by its PING going unanswered, and
 * made again (the near-cache emptied meanwhile); closing the store stops its threads.
 */
class RevocationListenerTest {

  @RegisterExtension static final RedisServer redis = new RedisServer();

  /** Relays to Redis; {@link #silenceExistingFlows()} makes every relay so far drop its bytes, sockets left open. */
  static final class SilentDropProxy implements AutoCloseable {
    final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    final List<AtomicBoolean> flows = new CopyOnWriteArrayList<>();
    final List<Socket> sockets = new CopyOnWriteArrayList<>();

    SilentDropProxy(int target) throws Exception {
      Thread accept = new Thread(() -> {
        while (true) {
          try {
            Socket client = server.accept();
            Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
            sockets.add(client);
            sockets.add(upstream);
            AtomicBoolean silent = new AtomicBoolean();
            flows.add(silent);
            pump(client.getInputStream(), upstream.getOutputStream(), silent);
            pump(upstream.getInputStream(), client.getOutputStream(), silent);
          } catch (Exception e) {
            return;
          }
        }
      });
      accept.setDaemon(true);
      accept.start();
    }

    static void pump(InputStream in, OutputStream out, AtomicBoolean silent) {
      Thread pump = new Thread(() -> {
        byte[] buffer = new byte[8192];
        try {
          for (int n; (n = in.read(buffer)) >= 0; ) {
            if (!silent.get()) {
              out.write(buffer, 0, n);
              out.flush();
            }
          }
        } catch (Exception e) {
          // the flow is over
        }
      });
      pump.setDaemon(true);
      pump.start();
    }

    void silenceExistingFlows() {
      flows.forEach(flow -> flow.set(true));
    }

    int port() {
      return server.getLocalPort();
    }

    @Override
    public void close() throws Exception {
      server.close();
      for (Socket socket : sockets) {
        socket.close();
      }
    }
  }

  @Test
  void aSilentlyDroppedSubscriptionIsNoticedAndMadeAgain() throws Exception {
    try (SilentDropProxy proxy = new SilentDropProxy(redis.port())) {
      RedisSettings settings = new RedisSettings(URI.create("redis://127.0.0.1:" + proxy.port()), List.of(), null,
          List.of(), null, "silent:", Duration.ofMillis(300), Duration.ofMillis(300), Duration.ofSeconds(60));
      AtomicInteger emptied = new AtomicInteger();
      List<String> heard = new CopyOnWriteArrayList<>();
      RedisTokenStore store = new RedisTokenStore(settings, Clock.systemUTC(), name -> null);
      try {
        store.onRevocation(heard::add, emptied::incrementAndGet);
        awaitTrue(() -> emptied.get() == 1, "subscribed");

        proxy.silenceExistingFlows(); // new connections through the proxy work as before
        awaitTrue(() -> emptied.get() >= 3, "the dead subscription ended (emptied) and was made again (emptied)");

        try (RedisClient other = RedisClient.builder().hostAndPort("127.0.0.1", redis.port()).build()) {
          other.publish("silent:revocations", "t:" + SecretKey.of("t1").hex());
        }
        awaitTrue(() -> heard.contains("t:" + SecretKey.of("t1").hex()), "revocations are heard again");
      } finally {
        store.close();
      }
      assertFalse(store.listening(), "closing the store stops its listener threads");
    }
  }

  @Test
  void closingWhileSubscribedStopsTheThreadsAtOnce() throws Exception {
    RedisSettings settings = new RedisSettings(URI.create(redis.uri()), List.of(), null, List.of(), null, "close:",
        Duration.ofMillis(300), Duration.ofMillis(300), Duration.ofSeconds(60));
    AtomicInteger emptied = new AtomicInteger();
    RedisTokenStore store = new RedisTokenStore(settings, Clock.systemUTC(), name -> null);
    store.onRevocation(message -> { }, emptied::incrementAndGet);
    awaitTrue(() -> emptied.get() == 1, "subscribed");
    assertTrue(store.listening());
    store.close();
    assertFalse(store.listening());
    assertEquals(2, emptied.get(), "emptied once more as the subscription ended");
  }

  static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(8);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("not within 8 s: " + what);
      }
      Thread.sleep(20);
    }
  }
}
