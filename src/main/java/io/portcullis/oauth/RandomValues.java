package io.portcullis.oauth;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Unguessable values: codes, tokens, transaction ids, CSRF tokens and grant ids. */
public final class RandomValues {
  private static final HexFormat HEX = HexFormat.of();
  private final SecureRandom random = new SecureRandom();

  /** 256 random bits as 64 lowercase hex characters (the seed's token format). */
  public String token() {
    return hex(32);
  }

  /** 160 random bits as 40 lowercase hex characters (RFC 6749 §10.10: SHOULD be 2^-160 to guess). */
  public String code() {
    return hex(20);
  }

  public long grantId() {
    return random.nextLong();
  }

  private String hex(int bytes) {
    byte[] value = new byte[bytes];
    random.nextBytes(value);
    return HEX.formatHex(value);
  }
}
