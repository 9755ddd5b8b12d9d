package io.portcullis.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.testing.Concurrently;
import io.portcullis.testing.MutableClock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ExpiringMapTest {

  record Entry(int count, long expiresAtEpochSecond) implements Expiring {}

  /** As the throttle's counters: fewest attempts first, then the oldest window. */
  static final Comparator<Entry> FEWEST_FIRST =
      Comparator.comparingInt(Entry::count).thenComparingLong(Entry::expiresAtEpochSecond);

  final MutableClock clock = new MutableClock();
  final AtomicLong evicted = new AtomicLong();

  long in(long seconds) {
    return clock.instant().getEpochSecond() + seconds;
  }

  @Test
  void concurrentUpdatesOfOneKeyAreEachCounted() throws Exception {
    ExpiringMap<String, Entry> map = new ExpiringMap<>(1_000, clock, evicted, FEWEST_FIRST);
    atOnce(32, () -> {
      for (int i = 0; i < 1_000; i++) {
        map.compute("k", (key, current) -> new Entry(current == null ? 1 : current.count() + 1, in(60)));
        map.computeIfPresent("k", (key, current) -> new Entry(current.count() - 1, in(60)));
        map.compute("k", (key, current) -> new Entry(current == null ? 1 : current.count() + 1, in(60)));
      }
      return null;
    });
    assertEquals(32_000, map.get("k").count());
  }

  @Test
  void anExpiredEntryIsNeverHandedOut() {
    ExpiringMap<String, Entry> map = new ExpiringMap<>(1_000, clock, evicted, FEWEST_FIRST);
    map.compute("k", (key, current) -> new Entry(5, in(10)));
    clock.advanceSeconds(9);
    assertEquals(5, map.get("k").count());
    assertEquals(5, map.snapshot().get("k").count());
    clock.advanceSeconds(1);
    assertNull(map.get("k"));
    assertTrue(map.snapshot().isEmpty());
    map.compute("j", (key, current) -> new Entry(1, in(10)));
    clock.advanceSeconds(10);
    AtomicReference<Entry> seen = new AtomicReference<>(new Entry(-1, 0));
    map.compute("j", (key, current) -> {
      seen.set(current);
      return new Entry(1, in(10));
    });
    assertNull(seen.get(), "an update sees an expired entry as absent");
    clock.advanceSeconds(10);
    assertNull(map.computeIfPresent("j", (key, current) -> new Entry(99, in(10))));
    assertNull(map.get("j"));
    assertEquals(0, evicted.get(), "expiry is not eviction");
  }

  @Test
  void expiredEntriesAreSweptOutByAWriterOnceAMinute() {
    ExpiringMap<String, Entry> map = new ExpiringMap<>(1_000, clock, evicted, FEWEST_FIRST);
    for (int i = 0; i < 100; i++) {
      map.compute("old" + i, (key, current) -> new Entry(1, in(5)));
    }
    clock.advance(Duration.ofMillis(ExpiringMap.SWEEP_MILLIS - 1));
    map.compute("new", (key, current) -> new Entry(1, in(600)));
    assertEquals(101, map.size(), "not swept before a minute");
    clock.advance(Duration.ofMillis(1));
    map.compute("new", (key, current) -> new Entry(2, in(600)));
    assertEquals(1, map.size());
    assertEquals(0, evicted.get());
  }

  @Test
  void pastItsBoundWhatHasExpiredGoesFirst() {
    ExpiringMap<String, Entry> map = new ExpiringMap<>(100, clock, evicted, FEWEST_FIRST);
    for (int i = 0; i < 100; i++) {
      map.compute("old" + i, (key, current) -> new Entry(1, in(5)));
    }
    clock.advanceSeconds(5);
    for (int i = 0; i < 50; i++) {
      map.compute("new" + i, (key, current) -> new Entry(1, in(600)));
    }
    assertEquals(50, map.size());
    assertEquals(0, evicted.get());
    for (int i = 0; i < 50; i++) {
      assertEquals(1, map.get("new" + i).count());
    }
  }

  @Test
  void aParallelFloodNeverLeavesMoreThanTheBoundAndCountsWhatItPushedOut() throws Exception {
    ExpiringMap<String, Entry> map = new ExpiringMap<>(1_000, clock, evicted, FEWEST_FIRST);
    AtomicLong largest = new AtomicLong();
    AtomicLong next = new AtomicLong();
    atOnce(16, () -> {
      for (int i = 0; i < 2_000; i++) {
        long n = next.incrementAndGet();
        map.compute("k" + n, (key, current) -> new Entry(1, in(60 + n % 100)));
        largest.accumulateAndGet(map.size(), Math::max);
      }
      return null;
    });
    assertTrue(map.size() <= 1_000, "size " + map.size());
    assertEquals(32_000 - map.size(), evicted.get(), "every entry not held was pushed out and counted");
    // Sixteen writers may each have added one before any of them evicted.
    assertTrue(largest.get() <= 1_000 + 16, "largest seen " + largest.get());
  }

  @Test
  void aFloodOfNewEntriesPushesOutTheFewestAttemptsNeverALockOut() {
    ExpiringMap<String, Entry> map = new ExpiringMap<>(1_000, clock, evicted, FEWEST_FIRST);
    map.compute("locked", (key, current) -> new Entry(100, in(300)));
    map.compute("some", (key, current) -> new Entry(5, in(10)));
    for (int i = 0; i < 50_000; i++) {
      int n = i;
      map.compute("flood" + n, (key, current) -> new Entry(1, in(300 + n)));
      assertTrue(map.size() <= 1_000, "size " + map.size());
    }
    assertEquals(100, map.get("locked").count());
    assertEquals(5, map.get("some").count());
    assertEquals(50_002 - map.size(), evicted.get());
    assertEquals(1, map.get("flood49999").count(), "the newest of equals stay, the oldest go");
    assertNull(map.get("flood0"));
  }

  @Test
  void amongEqualCountsTheOldestWindowGoesFirstAndATenthIsFreedAtOnce() {
    ExpiringMap<String, Entry> map = new ExpiringMap<>(100, clock, evicted, FEWEST_FIRST);
    for (int i = 0; i < 100; i++) {
      int n = i;
      map.compute("k" + n, (key, current) -> new Entry(3, in(1_000 - n)));
    }
    map.compute("extra", (key, current) -> new Entry(3, in(2_000)));
    assertEquals(90, map.size());
    assertEquals(11, evicted.get());
    for (int i = 0; i < 11; i++) {
      assertNull(map.get("k" + (99 - i)), "k" + (99 - i) + " had one of the oldest windows");
    }
    assertEquals(3, map.get("k88").count());
    assertEquals(3, map.get("extra").count());
  }

  @Test
  void putAllTakesOnlyLiveEntries() {
    ExpiringMap<String, Entry> map = new ExpiringMap<>(10, clock, evicted, FEWEST_FIRST);
    map.putAll(Map.of("live", new Entry(1, in(10)), "gone", new Entry(1, in(0))));
    assertEquals(1, map.size());
    assertEquals(Map.of("live", new Entry(1, in(10))), map.snapshot());
    map.clear();
    assertEquals(0, map.size());
  }

  private static void atOnce(int threads, Callable<Void> body) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      Concurrently.atOnce(pool, threads, body);
    } finally {
      pool.shutdownNow();
    }
  }
}
