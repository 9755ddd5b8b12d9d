package io.portcullis.store;

import java.time.Clock;
import java.util.HashMap;
import java.util.Iterator;
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
 *   <li><b>Bound.</b> Past {@code maximumSize}, a writer sweeps out what has expired (at most
 *       once a second); if that is not enough, the entry expiring soonest of a sample of
 *       {@link #SAMPLE} is dropped, counted in {@code evicted}, until the bound holds again.
 * </ul>
 */
final class ExpiringMap<K, V extends Expiring> {
  static final long SWEEP_MILLIS = 60_000;
  static final int SAMPLE = 16;

  private final ConcurrentHashMap<K, V> map = new ConcurrentHashMap<>();
  private final long maximumSize;
  private final Clock clock;
  private final AtomicLong evicted;
  private final AtomicLong nextSweep;
  private final AtomicLong nextFullSweep;

  ExpiringMap(long maximumSize, Clock clock, AtomicLong evicted) {
    this.maximumSize = maximumSize;
    this.clock = clock;
    this.evicted = evicted;
    long now = clock.millis();
    this.nextSweep = new AtomicLong(now + SWEEP_MILLIS);
    this.nextFullSweep = new AtomicLong(now);
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
    if (map.mappingCount() <= maximumSize) {
      return;
    }
    long fullSweepAt = nextFullSweep.get();
    if (now >= fullSweepAt && nextFullSweep.compareAndSet(fullSweepAt, now + 1_000)) {
      sweepExpired();
    }
    while (map.mappingCount() > maximumSize) {
      evictOne();
    }
  }

  private void sweepExpired() {
    map.forEach((key, value) -> {
      if (value.isExpired(clock)) {
        map.remove(key, value);
      }
    });
  }

  /** Drops the sampled entry expiring soonest (an expired one at once). */
  private void evictOne() {
    K soonest = null;
    V soonestValue = null;
    Iterator<Map.Entry<K, V>> entries = map.entrySet().iterator();
    for (int i = 0; i < SAMPLE && entries.hasNext(); i++) {
      Map.Entry<K, V> entry = entries.next();
      V value = entry.getValue();
      if (value.isExpired(clock)) {
        map.remove(entry.getKey(), value);
        return;
      }
      if (soonestValue == null || value.expiresAtEpochSecond() < soonestValue.expiresAtEpochSecond()) {
        soonest = entry.getKey();
        soonestValue = value;
      }
    }
    if (soonest != null && map.remove(soonest, soonestValue)) {
      evicted.incrementAndGet();
    }
  }
}
