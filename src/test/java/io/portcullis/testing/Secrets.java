package io.portcullis.testing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Builds config-file secrets in {@code StoredSecret}'s documented format, with cheap parameters so
 * tests stay fast (the production default of 600 000 PBKDF2 iterations is deliberately slow).
 */
public final class Secrets {

  /** The minimum StoredSecret accepts; enough for tests, far faster than the default. */
  public static final int TEST_ITERATIONS = 10_000;

  private static final byte[] SALT = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private Secrets() {}

  /** {@code {pbkdf2-sha256}iterations$salt$hash} for the password, with a fixed 16-byte salt. */
  public static String pbkdf2(String password) {
    return pbkdf2(password, TEST_ITERATIONS, SALT);
  }

  public static String pbkdf2(String password, int iterations, byte[] salt) {
    PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
    try {
      byte[] hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
      Base64.Encoder b64 = Base64.getEncoder();
      return "{pbkdf2-sha256}" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
