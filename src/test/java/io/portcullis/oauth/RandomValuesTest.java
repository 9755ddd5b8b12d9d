package io.portcullis.oauth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import io.portcullis.testing.Concurrently;
import java.security.DrbgParameters;
import java.security.SecureRandom;
import java.security.SecureRandomParameters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
      byte[] value;
      if (i % 3 == 2) {
        value = new byte[i % 2 == 0 ? 18 : RandomValues.BUFFER + 500]; // a CSP nonce, or more than a buffer
        RandomValues.fill(value);
      } else {
        value = java.util.HexFormat.of().parseHex(i % 3 == 0 ? random.token() : random.code());
      }
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

  @Test
  void eachBufferIsGeneratedWithFreshBytesOfTheSystemSourceAndHandedOutOnceInOrder() {
    SecureRandom generator = mock(SecureRandom.class);
    SecureRandom system = mock(SecureRandom.class);
    doAnswer(call -> {
      Arrays.fill((byte[]) call.getArgument(0), (byte) 7);
      return null;
    }).when(system).nextBytes(any(byte[].class));
    List<byte[]> additionalInputs = new ArrayList<>();
    int[] counter = {0};
    doAnswer(call -> {
      byte[] target = call.getArgument(0);
      byte[] additional = ((DrbgParameters.NextBytes) call.getArgument(1)).getAdditionalInput();
      additionalInputs.add(additional.clone());
      for (int i = 0; i < target.length; i++) {
        target[i] = (byte) counter[0]++;
      }
      return null;
    }).when(generator).nextBytes(any(byte[].class), any(SecureRandomParameters.class));
    RandomValues.Stripe stripe = new RandomValues.Stripe(generator, system);

    int values = 2 * RandomValues.BUFFER / 32 + 1;
    byte[] all = new byte[values * 32];
    for (int v = 0; v < values; v++) {
      byte[] value = new byte[32];
      stripe.fill(value);
      System.arraycopy(value, 0, all, v * 32, 32);
    }
    for (int i = 0; i < all.length; i++) {
      assertEquals((byte) i, all[i], "byte " + i + ": the generator's output in order, none skipped or given twice");
    }
    assertEquals(3, additionalInputs.size(), "one generation per buffer");
    for (byte[] additional : additionalInputs) {
      byte[] expected = new byte[RandomValues.FRESH];
      Arrays.fill(expected, (byte) 7);
      assertArrayEquals(expected, additional, "fresh bytes of the system source mixed into every buffer");
    }
    verify(system, times(3)).nextBytes(any(byte[].class));
  }
}
