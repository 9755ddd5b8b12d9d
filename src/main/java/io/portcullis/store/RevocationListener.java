package io.portcullis.store;

import java.time.Duration;
import java.util.function.Consumer;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * Hears the revocations every node announces on Redis pub/sub, on a connection of its own, and
 * makes sure it still hears them:
 *
 * <ul>
 *   <li>A subscription is read without a timeout, and an idle connection is what NATs, firewalls
 *       and load balancers drop without a word. So it is PINGed every {@link #PING_EVERY}; with no
 *       PONG within the command timeout (at least a second) the connection is closed and made
 *       again.
 *   <li>With Sentinel, a subscription stays on the master it was made on, which may keep running
 *       after a failover and hear nothing; once the client has moved, it is made again there.
 *   <li>Whenever a subscription ends or starts, {@code maybeMissed} runs: the near-cache is
 *       emptied, since messages may have been lost meanwhile.
 * </ul>
 */
final class RevocationListener implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(RevocationListener.class.getName());
  static final Duration PING_EVERY = Duration.ofSeconds(1);
  static final Duration CHECK_EVERY = Duration.ofMillis(100);
  private static final Duration RECONNECT_AFTER = Duration.ofMillis(500);

  private final RedisConnection redis;
  private final String channel;
  private final Consumer<String> revoked;
  private final Runnable maybeMissed;
  private final long pongWithinNanos;
  private final Thread listener;
  private final Thread watchdog;
  private volatile boolean closed;
  private volatile Subscription active;

  /** One subscription: its connection, the master it was made on (Sentinel), its PINGs and PONGs. */
  private final class Subscription extends JedisPubSub {
    final Connection connection;
    final HostAndPort master;
    volatile long pingSentNanos;
    volatile long pongNanos;

    Subscription(Connection connection, HostAndPort master) {
      this.connection = connection;
      this.master = master;
    }

    @Override
    public void onSubscribe(String channel, int subscribedChannels) {
      maybeMissed.run();
    }

    @Override
    public void onMessage(String channel, String message) {
      revoked.accept(message);
    }

    @Override
    public void onPong(String pattern) {
      pongNanos = System.nanoTime();
    }

    /** Closes the socket: the listener's read fails at once, and it subscribes again. */
    void end() {
      connection.disconnect();
    }
  }

  RevocationListener(RedisConnection redis, String channel, Consumer<String> revoked, Runnable maybeMissed) {
    this.redis = redis;
    this.channel = channel;
    this.revoked = revoked;
    this.maybeMissed = maybeMissed;
    this.pongWithinNanos = Math.max(Duration.ofSeconds(1).toNanos(), redis.commandTimeout().toNanos());
    this.listener = new Thread(this::listen, "portcullis-revocations");
    this.watchdog = new Thread(this::watch, "portcullis-revocations-watchdog");
    listener.setDaemon(true);
    watchdog.setDaemon(true);
    listener.start();
    watchdog.start();
  }

  private void listen() {
    while (!closed) {
      Subscription subscription = null;
      try {
        subscription = new Subscription(redis.subscriber(), redis.currentMaster());
        active = subscription;
        if (closed) {
          return;
        }
        new Jedis(subscription.connection).subscribe(subscription, channel);
      } catch (RuntimeException e) {
        if (!closed) {
          LOG.log(System.Logger.Level.WARNING, "revocation subscription lost (" + e.getClass().getSimpleName()
              + "); near-cache emptied, reconnecting");
        }
      } finally {
        maybeMissed.run();
        active = null;
        if (subscription != null) {
          subscription.connection.close();
        }
      }
      if (!pause(RECONNECT_AFTER)) {
        return;
      }
    }
  }

  private void watch() {
    while (!closed && pause(CHECK_EVERY)) {
      Subscription subscription = active;
      if (subscription == null || !subscription.isSubscribed()) {
        continue;
      }
      HostAndPort master = redis.currentMaster();
      long now = System.nanoTime();
      if (subscription.master != null && !subscription.master.equals(master)) {
        LOG.log(System.Logger.Level.INFO, "Redis master moved from " + subscription.master + " to " + master
            + ": listening for revocations there");
        subscription.end();
      } else if (subscription.pingSentNanos != 0 && subscription.pongNanos < subscription.pingSentNanos
          && now - subscription.pingSentNanos > pongWithinNanos) {
        LOG.log(System.Logger.Level.WARNING, "revocation subscription did not answer a PING within "
            + pongWithinNanos / 1_000_000 + " ms; reconnecting");
        subscription.end();
      } else if (now - subscription.pingSentNanos >= PING_EVERY.toNanos()
          && subscription.pongNanos >= subscription.pingSentNanos) {
        subscription.pingSentNanos = now;
        try {
          subscription.ping();
        } catch (RuntimeException e) {
          subscription.end();
        }
      }
    }
  }

  /** @return false when interrupted (closing) */
  private static boolean pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Whether its threads still run (tests: after {@link #close()}, none does). */
  boolean running() {
    return listener.isAlive() || watchdog.isAlive();
  }

  @Override
  public void close() {
    closed = true;
    watchdog.interrupt();
    listener.interrupt();
    try {
      // A subscription being made as this runs connects after the first end(): end it again.
      for (int attempt = 0; attempt < 4 && listener.isAlive(); attempt++) {
        Subscription subscription = active;
        if (subscription != null) {
          subscription.end();
        }
        listener.join(500);
      }
      watchdog.join(500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
