package io.portcullis.oauth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** RFC 7636: the syntax of verifiers and challenges, and the check that binds them. */
public final class Pkce {
  public static final String S256 = "S256";
  public static final String PLAIN = "plain";

  private Pkce() {}

  /** RFC 7636 §4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~". */
  public static boolean isValidVerifier(String verifier) {
    return verifier.length() >= 43 && verifier.length() <= 128 && isUnreserved(verifier);
  }

  /**
   * RFC 7636 §4.2: an S256 challenge is the unpadded base64url of a SHA-256 digest, so exactly 43
   * base64url characters; a plain challenge is a verifier.
   */
  public static boolean isValidChallenge(String challenge, String method) {
    if (S256.equals(method)) {
      if (challenge.length() != 43) {
        return false;
      }
      for (int i = 0; i < challenge.length(); i++) {
        char c = challenge.charAt(i);
        if (!(isAlphaNumeric(c) || c == '-' || c == '_')) {
          return false;
        }
      }
      // The last character carries 2 padding bits that must be zero in a canonical encoding.
      return "AEIMQUYcgkosw048".indexOf(challenge.charAt(42)) >= 0;
    }
    return isValidVerifier(challenge);
  }

  /** RFC 7636 §4.6: does the verifier produce the challenge? */
  public static boolean matches(String verifier, String challenge, String method) {
    byte[] expected = challenge.getBytes(StandardCharsets.US_ASCII);
    byte[] actual = (S256.equals(method) ? s256(verifier) : verifier).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, actual);
  }

  /** BASE64URL-ENCODE(SHA256(ASCII(code_verifier))), unpadded. */
  public static String s256(String verifier) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  private static boolean isUnreserved(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(isAlphaNumeric(c) || c == '-' || c == '.' || c == '_' || c == '~')) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAlphaNumeric(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }
}
