package io.portcullis.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecretKeyTest {

  /** SHA-256("abc"), FIPS 180-2 Appendix B.1. */
  static final String SHA256_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  @Test
  void keyIsTheSha256OfTheSecret() {
    assertEquals(SHA256_ABC, SecretKey.of("abc").hex());
    assertArrayEquals(HexFormat.of().parseHex(SHA256_ABC), SecretKey.sha256("abc"));
  }

  @Test
  void keyIsDeterministic() {
    assertEquals(SecretKey.of("a-token"), SecretKey.of("a-token"));
    assertEquals(SecretKey.of("a-token").hashCode(), SecretKey.of("a-token").hashCode());
  }

  @Test
  void differentSecretsGiveDifferentKeys() {
    assertNotEquals(SecretKey.of("a-token"), SecretKey.of("a-tokem"));
    assertNotEquals(SecretKey.of("a"), SecretKey.of("A"));
    assertNotEquals(SecretKey.of(""), SecretKey.of(" "));
    Set<SecretKey> keys = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      keys.add(SecretKey.of(Integer.toString(i)));
    }
    assertEquals(10_000, keys.size());
  }

  @Test
  void nonAsciiSecretsAreHashedAsUtf8() {
    assertEquals(64, SecretKey.of("é").hex().length());
    assertNotEquals(SecretKey.of("é"), SecretKey.of("e"));
    assertArrayEquals(SecretKey.sha256("\u00e9"), SecretKey.sha256(new String(new byte[] {(byte) 0xc3, (byte) 0xa9},
        java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void toStringShowsOnlyAShortPrefixOfTheHash() {
    String shown = SecretKey.of("abc").toString();
    assertEquals("SecretKey[ba7816bf…]", shown);
    assertFalse(shown.contains("abc"));
  }

  @Test
  void hexRoundTrips() {
    SecretKey key = SecretKey.of("a token");
    assertEquals(key, SecretKey.fromHex(key.hex()));
    SecretKey high = new SecretKey(-1L, Long.MIN_VALUE, 0L, 1L);
    assertEquals(high, SecretKey.fromHex(high.hex()));
  }

  @Test
  void fromHexRefusesWhatIsNotAKey() {
    assertThrows(IllegalArgumentException.class, () -> SecretKey.fromHex("abc"));
    assertThrows(IllegalArgumentException.class, () -> SecretKey.fromHex("z".repeat(64)));
  }
}
