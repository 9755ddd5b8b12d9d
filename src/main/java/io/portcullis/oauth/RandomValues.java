package io.portcullis.oauth;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Unguessable values: codes, tokens, transaction ids, CSRF tokens, grant ids and CSP nonces.
 *
 * <p>They come from the JDK's {@code DRBG} (NIST SP 800-90A Hash_DRBG with SHA-256, seeded and
 * reseeded from the system's entropy source), drawn a kilobyte at a time: a flow needs about six
 * values, and asking a generator for each one cost several times as much as the bytes themselves
 * (issue 12). Requests are spread over a few generators by thread, each behind its own lock, and a
 * byte handed out is wiped from the buffer at once, so no value is ever given twice or kept.
 */
public final class RandomValues {
  private static final HexFormat HEX = HexFormat.of();
  /** A power of two. */
  private static final int STRIPES = 8;
  private static final int BUFFER = 1024;
  private static final Stripe[] SHARED = new Stripe[STRIPES];

  static {
    for (int i = 0; i < STRIPES; i++) {
      SHARED[i] = new Stripe(generator());
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

  private static SecureRandom generator() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      return new SecureRandom(); // every JDK since 9 has DRBG; the platform default otherwise
    }
  }

  private static final class Stripe {
    private final SecureRandom random;
    private final byte[] buffer = new byte[BUFFER];
    private int next = BUFFER;

    Stripe(SecureRandom random) {
      this.random = random;
    }

    synchronized void fill(byte[] into) {
      if (into.length > BUFFER) {
        random.nextBytes(into);
        return;
      }
      if (next + into.length > BUFFER) {
        random.nextBytes(buffer);
        next = 0;
      }
      System.arraycopy(buffer, next, into, 0, into.length);
      Arrays.fill(buffer, next, next + into.length, (byte) 0);
      next += into.length;
    }
  }
}
