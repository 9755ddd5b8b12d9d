package io.portcullis.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.testing.Concurrently;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class RandomValuesTest {

  final RandomValues random = new RandomValues();

  @Test
  void tokensAndCodesHaveTheirLengthsInLowercaseHex() {
    assertTrue(random.token().matches("[0-9a-f]{64}"));
    assertTrue(random.code().matches("[0-9a-f]{40}"));
  }

  @Test
  void manyThreadsAtOnceNeverGetTheSameValue() throws Exception {
    int threads = 16;
    int each = 20_000;
    Set<String> seen = ConcurrentHashMap.newKeySet();
    Set<Long> grants = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      Concurrently.atOnce(pool, threads, () -> {
        for (int i = 0; i < each; i++) {
          seen.add(i % 2 == 0 ? random.token() : random.code());
          grants.add(random.grantId());
        }
        return null;
      });
    } finally {
      pool.shutdownNow();
    }
    assertEquals(threads * each, seen.size(), "a value was handed out twice");
    assertEquals(threads * each, grants.size(), "a grant id was handed out twice");
  }

  @Test
  void everyByteValueComesUpAboutEquallyOften() {
    // 2,560,000 bytes of tokens and codes: a generator that repeats or zeroes shows at once.
    int[] counts = new int[256];
    int drawn = 0;
    for (int i = 0; drawn < 2_560_000; i++) {
      byte[] value = java.util.HexFormat.of().parseHex(i % 2 == 0 ? random.token() : random.code());
      for (byte b : value) {
        counts[b & 0xff]++;
      }
      drawn += value.length;
    }
    double expected = drawn / 256.0;
    for (int v = 0; v < 256; v++) {
      assertTrue(Math.abs(counts[v] - expected) < expected * 0.05,
          "byte " + v + " came up " + counts[v] + " times, expected about " + (long) expected);
    }
  }
}
