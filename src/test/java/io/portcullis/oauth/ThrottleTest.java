package io.portcullis.oauth;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.config.StoreSettings;
import io.portcullis.config.ThrottlingSettings;
import io.portcullis.store.CaffeineTokenStore;
import io.portcullis.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The limits of {@link Throttle} over a real store and a fake clock: counted, enforced, lifted. */
class ThrottleTest {

  final MutableClock clock = new MutableClock();
  final CaffeineTokenStore store = new CaffeineTokenStore(StoreSettings.defaults(), clock);
  /** 60 s windows; 3 per user, 10 per address, 4 per client; 2 hashes at once. */
  final Throttle throttle = new Throttle(new ThrottlingSettings(Duration.ofSeconds(60), 3, 10, 4, 2), store, clock);
  final ExecutorService pool = Executors.newFixedThreadPool(32);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void aUserIsLockedAfterItsLimitAndTheLockLiftsWithTheWindow() {
    for (int i = 0; i < 3; i++) {
      throttle.admitPassword("alice", "10.0.0." + i); // wrong each time: never accepted
    }
    OAuthException locked = assertThrows(OAuthException.class, () -> throttle.admitPassword("alice", "10.0.0.9"));
    assertEquals(429, locked.status());
    assertEquals("temporarily_unavailable", locked.error());
    assertEquals(60, locked.retryAfterSeconds());
    clock.advanceSeconds(45);
    assertEquals(15, assertThrows(OAuthException.class, () -> throttle.admitPassword("alice", "10.0.0.9"))
        .retryAfterSeconds());
    clock.advanceSeconds(15);
    assertDoesNotThrow(() -> throttle.admitPassword("alice", "10.0.0.9"), "the window has closed");
  }

  @Test
  void refusedAttemptsDoNotCountAgainstTheAddress() {
    for (int i = 0; i < 3; i++) {
      throttle.admitPassword("alice", "10.0.0.1");
    }
    for (int i = 0; i < 50; i++) {
      assertThrows(OAuthException.class, () -> throttle.admitPassword("alice", "10.0.0.1"));
    }
    // 3 failures from the address, not 53: another user there can still sign in.
    for (int i = 0; i < 3; i++) {
      assertDoesNotThrow(() -> throttle.admitPassword("bob", "10.0.0.1"));
    }
    assertEquals(6, store.failures("address:10.0.0.1").count());
  }

  @Test
  void anUnknownUserIsLockedExactlyLikeAKnownOne() {
    for (int i = 0; i < 3; i++) {
      throttle.admitPassword("no-such-user", "10.0.0.1");
    }
    assertEquals(429, assertThrows(OAuthException.class, () -> throttle.admitPassword("no-such-user", "10.0.0.1"))
        .status());
  }

  @Test
  void aRightPasswordIsNotAFailure() {
    for (int i = 0; i < 10; i++) {
      throttle.admitPassword("alice", "10.0.0.1");
      throttle.passwordAccepted("alice", "10.0.0.1");
    }
    assertDoesNotThrow(() -> throttle.admitPassword("alice", "10.0.0.1"));
  }

  @Test
  void anAddressIsLockedAcrossUsernamesAndClients() {
    for (int i = 0; i < 6; i++) {
      throttle.admitPassword("user-" + i, "192.0.2.1");
    }
    for (int i = 0; i < 4; i++) {
      throttle.clientFailed("client-" + i, "192.0.2.1");
    }
    assertEquals(429, assertThrows(OAuthException.class, () -> throttle.admitPassword("fresh", "192.0.2.1")).status());
    assertEquals(429, assertThrows(OAuthException.class, () -> throttle.checkClient("fresh", "192.0.2.1")).status());
    assertDoesNotThrow(() -> throttle.checkClient("fresh", "192.0.2.2"), "another address is not locked");
  }

  @Test
  void aClientIsLockedAfterItsLimitWithoutTheSecretBeingChecked() {
    for (int i = 1; i <= 4; i++) {
      assertDoesNotThrow(() -> throttle.checkClient("app", "10.0.0.1"));
      assertDoesNotThrow(() -> throttle.clientFailed("app", "10.0.0.1"), "failure " + " within the limit: a 401");
    }
    OAuthException locked = assertThrows(OAuthException.class, () -> throttle.checkClient("app", "10.0.0.2"));
    assertEquals(429, locked.status());
    assertEquals(60, locked.retryAfterSeconds());
    clock.advanceSeconds(60);
    assertDoesNotThrow(() -> throttle.checkClient("app", "10.0.0.2"));
  }

  /** However many guesses arrive at once, no more than the limit are ever checked. */
  @Test
  void parallelPasswordsForOneUserGetNoMoreChecksThanTheLimit() throws Exception {
    AtomicInteger next = new AtomicInteger();
    assertEquals(3, passedAtOnce(64, () -> throttle.admitPassword("alice", "10.1.0." + next.incrementAndGet())));
  }

  /** A burst of wrong client secrets: no more 401s than the limit; every other answer is a 429. */
  @Test
  void parallelClientFailuresGetNoMoreThanTheLimitOf401s() throws Exception {
    assertEquals(4, passedAtOnce(64, () -> {
      throttle.checkClient("app", "10.2.0.1");
      throttle.clientFailed("app", "10.2.0.1");
    }));
  }

  /** Runs {@code attempt} {@code times} at once; returns how many were not refused with a 429. */
  private int passedAtOnce(int times, Runnable attempt) throws Exception {
    AtomicInteger passed = new AtomicInteger();
    List<Future<?>> attempts = new ArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    for (int i = 0; i < times; i++) {
      attempts.add(pool.submit(() -> {
        go.await();
        try {
          attempt.run();
          passed.incrementAndGet();
        } catch (OAuthException throttled) {
          assertEquals(429, throttled.status());
        }
        return null;
      }));
    }
    go.countDown();
    for (Future<?> each : attempts) {
      each.get();
    }
    return passed.get();
  }

  @Test
  void slowHashesRunNoMoreThanThePermitsAtOnce() throws Exception {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    List<Future<Boolean>> checks = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      checks.add(pool.submit(() -> throttle.hashing(() -> {
        most.accumulateAndGet(running.incrementAndGet(), Math::max);
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        running.decrementAndGet();
        return true;
      })));
    }
    for (Future<Boolean> check : checks) {
      assertTrue(check.get());
    }
    assertTrue(most.get() <= 2, most.get() + " hashes at once");
  }
}
