package io.portcullis.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PkceTest {

  /** RFC 7636 Appendix B. */
  static final String RFC_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  static final String RFC_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

  static final String BASE64URL =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

  @Test
  void s256OfTheRfc7636AppendixBVerifierIsItsChallenge() {
    assertEquals(RFC_CHALLENGE, Pkce.s256(RFC_VERIFIER));
  }

  @Test
  void theRfc7636AppendixBPairMatchesWithS256() {
    assertTrue(Pkce.isValidVerifier(RFC_VERIFIER));
    assertTrue(Pkce.isValidChallenge(RFC_CHALLENGE, Pkce.S256));
    assertTrue(Pkce.matches(RFC_VERIFIER, RFC_CHALLENGE, Pkce.S256));
  }

  @Test
  void aDifferentVerifierDoesNotMatchTheS256Challenge() {
    String other = RFC_VERIFIER.substring(0, 42) + "Y";
    assertFalse(Pkce.matches(other, RFC_CHALLENGE, Pkce.S256));
  }

  @Test
  void s256DoesNotAcceptTheVerifierItselfAsChallenge() {
    // A plain challenge presented under S256 must not verify.
    assertFalse(Pkce.matches(RFC_VERIFIER, RFC_VERIFIER, Pkce.S256));
  }

  @Test
  void plainMatchesOnlyTheIdenticalVerifier() {
    assertTrue(Pkce.matches(RFC_VERIFIER, RFC_VERIFIER, Pkce.PLAIN));
    assertFalse(Pkce.matches(RFC_VERIFIER, RFC_VERIFIER.toLowerCase(), Pkce.PLAIN));
    // Under plain the S256 challenge is just a different string.
    assertFalse(Pkce.matches(RFC_VERIFIER, RFC_CHALLENGE, Pkce.PLAIN));
  }

  @Test
  void verifierLengthBoundsAre43To128() {
    assertFalse(Pkce.isValidVerifier("a".repeat(42)), "42 characters is too short");
    assertTrue(Pkce.isValidVerifier("a".repeat(43)), "43 characters is the minimum");
    assertTrue(Pkce.isValidVerifier("a".repeat(128)), "128 characters is the maximum");
    assertFalse(Pkce.isValidVerifier("a".repeat(129)), "129 characters is too long");
    assertFalse(Pkce.isValidVerifier(""));
  }

  @Test
  void verifierAllowsEveryUnreservedCharacter() {
    String unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    assertTrue(Pkce.isValidVerifier(unreserved));
  }

  @ParameterizedTest
  @ValueSource(strings = {"+", "/", "=", " ", "%", "!", "*", "é", "\u0000", "\n", "\u00a0"})
  void verifierWithAnIllegalCharacterIsRefused(String illegal) {
    String verifier = "a".repeat(42) + illegal;
    assertFalse(Pkce.isValidVerifier(verifier), "verifier ending in " + illegal.codePointAt(0));
    String middle = "a".repeat(30) + illegal + "a".repeat(20);
    assertFalse(Pkce.isValidVerifier(middle));
  }

  @Test
  void s256ChallengeMustBeExactly43Characters() {
    assertFalse(Pkce.isValidChallenge(RFC_CHALLENGE.substring(0, 42), Pkce.S256));
    assertFalse(Pkce.isValidChallenge(RFC_CHALLENGE + "A", Pkce.S256));
    assertFalse(Pkce.isValidChallenge(RFC_CHALLENGE + "=", Pkce.S256), "padding is not allowed");
    assertFalse(Pkce.isValidChallenge("", Pkce.S256));
  }

  @ParameterizedTest
  @ValueSource(strings = {"+", "/", "=", ".", "~", " ", "é"})
  void s256ChallengeOutsideTheBase64UrlAlphabetIsRefused(String illegal) {
    String challenge = illegal + RFC_CHALLENGE.substring(1);
    assertEquals(43, challenge.length());
    assertFalse(Pkce.isValidChallenge(challenge, Pkce.S256));
  }

  @Test
  void s256ChallengeLastCharacterMustBeCanonical() {
    // 43 characters carry 258 bits for a 256-bit digest: the last one's 2 low bits must be zero.
    String prefix = RFC_CHALLENGE.substring(0, 42);
    int accepted = 0;
    for (char last : BASE64URL.toCharArray()) {
      String challenge = prefix + last;
      boolean canonical = Arrays.equals(challenge.getBytes(),
          Base64.getUrlEncoder().withoutPadding()
              .encode(Base64.getUrlDecoder().decode(challenge)));
      assertEquals(canonical, Pkce.isValidChallenge(challenge, Pkce.S256), "last character " + last);
      if (canonical) {
        accepted++;
      }
    }
    assertEquals(16, accepted);
    assertFalse(Pkce.isValidChallenge(prefix + "N", Pkce.S256), "'N' sets a padding bit");
  }

  @Test
  void s256OfAnyVerifierIsAValidS256Challenge() {
    for (int n = 43; n <= 128; n++) {
      String verifier = "x".repeat(n);
      assertTrue(Pkce.isValidChallenge(Pkce.s256(verifier), Pkce.S256), "length " + n);
    }
  }

  @Test
  void plainChallengeFollowsVerifierSyntax() {
    assertTrue(Pkce.isValidChallenge(RFC_VERIFIER, Pkce.PLAIN));
    assertTrue(Pkce.isValidChallenge("~".repeat(128), Pkce.PLAIN));
    assertFalse(Pkce.isValidChallenge("a".repeat(42), Pkce.PLAIN));
    assertFalse(Pkce.isValidChallenge("a".repeat(129), Pkce.PLAIN));
    assertFalse(Pkce.isValidChallenge("a".repeat(42) + "+", Pkce.PLAIN));
  }
}
