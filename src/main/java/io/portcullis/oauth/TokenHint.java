package io.portcullis.oauth;

/**
 * {@code token_type_hint} of RFC 7009 and RFC 7662, in the standard spelling and in webMethods'
 * ({@code accessToken}, {@code refreshToken}). An unknown hint is ignored, as both RFCs allow.
 */
enum TokenHint {
  ACCESS_TOKEN,
  REFRESH_TOKEN,
  NONE;

  static TokenHint parse(String hint) {
    if (hint == null) {
      return NONE;
    }
    return switch (hint) {
      case "access_token", "accessToken" -> ACCESS_TOKEN;
      case "refresh_token", "refreshToken" -> REFRESH_TOKEN;
      default -> NONE;
    };
  }
}
