package io.portcullis.oauth;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.concurrent.TimeUnit;
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
      throttle.admitPassword("alice", "10.0.0.1").failed(); // wrong each time
    }
    OAuthException locked = assertThrows(OAuthException.class, () -> throttle.admitPassword("alice", "10.0.0.1").failed());
    assertEquals(429, locked.status());
    assertEquals("temporarily_unavailable", locked.error());
    assertEquals(60, locked.retryAfterSeconds());
    clock.advanceSeconds(45);
    assertEquals(15, assertThrows(OAuthException.class, () -> throttle.admitPassword("alice", "10.0.0.1").failed())
        .retryAfterSeconds());
    clock.advanceSeconds(15);
    assertDoesNotThrow(() -> throttle.admitPassword("alice", "10.0.0.1").failed(), "the window has closed");
  }

  /** From one address an account cannot be locked out for everyone: that costs many addresses. */
  @Test
  void aLockIsPerAddressUntilManyAddressesFail() {
    for (int i = 0; i < 3; i++) {
      throttle.admitPassword("alice", "10.0.0.1").failed();
    }
    assertThrows(OAuthException.class, () -> throttle.admitPassword("alice", "10.0.0.1").failed());
    assertDoesNotThrow(() -> throttle.admitPassword("alice", "10.0.0.2").forget(), "alice from elsewhere");
    // 30 failures (ten times the per-address limit) from ten addresses lock alice everywhere.
    for (int address = 2; address <= 10; address++) {
      for (int i = 0; i < 3; i++) {
        throttle.admitPassword("alice", "10.0.0." + address).failed();
      }
    }
    assertThrows(OAuthException.class, () -> throttle.admitPassword("alice", "10.0.0.99").failed());
  }

  @Test
  void usernamesAreComparedCaseFoldedAndAddressesAsAddresses() {
    throttle.admitPassword("Alice", "2001:db8::1").failed();
    throttle.admitPassword(" alice ", "2001:db8:0:0::ffff").failed();
    throttle.admitPassword("ALICE", "2001:0db8:0000:0000:1::1").failed();
    assertThrows(OAuthException.class, () -> throttle.admitPassword("alice", "2001:db8::2").failed(),
        "one /64, one case-folded username");
    assertDoesNotThrow(() -> throttle.admitPassword("alice", "2001:db8:1::1").forget(), "another /64");
    assertEquals(Throttle.addressKey("192.0.2.7"), Throttle.addressKey("::ffff:192.0.2.7"));
  }

  @Test
  void anUnknownUserIsLockedExactlyLikeAKnownOne() {
    for (int i = 0; i < 3; i++) {
      throttle.admitPassword("no-such-user", "10.0.0.1").failed();
    }
    assertEquals(429, assertThrows(OAuthException.class, () -> throttle.admitPassword("no-such-user", "10.0.0.1").failed())
        .status());
  }

  @Test
  void aRightPasswordIsNotAFailure() {
    for (int i = 0; i < 10; i++) {
      throttle.admitPassword("alice", "10.0.0.1").forget();
    }
    assertDoesNotThrow(() -> throttle.admitPassword("alice", "10.0.0.1").failed());
  }

  @Test
  void refusedAttemptsDoNotCountAgainstTheAddress() {
    for (int i = 0; i < 3; i++) {
      throttle.admitPassword("alice", "10.0.0.1").failed();
    }
    for (int i = 0; i < 50; i++) {
      assertThrows(OAuthException.class, () -> throttle.admitPassword("alice", "10.0.0.1").failed());
    }
    // 3 failures from the address, not 53: another user there can still sign in.
    for (int i = 0; i < 3; i++) {
      assertDoesNotThrow(() -> throttle.admitPassword("bob", "10.0.0.1").failed());
    }
    assertEquals(6, store.failures(Throttle.addressKey("10.0.0.1")).count());
  }

  @Test
  void anAddressIsLockedAcrossUsernamesAndClients() {
    for (int i = 0; i < 6; i++) {
      throttle.admitPassword("user-" + i, "192.0.2.1").failed();
    }
    for (int i = 0; i < 4; i++) {
      throttle.admitClient("client-" + i, "192.0.2.1").failed();
    }
    assertEquals(429, assertThrows(OAuthException.class, () -> throttle.admitPassword("fresh", "192.0.2.1").failed()).status());
    assertEquals(429, assertThrows(OAuthException.class, () -> throttle.admitClient("fresh", "192.0.2.1").failed()).status());
    assertDoesNotThrow(() -> throttle.admitClient("fresh", "192.0.2.2").failed(), "another address is not locked");
  }

  @Test
  void aClientIsLockedAfterItsLimitWithoutTheSecretBeingChecked() {
    for (int i = 1; i <= 4; i++) {
      assertDoesNotThrow(() -> throttle.admitClient("app", "10.0.0.1").failed(), "failure " + " within the limit: a 401");
    }
    OAuthException locked = assertThrows(OAuthException.class, () -> throttle.admitClient("app", "10.0.0.1").failed());
    assertEquals(429, locked.status());
    assertEquals(60, locked.retryAfterSeconds());
    clock.advanceSeconds(60);
    assertDoesNotThrow(() -> throttle.admitClient("app", "10.0.0.1").failed());
  }

  /** However many guesses arrive at once, no more than the limit are ever checked. */
  @Test
  void parallelPasswordsForOneUserGetNoMoreChecksThanTheLimit() throws Exception {
    assertEquals(3, passedAtOnce(64, () -> throttle.admitPassword("alice", "10.1.0.1").failed()), "from one address");
    AtomicInteger next = new AtomicInteger();
    assertEquals(30 - 3, passedAtOnce(64, () -> throttle.admitPassword("alice", "10.1.1." + next.incrementAndGet()).failed()),
        "from many: ten times the per-address limit in all");
  }

  /** A burst of wrong client secrets: no more 401s than the limit; every other answer is a 429. */
  @Test
  void parallelClientSecretsGetNoMoreChecksThanTheLimit() throws Exception {
    assertEquals(4, passedAtOnce(64, () -> throttle.admitClient("app", "10.2.0.1").failed()));
  }

  /**
   * A client sending many right secrets at once, far more than its limit (4) and its address's
   * (10): each attempt still being checked fills a place for a moment, but none is refused.
   */
  @Test
  void aBurstOfRightSecretsIsNeverRefused() throws Exception {
    AtomicInteger checking = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    assertEquals(64, passedAtOnce(64, () -> {
      Throttle.Attempt attempt = throttle.admitClient("busy-app", "10.3.0.1");
      most.accumulateAndGet(checking.incrementAndGet(), Math::max);
      sleep(2); // checking the secret
      checking.decrementAndGet();
      attempt.forget();
    }));
    assertTrue(most.get() <= 4, most.get() + " checked at once: no more than could all be failures");
    assertEquals(0, store.failures("client:busy-app").count(), "every attempt taken back");
  }

  /**
   * Attempts still being checked fill the limit: the next one waits for them, and is answered
   * 503 if they do not settle in time, 429 once they turned out to be failures.
   */
  @Test
  void anAttemptWaitsWhileOthersAreCheckedThenIsToldWhatHappened() {
    Throttle patient = new Throttle(new ThrottlingSettings(Duration.ofSeconds(60), 3, 10, 4, 2), store, clock,
        Duration.ofMillis(100));
    List<Throttle.Attempt> checking = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      checking.add(patient.admitClient("app", "10.4.0.1"));
    }
    long started = System.nanoTime();
    OAuthException busy = assertThrows(OAuthException.class, () -> patient.admitClient("app", "10.4.0.1"));
    assertEquals(503, busy.status());
    assertTrue(System.nanoTime() - started >= Duration.ofMillis(100).toNanos(), "it waited for them first");
    assertEquals(4, store.failures("client:app").pending(), "the waiting attempt took itself back");
    checking.forEach(Throttle.Attempt::failed);
    OAuthException locked = assertThrows(OAuthException.class, () -> patient.admitClient("app", "10.4.0.1"));
    assertEquals(429, locked.status());
    assertEquals(4, store.failures("client:app").confirmed());
  }

  /** Once the attempts being checked turn out right, the one waiting for them goes on. */
  @Test
  void anAttemptWaitingForOthersGoesOnWhenTheyWereRight() throws Exception {
    List<Throttle.Attempt> checking = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      checking.add(throttle.admitClient("app", "10.5.0.1"));
    }
    Future<Throttle.Attempt> waiting = pool.submit(() -> throttle.admitClient("app", "10.5.0.1"));
    sleep(50);
    assertFalse(waiting.isDone(), "it waits while four attempts could all be failures");
    checking.forEach(Throttle.Attempt::forget);
    waiting.get(1, TimeUnit.SECONDS).forget();
    assertEquals(0, store.failures("client:app").count());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
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

  /** Two permits, eight may wait: of 32 slow checks at once, the rest are 503 at once, none hold a thread. */
  @Test
  void slowHashesRunNoMoreThanThePermitsAtOnceAndFewWait() throws Exception {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    List<Future<Boolean>> checks = new ArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    for (int i = 0; i < 32; i++) {
      checks.add(pool.submit(() -> {
        go.await();
        try {
          return throttle.hashing(() -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
              // Long enough that all 32 have arrived before the first permit is free again (on a
              // loaded machine threads start late), short enough that the 8 waiting get a permit
              // within HASHING_WAIT: 5 rounds of 2 take 1.5 s.
              Thread.sleep(300);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            running.decrementAndGet();
            return true;
          });
        } catch (OAuthException busy) {
          assertEquals(503, busy.status());
          return false;
        }
      }));
    }
    go.countDown();
    int checked = 0;
    for (Future<Boolean> check : checks) {
      checked += check.get() ? 1 : 0;
    }
    assertTrue(most.get() <= 2, most.get() + " hashes at once");
    assertTrue(checked >= 2 && checked <= 2 + 8, checked + " checked: the permits and those allowed to wait");
  }

  /** Failures from many addresses lock an operator out from those addresses only, never from everywhere. */
  @Test
  void manyAddressesCannotLockAnOperatorOutEverywhere() {
    for (int address = 1; address <= 20; address++) {
      for (int i = 0; i < 3; i++) {
        throttle.admitOperator("ops", "10.9.0." + address).failed();
      }
      String from = "10.9.0." + address;
      assertEquals(429, assertThrows(OAuthException.class, () -> throttle.admitOperator("ops", from)).status());
    }
    assertDoesNotThrow(() -> throttle.admitOperator("ops", "10.9.1.1").forget(), "the operator's own address");
  }
}
