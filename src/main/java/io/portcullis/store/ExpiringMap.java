package io.portcullis.store;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * A bounded concurrent map whose entries expire at their own time, for the memory store's throttle
 * counters: two or three of them are written and most removed again by every password or client
 * secret checked, and Caffeine's per-write bookkeeping (frequency sketch, timer wheel, maintenance
 * on the calling thread) was about a tenth of a complete flow's server time (issue 12).
 *
 * <ul>
 *   <li><b>Atomic per key.</b> {@link #compute} and {@link #computeIfPresent} run on
 *       {@link ConcurrentHashMap}'s per-key atomicity: concurrent updates of one key each see the
 *       last one's result.
 *   <li><b>Expiry.</b> An expired entry is never handed out: a read removes it, an update sees it
 *       as absent. A writer sweeps out all expired entries at most once a {@link #SWEEP_MILLIS}.
 *   <li><b>Bound.</b> Past {@code maximumSize}, the writer that finds it so (others wait for it)
 *       sweeps out what has expired, then, if that is not enough, drops the entries that come first
 *       in {@code evictFirst} order until a tenth of the room is free again, and counts them in
 *       {@code evicted}. The whole map is looked at, not a sample: which entry goes is decided by
 *       its value, never by where its key happens to sit in the table, which a caller who knows the
 *       key's hash could aim at. The throttle's counters go fewest attempts first, so a flood of
 *       new counters pushes out other single attempts long before it reaches a lock-out.
 * </ul>
 */
final class ExpiringMap<K, V extends Expiring> {
  static final long SWEEP_MILLIS = 60_000;

  private final ConcurrentHashMap<K, V> map = new ConcurrentHashMap<>();
  private final long maximumSize;
  private final Clock clock;
  private final AtomicLong evicted;
  private final AtomicLong nextSweep;
  private final Comparator<? super V> evictFirst;

  ExpiringMap(long maximumSize, Clock clock, AtomicLong evicted, Comparator<? super V> evictFirst) {
    this.evictFirst = evictFirst;
    this.maximumSize = maximumSize;
    this.clock = clock;
    this.evicted = evicted;
    long now = clock.millis();
    this.nextSweep = new AtomicLong(now + SWEEP_MILLIS);
  }

  /** The live entry for {@code key}, or {@code null}. */
  V get(K key) {
    V value = map.get(key);
    if (value != null && value.isExpired(clock)) {
      map.remove(key, value);
      return null;
    }
    return value;
  }

  /** As {@link ConcurrentHashMap#compute}, an expired entry given to {@code update} as {@code null}. */
  V compute(K key, BiFunction<? super K, ? super V, ? extends V> update) {
    V result = map.compute(key, (k, current) -> update.apply(k, live(current)));
    afterWrite();
    return result;
  }

  /** As {@link ConcurrentHashMap#computeIfPresent}; an expired entry is removed, not given to {@code update}. */
  V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> update) {
    return map.computeIfPresent(key, (k, current) -> live(current) == null ? null : update.apply(k, current));
  }

  void putAll(Map<? extends K, ? extends V> entries) {
    entries.forEach((key, value) -> {
      if (!value.isExpired(clock)) {
        map.put(key, value);
      }
    });
    afterWrite();
  }

  /** The entries held, expired ones possibly among them until they are swept. */
  long size() {
    return map.mappingCount();
  }

  /** A copy of the live entries. */
  Map<K, V> snapshot() {
    Map<K, V> copy = new HashMap<>();
    map.forEach((key, value) -> {
      if (!value.isExpired(clock)) {
        copy.put(key, value);
      }
    });
    return copy;
  }

  void clear() {
    map.clear();
  }

  private V live(V value) {
    return value == null || value.isExpired(clock) ? null : value;
  }

  private void afterWrite() {
    long now = clock.millis();
    long sweepAt = nextSweep.get();
    if (now >= sweepAt && nextSweep.compareAndSet(sweepAt, now + SWEEP_MILLIS)) {
      sweepExpired();
    }
    if (map.mappingCount() > maximumSize) {
      makeRoom();
    }
  }

  /**
   * One writer at a time; those that find the bound passed meanwhile wait, then find room. Frees a
   * tenth of the room, not one place: a pass looks at every entry, so it must not run per write.
   */
  private synchronized void makeRoom() {
    if (map.mappingCount() <= maximumSize) {
      return;
    }
    sweepExpired();
    long excess = map.mappingCount() - (maximumSize - maximumSize / 10);
    if (excess <= 0) {
      return;
    }
    List<Map.Entry<K, V>> entries = new ArrayList<>(map.entrySet());
    entries.sort(Map.Entry.comparingByValue(evictFirst));
    for (int i = 0; i < entries.size() && excess > 0; i++) {
      Map.Entry<K, V> entry = entries.get(i);
      if (map.remove(entry.getKey(), entry.getValue())) {
        excess--;
        evicted.incrementAndGet();
      }
    }
  }

  private void sweepExpired() {
    map.forEach((key, value) -> {
      if (value.isExpired(clock)) {
        map.remove(key, value);
      }
    });
  }
}
