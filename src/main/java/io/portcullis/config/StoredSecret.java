package io.portcullis.config;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A password or client secret as written in the config file: a scheme prefix, then the scheme's
 * data. The value is never kept in plain text unless the operator wrote {@code {noop}}.
 *
 * <ul>
 *   <li>{@code {noop}secret} — plain text; accepted with a warning at start-up.
 *   <li>{@code {pbkdf2-sha256}iterations$salt$hash} — PBKDF2-HMAC-SHA256, base64 salt and
 *       32-byte hash. Slow on purpose: for user passwords, which people choose.
 *   <li>{@code {sha256}salt$hash} — SHA-256 over salt and secret. Fast: only for client secrets,
 *       which are long random strings that no dictionary holds.
 * </ul>
 */
public sealed interface StoredSecret {

  String NOOP = "noop";
  String PBKDF2 = "pbkdf2-sha256";
  String SHA256 = "sha256";

  /** OWASP's 2023 figure for PBKDF2-HMAC-SHA256. */
  int DEFAULT_PBKDF2_ITERATIONS = 600_000;
  /** Below this a PBKDF2 hash is refused: it would protect little more than a fast hash. */
  int MIN_PBKDF2_ITERATIONS = 10_000;

  /** True when {@code candidate} is the secret; constant time in the candidate's content. */
  boolean matches(String candidate);

  /** The scheme name, for messages; never the secret. */
  String scheme();

  /** What a check costs, as a label: secrets with equal labels take equal time to check. */
  String cost();

  /** A secret of this one's {@link #cost()} that no candidate matches (zero hash, or random). */
  StoredSecret decoy();

  /** True for a deliberately slow hash (PBKDF2): checks wait for a hashing permit. */
  default boolean isSlow() {
    return false;
  }

