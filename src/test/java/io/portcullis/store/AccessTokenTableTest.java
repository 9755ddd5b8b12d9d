package io.portcullis.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.testing.MutableClock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AccessTokenTableTest {

  static final long T0 = MutableClock.START.getEpochSecond();

  final MutableClock clock = new MutableClock();
  /** Client id → removals heard, as the store's live-token counts hear them. */
  final Map<String, AtomicInteger> removed = new ConcurrentHashMap<>();
  final AtomicLong evicted = new AtomicLong();

  AccessTokenTable table(long maximumSize) {
    return new AccessTokenTable(maximumSize, clock,
        clientId -> removed.computeIfAbsent(clientId, c -> new AtomicInteger()).incrementAndGet(), evicted);
  }

  static AccessToken token(long grant, String client, long ttl) {
    return new AccessToken(grant, client, "alice", "email", T0, T0 + ttl);
  }

  int removals(String client) {
    AtomicInteger count = removed.get(client);
    return count == null ? 0 : count.get();
  }

  @Test
  void keepsEveryFieldOfAToken() {
    AccessTokenTable table = table(100);
    AccessToken token = new AccessToken(-42, "orders-app", null, "email profile", T0 - 5, T0 + 3600);
    table.put(SecretKey.of("t"), token);
    assertEquals(token, table.get(SecretKey.of("t")));
    assertNull(table.get(SecretKey.of("u")));
  }

  @Test
  void anEntryIsGoneAtItsExpiryAndTheRemovalIsHeard() {
    AccessTokenTable table = table(100);
    table.put(SecretKey.of("t"), token(1, "c", 60));
    clock.advanceSeconds(59);
    assertNotNull(table.get(SecretKey.of("t")));
    clock.advanceSeconds(1);
    assertNull(table.get(SecretKey.of("t")));
    assertEquals(0, table.size());
    assertEquals(1, removals("c"));
    assertEquals(0, evicted.get(), "an expiry is no eviction");
  }

  @Test
  void insertionsSweepExpiredEntriesAway() {
    AccessTokenTable table = table(1_000_000);
    for (int i = 0; i < 5_000; i++) {
      table.put(SecretKey.of("old" + i), token(i, "c", 60));
    }
    clock.advanceSeconds(60);
    // No lookup and no clean-up: only the sweep that insertions advance finds the old ones.
    for (int i = 0; i < 20_000; i++) {
      table.put(SecretKey.of("new" + i), token(i, "d", 600));
    }
    assertEquals(5_000, removals("c"), "every expired entry swept");
    assertEquals(20_000, table.size());
  }

  @Test
  void cleanUpRemovesEveryExpiredEntryAndOnlyThose() {
    AccessTokenTable table = table(1_000_000);
    SplittableRandom random = new SplittableRandom(7);
    int live = 0;
    for (int i = 0; i < 30_000; i++) {
      boolean shortLived = random.nextBoolean();
      live += shortLived ? 0 : 1;
      table.put(SecretKey.of("k" + i), token(i, shortLived ? "short" : "long", shortLived ? 10 : 100));
    }
    clock.advanceSeconds(10);
    table.cleanUp();
    assertEquals(live, table.size());
    assertEquals(30_000 - live, removals("short"));
    assertEquals(0, removals("long"));
    for (int i = 0; i < 30_000; i++) {
      AccessToken found = table.get(SecretKey.of("k" + i));
      if (found != null) {
        assertEquals(i, found.grantId());
        assertEquals("long", found.clientId());
      }
    }
  }

  @Test
  void cleanUpAtMostEverySecondRunsOncePerSecondOfTheClock() {
    AccessTokenTable table = table(1000);
    table.put(SecretKey.of("a"), token(1, "c", 1));
    assertTrue(table.cleanUpAtMostEverySecond());
    assertEquals(1, table.size());
    assertFalse(table.cleanUpAtMostEverySecond(), "not twice within a second");
    clock.advance(java.time.Duration.ofMillis(999));
    assertFalse(table.cleanUpAtMostEverySecond(), "still the same second");
    clock.advance(java.time.Duration.ofMillis(1));
    assertTrue(table.cleanUpAtMostEverySecond(), "a new second");
    assertEquals(0, table.size(), "and the expired entry is gone");
  }

  @Test
  void replacingAnEntryIsHeardAsARemoval() {
    AccessTokenTable table = table(100);
    table.put(SecretKey.of("t"), token(1, "c", 60));
    table.put(SecretKey.of("t"), token(2, "d", 60));
    assertEquals(1, table.size());
    assertEquals(2, table.get(SecretKey.of("t")).grantId());
    assertEquals(1, removals("c"));
  }

  @Test
  void theBoundHoldsAndPushesOutWhatExpiresFirst() {
    AccessTokenTable table = table(1_000);
    // 1,000 entries that expire late, then 1,000 that expire early: the table stays at its bound.
    for (int i = 0; i < 1_000; i++) {
      table.put(SecretKey.of("late" + i), token(i, "late", 3600));
    }
    for (int i = 0; i < 1_000; i++) {
      table.put(SecretKey.of("early" + i), token(i, "early", 60));
      assertTrue(table.size() <= 1_000, "never above the bound");
    }
    assertEquals(1_000, table.size());
    assertEquals(1_000, evicted.get(), "each insertion into the full table pushed one out");
    assertEquals(1_000, removals("late") + removals("early"));
    // Samples prefer what expires first: most late entries survive (about 370 of them would, were
    // the victims picked at random).
    long lateLeft = 0;
    for (int i = 0; i < 1_000; i++) {
      lateLeft += table.get(SecretKey.of("late" + i)) == null ? 0 : 1;
    }
    assertTrue(lateLeft > 550, "late entries kept: " + lateLeft);
  }

  @Test
  void aFullTableMakesRoomFromExpiredEntriesWithoutCountingEvictions() {
    AccessTokenTable table = table(1_000);
    for (int i = 0; i < 1_000; i++) {
      table.put(SecretKey.of("a" + i), token(i, "c", 60));
    }
    clock.advanceSeconds(60);
    for (int i = 0; i < 1_000; i++) {
      table.put(SecretKey.of("b" + i), token(i, "c", 120));
    }
    assertEquals(0, evicted.get());
    for (int i = 0; i < 1_000; i++) {
      assertNotNull(table.get(SecretKey.of("b" + i)));
    }
  }

  @Test
  void behavesAsAMapUnderRandomOperations() {
    // Insertions, lookups, removals and expiries against a plain map, through growth, shrinking
    // and backward-shift deletions in every segment.
    for (long seed = 1; seed <= 4; seed++) {
      MutableClock clock = new MutableClock();
      AccessTokenTable table = new AccessTokenTable(10_000_000, clock, c -> { }, new AtomicLong());
      Map<Integer, AccessToken> model = new HashMap<>();
      SplittableRandom random = new SplittableRandom(seed);
      for (int op = 0; op < 300_000; op++) {
        int k = random.nextInt(seed % 2 == 0 ? 2_000 : 60_000);
        SecretKey key = SecretKey.of("key" + k);
        long now = clock.instant().getEpochSecond();
        switch (random.nextInt(10)) {
          case 0, 1, 2, 3 -> {
            AccessToken token = new AccessToken(op, "c" + (k % 3), k % 2 == 0 ? null : "u", "email", now,
                now + 1 + random.nextInt(50));
            table.put(key, token);
            model.put(k, token);
          }
          case 4, 5, 6 -> {
            AccessToken expected = model.get(k);
            if (expected != null && expected.expiresAtEpochSecond() <= now) {
              expected = null;
            }
            assertEquals(expected, table.get(key), "seed " + seed + " op " + op);
          }
          case 7 -> {
            AccessToken before = model.remove(k);
            boolean wasLive = before != null && before.expiresAtEpochSecond() > now;
            boolean removedSome = table.remove(key);
            if (wasLive) {
              assertTrue(removedSome, "seed " + seed + " op " + op);
            }
          }
          case 8 -> clock.advanceSeconds(random.nextInt(3));
          default -> {
            if (random.nextInt(100) == 0) {
              table.cleanUp();
              long now2 = clock.instant().getEpochSecond();
              model.values().removeIf(t -> t.expiresAtEpochSecond() <= now2);
              assertEquals(model.size(), table.size(), "seed " + seed + " op " + op);
            }
          }
        }
      }
      table.cleanUp();
      long end = clock.instant().getEpochSecond();
      model.values().removeIf(t -> t.expiresAtEpochSecond() <= end);
      assertEquals(model.size(), table.size());
      Map<SecretKey, AccessToken> listed = new HashMap<>();
      table.forEach(listed::put);
      assertEquals(model.size(), listed.size());
      for (Map.Entry<Integer, AccessToken> entry : model.entrySet()) {
        SecretKey full = SecretKey.of("key" + entry.getKey());
        assertEquals(entry.getValue(), listed.get(new SecretKey(full.a(), full.b(), 0, 0)));
      }
    }
  }

  @Test
  void forEachGivesKeysThatFindTheSameEntries() {
    AccessTokenTable table = table(1_000);
    for (int i = 0; i < 500; i++) {
      table.put(SecretKey.of("k" + i), token(i, "c", 60 + i));
    }
    Map<SecretKey, AccessToken> listed = new HashMap<>();
    table.forEach(listed::put);
    assertEquals(500, listed.size());
    AccessTokenTable other = table(1_000);
    listed.forEach(other::put);
    for (int i = 0; i < 500; i++) {
      assertEquals(table.get(SecretKey.of("k" + i)), other.get(SecretKey.of("k" + i)));
    }
  }

  @Test
  void clearRemovesEverythingAndIsHeard() {
    AccessTokenTable table = table(1_000);
    for (int i = 0; i < 300; i++) {
      table.put(SecretKey.of("k" + i), token(i, "c", 60));
    }
    table.clear();
    assertEquals(0, table.size());
    assertEquals(300, removals("c"));
    assertNull(table.get(SecretKey.of("k1")));
  }

  @Test
  void parallelWritersReadersAndRemoversLoseNothing() throws Exception {
    AccessTokenTable table = table(10_000_000);
    int threads = 16;
    int perThread = 20_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Integer>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      results.add(pool.submit(() -> {
        start.await();
        int kept = 0;
        for (int i = 0; i < perThread; i++) {
          SecretKey key = SecretKey.of(thread + ":" + i);
          table.put(key, token(i, "c" + thread, 3600));
          AccessToken found = table.get(key);
          if (found == null || found.grantId() != i || !found.clientId().equals("c" + thread)) {
            throw new AssertionError("thread " + thread + " lost its entry " + i);
          }
          if (i % 3 == 0) {
            if (!table.remove(key)) {
              throw new AssertionError("thread " + thread + " could not remove " + i);
            }
          } else {
            kept++;
          }
        }
        for (int i = 0; i < perThread; i++) {
          boolean present = table.get(SecretKey.of(thread + ":" + i)) != null;
          if (present == (i % 3 == 0)) {
            throw new AssertionError("thread " + thread + " entry " + i + " present " + present);
          }
        }
        return kept;
      }));
    }
    start.countDown();
    int kept = 0;
    for (Future<Integer> result : results) {
      kept += result.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertEquals(kept, table.size());
    for (int t = 0; t < threads; t++) {
      assertEquals((perThread + 2) / 3, removals("c" + t));
    }
  }

  @Test
  void ofManyParallelRemovalsOfOneEntryExactlyOneRemovesIt() throws Exception {
    AccessTokenTable table = table(1_000);
    for (int round = 0; round < 200; round++) {
      SecretKey key = SecretKey.of("r" + round);
      table.put(key, token(round, "c", 60));
      int threads = 8;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        results.add(pool.submit(() -> {
          start.await();
          return table.remove(key);
        }));
      }
      start.countDown();
      int removedCount = 0;
      for (Future<Boolean> result : results) {
        removedCount += result.get(10, TimeUnit.SECONDS) ? 1 : 0;
      }
      pool.shutdown();
      assertEquals(1, removedCount, "round " + round);
      assertFalse(table.remove(key));
    }
    assertEquals(200, removals("c"));
  }

  @Test
  void aParallelFloodNeverPassesTheBound() throws Exception {
    AccessTokenTable table = table(5_000);
    int threads = 16;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      results.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < 5_000; i++) {
          table.put(SecretKey.of(thread + "/" + i), token(i, "c", 3600));
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> result : results) {
      result.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertEquals(5_000, table.size());
    assertEquals(75_000, evicted.get());
    assertEquals(75_000, removals("c"));
  }
}
