package io.portcullis.oauth;

import java.security.DrbgParameters;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Unguessable values: codes, tokens, transaction ids, CSRF tokens, grant ids and CSP nonces.
 *
 * <p>Asked for one value at a time, the platform's {@code NativePRNG} takes one lock for the whole
 * JVM, and under load that lock cost about a tenth of a complete flow's server CPU (issue 12,
 * docs/benchmarks.md). So values come from eight generators, a thread picking one by its id, each
 * behind its own lock: a {@code DRBG} (NIST SP 800-90A Hash_DRBG, SHA-256, 256-bit strength) that
 * fills a buffer of {@value #BUFFER} bytes at a time, and every byte is wiped from the buffer as it
 * is handed out, so no value is given twice or kept.
 *
 * <p>Every refill mixes in {@value #FRESH} fresh bytes of the system's non-blocking source
 * ({@code /dev/urandom}) as additional input, so a generator's state, read from a heap dump say,
 * predicts nothing beyond the rest of its current buffer — as the platform generator itself buffers
 * up to 64 KiB of the system source for up to 100 ms. (Prediction resistance proper would reseed
 * from {@code securerandom.source}, {@code /dev/random}, which blocks on kernels before 5.6.)
 */
public final class RandomValues {
  private static final HexFormat HEX = HexFormat.of();
  /** A power of two. */
  private static final int STRIPES = 8;
  static final int BUFFER = 1024;
  static final int FRESH = 32;
  private static final SecureRandom SYSTEM = system();
  private static final Stripe[] SHARED = new Stripe[STRIPES];

  static {
    for (int i = 0; i < STRIPES; i++) {
      SHARED[i] = new Stripe(drbg(), SYSTEM);
    }
  }

  /** 256 random bits as 64 lowercase hex characters (the seed's token format). */
  public String token() {
    return hex(32);
  }

  /** 160 random bits as 40 lowercase hex characters (RFC 6749 §10.10: SHOULD be 2^-160 to guess). */
  public String code() {
    return hex(20);
  }

  public long grantId() {
    byte[] value = new byte[8];
    fill(value);
    long id = 0;
    for (byte b : value) {
      id = (id << 8) | (b & 0xff);
    }
    return id;
  }

  /** Fills {@code into} with unguessable bytes. */
  public static void fill(byte[] into) {
    SHARED[(int) Thread.currentThread().getId() & (STRIPES - 1)].fill(into);
  }

  private static String hex(int bytes) {
    byte[] value = new byte[bytes];
    fill(value);
    return HEX.formatHex(value);
  }

  private static SecureRandom drbg() {
    try {
      return SecureRandom.getInstance("DRBG",
          DrbgParameters.instantiation(256, DrbgParameters.Capability.RESEED_ONLY, null));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return SYSTEM; // a JDK without a 256-bit DRBG: the system source for everything
    }
  }

  private static SecureRandom system() {
    try {
      return SecureRandom.getInstance("NativePRNGNonBlocking");
    } catch (GeneralSecurityException e) {
      return new SecureRandom(); // not Unix: the platform's default
    }
  }

  /** One generator and its buffer. */
  static final class Stripe {
    private final SecureRandom generator;
    private final SecureRandom fresh;
    private final byte[] buffer = new byte[BUFFER];
    private final byte[] additional = new byte[FRESH];
    private int next = BUFFER;

    Stripe(SecureRandom generator, SecureRandom fresh) {
      this.generator = generator;
      this.fresh = fresh;
    }

    synchronized void fill(byte[] into) {
      if (into.length > BUFFER) {
        refill(into);
        return;
      }
      if (next + into.length > BUFFER) {
        refill(buffer);
        next = 0;
      }
      System.arraycopy(buffer, next, into, 0, into.length);
      Arrays.fill(buffer, next, next + into.length, (byte) 0);
      next += into.length;
    }

    private void refill(byte[] target) {
      if (generator == fresh) {
        fresh.nextBytes(target);
        return;
      }
      fresh.nextBytes(additional);
      generator.nextBytes(target, DrbgParameters.nextBytes(-1, false, additional));
      Arrays.fill(additional, (byte) 0);
    }
  }
}