  record Noop(String plain) implements StoredSecret {
    @Override
    public boolean matches(String candidate) {
      return MessageDigest.isEqual(
          plain.getBytes(StandardCharsets.UTF_8), candidate.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String scheme() {
      return NOOP;
    }

    @Override
    public String cost() {
      return NOOP;
    }

    @Override
    public StoredSecret decoy() {
      return noopDecoy();
    }

    @Override
    public String toString() {
      return "{noop}****";
    }
  }

  record Pbkdf2(int iterations, byte[] salt, byte[] hash) implements StoredSecret {
    @Override
    public boolean matches(String candidate) {
      return MessageDigest.isEqual(hash, pbkdf2(candidate, salt, iterations, hash.length));
    }

    @Override
    public String scheme() {
      return PBKDF2;
    }

    @Override
    public String cost() {
      return PBKDF2 + ":" + iterations + ":" + hash.length;
    }

    @Override
    public boolean isSlow() {
      return true;
    }

    @Override
    public StoredSecret decoy() {
      return new Pbkdf2(iterations, new byte[salt.length], new byte[hash.length]);
    }

    @Override
    public String toString() {
      return "{" + PBKDF2 + "}" + iterations + "$****";
    }
  }

  record Sha256(byte[] salt, byte[] hash) implements StoredSecret {
    @Override
    public boolean matches(String candidate) {
      return MessageDigest.isEqual(hash, sha256(salt, candidate));
    }

    @Override
    public String scheme() {
      return SHA256;
    }

    @Override
    public String cost() {
      return SHA256;
    }

    @Override
    public StoredSecret decoy() {
      return new Sha256(new byte[salt.length], new byte[hash.length]);
    }

    @Override
    public String toString() {
      return "{" + SHA256 + "}****";
    }
  }

  /**
   * A secret nobody knows that costs as much to check as most of {@code secrets}: checked when the
   * user or client asked for does not exist, so that "no such account" takes as long as "wrong
   * secret" and response times do not tell which accounts exist. When the secrets differ in cost
   * (scheme, iterations, hash length), the accounts of the less common costs can still be told
   * apart by timing; the config loader warns about such a mix.
   */
  static StoredSecret decoyFor(java.util.Collection<StoredSecret> secrets) {
    java.util.Map<String, java.util.List<StoredSecret>> byCost = new java.util.LinkedHashMap<>();
    for (StoredSecret secret : secrets) {
      byCost.computeIfAbsent(secret.cost(), k -> new java.util.ArrayList<>()).add(secret);
    }
    return byCost.values().stream().max(java.util.Comparator.comparingInt(java.util.List::size))
        .map(same -> same.get(0).decoy())
        .orElse(noopDecoy());
  }

  /** 256 random bits nobody was told. */
  private static StoredSecret noopDecoy() {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    return new Noop(Base64.getEncoder().encodeToString(random));
  }

  /**
   * Reads {@code {scheme}data}. The message of the exception names what is wrong and never
   * repeats the value.
   */
  static StoredSecret parse(String encoded) {
    if (!encoded.startsWith("{") || encoded.indexOf('}') < 0) {
      throw new IllegalArgumentException(
          "must start with a scheme: {noop}, {" + PBKDF2 + "} or {" + SHA256 + "}");
    }
    int close = encoded.indexOf('}');
    String scheme = encoded.substring(1, close);
    String data = encoded.substring(close + 1);
    switch (scheme) {
      case NOOP -> {
        if (data.isEmpty()) {
          throw new IllegalArgumentException("{noop} secret is empty");
        }
        return new Noop(data);
      }
      case PBKDF2 -> {
        String[] parts = data.split("\\$", -1);
        if (parts.length != 3) {
          throw new IllegalArgumentException(
              "{" + PBKDF2 + "} must be iterations$salt$hash (use the hash-secret command)");
        }
        int iterations;
        try {
          iterations = Integer.parseInt(parts[0]);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("{" + PBKDF2 + "} iteration count is not a number");
        }
        if (iterations < MIN_PBKDF2_ITERATIONS) {
          throw new IllegalArgumentException(
              "{" + PBKDF2 + "} needs at least " + MIN_PBKDF2_ITERATIONS + " iterations");
        }
        byte[] salt = decode(parts[1], "salt");
        byte[] hash = decode(parts[2], "hash");
        if (salt.length < 16 || hash.length < 32) {
          throw new IllegalArgumentException(
              "{" + PBKDF2 + "} needs a salt of at least 16 bytes and a hash of 32 bytes");
        }
        return new Pbkdf2(iterations, salt, hash);
      }
      case SHA256 -> {
        String[] parts = data.split("\\$", -1);
        if (parts.length != 2) {
          throw new IllegalArgumentException(
              "{" + SHA256 + "} must be salt$hash (use the hash-secret command)");
        }
        byte[] salt = decode(parts[0], "salt");
        byte[] hash = decode(parts[1], "hash");
        if (salt.length < 16 || hash.length != 32) {
          throw new IllegalArgumentException(
              "{" + SHA256 + "} needs a salt of at least 16 bytes and a 32-byte hash");
        }
        return new Sha256(salt, hash);
      }
      default -> throw new IllegalArgumentException(
          "unknown scheme {" + scheme + "}; use {noop}, {" + PBKDF2 + "} or {" + SHA256 + "}");
    }
  }

  /** Hashes a new secret with a fresh random salt, in the format {@link #parse} reads. */
  static String hash(String scheme, String secret) {
    SecureRandom random = new SecureRandom();
    byte[] salt = new byte[16];
    random.nextBytes(salt);
    Base64.Encoder b64 = Base64.getEncoder();
    return switch (scheme) {
      case PBKDF2 -> "{" + PBKDF2 + "}" + DEFAULT_PBKDF2_ITERATIONS + "$" + b64.encodeToString(salt)
          + "$" + b64.encodeToString(pbkdf2(secret, salt, DEFAULT_PBKDF2_ITERATIONS, 32));
      case SHA256 -> "{" + SHA256 + "}" + b64.encodeToString(salt) + "$"
          + b64.encodeToString(sha256(salt, secret));
      default -> throw new IllegalArgumentException(
          "scheme must be " + PBKDF2 + " or " + SHA256 + ", not " + scheme);
    };
  }

  private static byte[] decode(String base64, String what) {
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the " + what + " is not valid base64");
    }
  }

  private static byte[] pbkdf2(String secret, byte[] salt, int iterations, int length) {
    PBEKeySpec spec = new PBEKeySpec(secret.toCharArray(), salt, iterations, length * 8);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every Java 17 runtime", e);
    } finally {
      spec.clearPassword();
    }
  }

  private static byte[] sha256(byte[] salt, String secret) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(salt);
      return digest.digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
