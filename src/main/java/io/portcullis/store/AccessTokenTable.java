package io.portcullis.store;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * The live access tokens of the memory store: a bounded hash table in which every entry expires
 * at its own time, built for a million entries in a few dozen bytes each.
 *
 * <p>A general-purpose cache keeps an object per entry for its key, its value and its own
 * bookkeeping (Caffeine: about 150 bytes a token beside the token itself). Here the entries live
 * in parallel primitive arrays of open-addressing segments (linear probing, deletion by backward
 * shift, no tombstones): per entry the first 128 bits of the token's SHA-256 (as in the Redis
 * store: no usable secret in a heap dump, and 2<sup>-88</sup> for any two of a million tokens to
 * share a key), the grant id, the two times, and three references to shared strings (client,
 * user, scope) — 52 bytes a slot, at most three slots for every two entries.
 *
 * <ul>
 *   <li><b>Expiry.</b> An expired entry is never handed out; it is removed when a lookup meets it,
 *       when the incremental sweep that each insertion advances by a few slots reaches it, or
 *       at {@link #cleanUp()}.
 *   <li><b>Bound.</b> At most {@code maximumSize} entries (spread over the segments). Inserting
 *       into a full segment first drops what has expired among a sample of its slots, else the
 *       sampled entry that expires first, counted in {@link #evictions()}.
 *   <li><b>Concurrency.</b> Each segment is guarded by its own lock, taken for lookups too: a
 *       lookup costs a hash and a few array reads, far less than the lock's contention on 64
 *       segments.
 *   <li>{@code onRemoval} hears of every entry that leaves (expired, evicted, removed, replaced),
 *       with its client id, under the segment's lock.
 * </ul>
 */
final class AccessTokenTable {

  /** Told the client id of every entry that leaves the table. */
  @FunctionalInterface
  interface Removal {
    void removed(String clientId);
  }

  private static final int MAX_SEGMENTS = 64;
  /** Slots examined by the sweep at each insertion, and sampled for an eviction. */
  private static final int SWEEP_STEP = 4;
  private static final int EVICTION_SAMPLE = 16;
  private static final int INITIAL_CAPACITY = 16;

  private final Segment[] segments;
  private final int segmentShift;
  private final Clock clock;
  private final Removal onRemoval;
  private final AtomicLong evictions;
  private final AtomicLong lastCleanUp = new AtomicLong(Long.MIN_VALUE);

  /** @param evictions counts the entries the bound pushes out before they expire */
  AccessTokenTable(long maximumSize, Clock clock, Removal onRemoval, AtomicLong evictions) {
    if (maximumSize < 1) {
      throw new IllegalArgumentException("maximumSize must be positive");
    }
    // Few segments for a small bound, so that no segment's share is much smaller than its load.
    int count = (int) Math.min(MAX_SEGMENTS, Math.max(1, Long.highestOneBit(maximumSize / 4096)));
    this.segments = new Segment[count];
    long perSegment = (maximumSize + count - 1) / count;
    for (int i = 0; i < count; i++) {
      segments[i] = new Segment((int) Math.min(Integer.MAX_VALUE / 4, perSegment));
    }
    this.segmentShift = 64 - Integer.numberOfTrailingZeros(count);
    this.clock = clock;
    this.onRemoval = onRemoval;
    this.evictions = evictions;
  }

  /** Stores {@code token} under {@code key}; an entry already there is replaced. */
  void put(SecretKey key, AccessToken token) {
    long hi = key.a();
    long lo = nonZero(key);
    long now = clock.instant().getEpochSecond();
    Segment segment = segmentFor(hi);
    synchronized (segment) {
      segment.put(hi, lo, token, now, this);
    }
  }

  /** The live entry under {@code key}, or {@code null}; an expired one met here is removed. */
  AccessToken get(SecretKey key) {
    long hi = key.a();
    long lo = nonZero(key);
    long now = clock.instant().getEpochSecond();
    Segment segment = segmentFor(hi);
    synchronized (segment) {
      return segment.get(hi, lo, now, this);
    }
  }

  /** Removes the entry under {@code key}; whether there was one (expired or not). */
  boolean remove(SecretKey key) {
    long hi = key.a();
    long lo = nonZero(key);
    Segment segment = segmentFor(hi);
    synchronized (segment) {
      int slot = segment.find(hi, lo);
      if (slot < 0) {
        return false;
      }
      segment.delete(slot, this);
      return true;
    }
  }

  /** Entries held, expired ones not yet removed included. */
  long size() {
    long size = 0;
    for (Segment segment : segments) {
      synchronized (segment) {
        size += segment.size;
      }
    }
    return size;
  }

  /** Entries pushed out by the bound before they expired. */
  long evictions() {
    return evictions.get();
  }

  /** Removes every expired entry now. */
  void cleanUp() {
    long now = clock.instant().getEpochSecond();
    for (Segment segment : segments) {
      synchronized (segment) {
        segment.purge(now, this);
      }
    }
  }

  /**
   * {@link #cleanUp()}, unless one already ran within this second of the clock: a pass over the
   * whole table costs milliseconds at a million entries, and a client asking again and again at
   * its quota must not make every request pay it. Whether it ran.
   */
  boolean cleanUpAtMostEverySecond() {
    long now = clock.instant().getEpochSecond();
    if (now <= lastCleanUp.get()) {
      return false;
    }
    // Callers at the same moment wait for the one clean-up rather than go on before it is done
    // (a client at its quota would be refused a place the clean-up is about to free).
    synchronized (lastCleanUp) {
      if (now <= lastCleanUp.get()) {
        return false;
      }
      cleanUp();
      lastCleanUp.set(now);
      return true;
    }
  }

  /** Removes everything; {@code onRemoval} hears of each. */
  void clear() {
    for (Segment segment : segments) {
      synchronized (segment) {
        for (int slot = 0; slot < segment.capacity(); slot++) {
          if (!segment.empty(slot)) {
            onRemoval.removed(segment.refs[3 * slot]);
          }
        }
        segment.reset();
      }
    }
  }

  /**
   * Every live entry, one segment at a time (each under its lock; the action must not call back
   * into this table). Keys carry the 128 bits kept, the rest zero.
   */
  void forEach(BiConsumer<SecretKey, AccessToken> action) {
    long now = clock.instant().getEpochSecond();
    for (Segment segment : segments) {
      synchronized (segment) {
        for (int slot = 0; slot < segment.capacity(); slot++) {
          if (!segment.empty(slot) && now < segment.expires[slot]) {
            action.accept(new SecretKey(segment.keys[2 * slot], segment.keys[2 * slot + 1], 0, 0),
                segment.token(slot));
          }
        }
      }
    }
  }

  private Segment segmentFor(long hi) {
    return segments.length == 1 ? segments[0] : segments[(int) (hi >>> segmentShift)];
  }

  /** All-zero marks an empty slot; the one key that is all zero (2<sup>-128</sup>) moves aside. */
  private static long nonZero(SecretKey key) {
    return key.a() == 0 && key.b() == 0 ? 1 : key.b();
  }

  private void removed(String clientId) {
    onRemoval.removed(clientId);
  }

  /** One open-addressing table; every method runs under the segment's lock. */
  private static final class Segment {
    private final int maximumSize;
    long[] keys;
    long[] grants;
    long[] issued;
    long[] expires;
    /** Client id, username (or null), scope: three per slot. */
    String[] refs;
    int size;
    /** Where the incremental sweep goes on. */
    private int cursor;
    /** Where the next eviction sample starts: moves on, so no entry is favoured. */
    private int sampleStart;

    Segment(int maximumSize) {
      this.maximumSize = maximumSize;
      reset();
    }

    void reset() {
      allocate(INITIAL_CAPACITY);
      size = 0;
      cursor = 0;
    }

    private void allocate(int capacity) {
      keys = new long[2 * capacity];
      grants = new long[capacity];
      issued = new long[capacity];
      expires = new long[capacity];
      refs = new String[3 * capacity];
    }

    int capacity() {
      return grants.length;
    }

    boolean empty(int slot) {
      return keys[2 * slot] == 0 && keys[2 * slot + 1] == 0;
    }

    /** The home slot of a key: its low bits are uniformly random already (a SHA-256). */
    private static int home(long lo, int capacity) {
      return (int) (((lo & 0xFFFFFFFFL) * capacity) >>> 32);
    }

    int find(long hi, long lo) {
      int capacity = capacity();
      for (int slot = home(lo, capacity); ; slot = slot + 1 == capacity ? 0 : slot + 1) {
        long k0 = keys[2 * slot];
        long k1 = keys[2 * slot + 1];
        if (k0 == hi && k1 == lo) {
          return slot;
        }
        if (k0 == 0 && k1 == 0) {
          return -1;
        }
      }
    }

    AccessToken get(long hi, long lo, long now, AccessTokenTable table) {
      int slot = find(hi, lo);
      if (slot < 0) {
        return null;
      }
      if (now >= expires[slot]) {
        delete(slot, table);
        return null;
      }
      return token(slot);
    }

    AccessToken token(int slot) {
      return new AccessToken(grants[slot], refs[3 * slot], refs[3 * slot + 1], refs[3 * slot + 2], issued[slot],
          expires[slot]);
    }

    void put(long hi, long lo, AccessToken token, long now, AccessTokenTable table) {
      sweep(SWEEP_STEP, now, table);
      int existing = find(hi, lo);
      if (existing >= 0) {
        table.removed(refs[3 * existing]);
        write(existing, hi, lo, token);
        return;
      }
      if (size >= maximumSize) {
        makeRoom(now, table);
      }
      if (size + 1 > capacity() - capacity() / 4 && capacity() < maxCapacity()) {
        resize(Math.min(maxCapacity(), capacity() + Math.max(capacity() / 2, INITIAL_CAPACITY)));
      }
      int capacity = capacity();
      int slot = home(lo, capacity);
      while (!empty(slot)) {
        slot = slot + 1 == capacity ? 0 : slot + 1;
      }
      write(slot, hi, lo, token);
      size++;
    }

    /** Room for {@code maximumSize} entries at a load of three quarters, and one empty slot more. */
    private int maxCapacity() {
      return (int) Math.min(Integer.MAX_VALUE / 4, (long) maximumSize + maximumSize / 3 + 2);
    }

    private void write(int slot, long hi, long lo, AccessToken token) {
      keys[2 * slot] = hi;
      keys[2 * slot + 1] = lo;
      grants[slot] = token.grantId();
      issued[slot] = token.issuedAtEpochSecond();
      expires[slot] = token.expiresAtEpochSecond();
      refs[3 * slot] = SharedStrings.of(token.clientId());
      refs[3 * slot + 1] = SharedStrings.of(token.username());
      refs[3 * slot + 2] = token.scope(); // shared by AccessToken
    }

    /**
     * Frees one place in a full segment: what has expired in a sample of slots, else the sampled
     * entry that expires first.
     */
    private void makeRoom(long now, AccessTokenTable table) {
      int capacity = capacity();
      int victim = -1;
      int start = sampleStart;
      int seen = 0;
      for (int i = 0; i < capacity && seen < EVICTION_SAMPLE; i++) {
        int slot = (start + i) % capacity;
        if (empty(slot)) {
          continue;
        }
        seen++;
        if (victim < 0 || expires[slot] < expires[victim]) {
          victim = slot;
        }
      }
      sampleStart = (start + capacity / 7 + 1) % capacity;
      if (victim < 0) {
        return;
      }
      if (now < expires[victim]) {
        table.evictions.incrementAndGet();
      }
      delete(victim, table);
      sweep(EVICTION_SAMPLE, now, table);
    }

    /** Looks at the next {@code slots} slots after the cursor and removes what has expired. */
    void sweep(int slots, long now, AccessTokenTable table) {
      for (int i = 0; i < slots && size > 0; i++) {
        if (cursor >= capacity()) { // also after a delete has shrunk the table
          cursor = 0;
        }
        if (!empty(cursor) && now >= expires[cursor]) {
          // The backward shift may move another entry into this slot: look at it again.
          delete(cursor, table);
          if (!empty(cursor)) {
            continue;
          }
        }
        cursor++;
      }
    }

    /** Removes every expired entry: one pass, each slot looked at again when an entry moves into it. */
    void purge(long now, AccessTokenTable table) {
      int slot = 0;
      while (slot < capacity()) {
        if (!empty(slot) && now >= expires[slot]) {
          remove(slot, table);
        } else {
          slot++;
        }
      }
      shrinkIfSparse();
    }

    /** Removes the entry in {@code slot}, and shrinks the table when it has become sparse. */
    void delete(int slot, AccessTokenTable table) {
      remove(slot, table);
      shrinkIfSparse();
    }

    /** Removes the entry in {@code slot}, shifting later entries of its run back (Knuth 6.4, algorithm R). */
    private void remove(int slot, AccessTokenTable table) {
      table.removed(refs[3 * slot]);
      size--;
      int capacity = capacity();
      int hole = slot;
      int next = hole;
      while (true) {
        next = next + 1 == capacity ? 0 : next + 1;
        if (empty(next)) {
          break;
        }
        int home = home(keys[2 * next + 1], capacity);
        // Moves back unless its home lies cyclically in (hole, next].
        boolean stays = hole <= next ? hole < home && home <= next : hole < home || home <= next;
        if (!stays) {
          move(next, hole);
          hole = next;
        }
      }
      clearSlot(hole);
    }

    private void shrinkIfSparse() {
      if (size < capacity() / 8 && capacity() > INITIAL_CAPACITY) {
        resize(Math.max(INITIAL_CAPACITY, capacity() / 2));
      }
    }

    private void move(int from, int to) {
      copy(keys, grants, issued, expires, refs, from, to);
    }

    /** Copies slot {@code from} of the given arrays into slot {@code to} of this segment's. */
    private void copy(long[] fromKeys, long[] fromGrants, long[] fromIssued, long[] fromExpires, String[] fromRefs,
        int from, int to) {
      keys[2 * to] = fromKeys[2 * from];
      keys[2 * to + 1] = fromKeys[2 * from + 1];
      grants[to] = fromGrants[from];
      issued[to] = fromIssued[from];
      expires[to] = fromExpires[from];
      refs[3 * to] = fromRefs[3 * from];
      refs[3 * to + 1] = fromRefs[3 * from + 1];
      refs[3 * to + 2] = fromRefs[3 * from + 2];
    }

    private void clearSlot(int slot) {
      keys[2 * slot] = 0;
      keys[2 * slot + 1] = 0;
      refs[3 * slot] = null;
      refs[3 * slot + 1] = null;
      refs[3 * slot + 2] = null;
    }

    private void resize(int newCapacity) {
      long[] oldKeys = keys;
      long[] oldGrants = grants;
      long[] oldIssued = issued;
      long[] oldExpires = expires;
      String[] oldRefs = refs;
      int oldCapacity = oldGrants.length;
      allocate(newCapacity);
      for (int from = 0; from < oldCapacity; from++) {
        long hi = oldKeys[2 * from];
        long lo = oldKeys[2 * from + 1];
        if (hi == 0 && lo == 0) {
          continue;
        }
        int slot = home(lo, newCapacity);
        while (!empty(slot)) {
          slot = slot + 1 == newCapacity ? 0 : slot + 1;
        }
        copy(oldKeys, oldGrants, oldIssued, oldExpires, oldRefs, from, slot);
      }
      cursor = 0;
    }
  }
}
