package io.portcullis.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The store key of a code, token or transaction id: its SHA-256, as four longs (48 bytes on the
 * heap rather than 100+ for a hex string). A leaked store or heap dump yields no usable secret.
 */
public record SecretKey(long a, long b, long c, long d) {

  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  });

  public static SecretKey of(String secret) {
    ByteBuffer digest = ByteBuffer.wrap(sha256(secret));
    return new SecretKey(digest.getLong(), digest.getLong(), digest.getLong(), digest.getLong());
  }

  public static byte[] sha256(String value) {
    return SHA256.get().digest(value.getBytes(StandardCharsets.UTF_8));
  }

  /** The key whose {@link #hex()} this is. */
  public static SecretKey fromHex(String hex) {
    if (hex.length() != 64) {
      throw new IllegalArgumentException("a SecretKey is 64 hex digits");
    }
    return new SecretKey(Long.parseUnsignedLong(hex, 0, 16, 16), Long.parseUnsignedLong(hex, 16, 32, 16),
        Long.parseUnsignedLong(hex, 32, 48, 16), Long.parseUnsignedLong(hex, 48, 64, 16));
  }

  /** Lowercase hex of the hash, for stores that need a string key. */
  public String hex() {
    return String.format("%016x%016x%016x%016x", a, b, c, d);
  }

  @Override
  public String toString() {
    return "SecretKey[" + hex().substring(0, 8) + "…]";
  }
}
