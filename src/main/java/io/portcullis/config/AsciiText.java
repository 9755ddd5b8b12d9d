package io.portcullis.config;

/**
 * The one character rule that client ids, redirect URIs and route paths share: printable ASCII
 * without space (RFC 6749's VSCHAR less the space), so what the config holds compares as the plain string a
 * request sends.
 */
final class AsciiText {
  private AsciiText() {}

  /** Non-empty, and every character between {@code !} and {@code ~}. */
  static boolean isVisible(String s) {
    return !s.isEmpty() && s.chars().allMatch(c -> c > 0x20 && c < 0x7f);
  }
}
