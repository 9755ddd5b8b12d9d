package io.portcullis.oauth;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/** RFC 7617 HTTP Basic: what clients (RFC 6749 §2.3.1) and operators send in {@code Authorization}. */
final class BasicCredentials {
  private BasicCredentials() {}

  /**
   * The decoded {@code user:password} text of a Basic header, or {@code null} when the header
   * uses another scheme.
   *
   * @throws IllegalArgumentException when the credentials are not base64 of UTF-8 text
   */
  static String text(String authorization) {
    String trimmed = authorization.trim();
    if (trimmed.length() < 6 || !trimmed.substring(0, 6).toLowerCase(Locale.ROOT).equals("basic ")) {
      return null;
    }
    try {
      byte[] raw = Base64.getDecoder().decode(trimmed.substring(6).trim());
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(raw)).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("not UTF-8", e);
    }
  }
}
