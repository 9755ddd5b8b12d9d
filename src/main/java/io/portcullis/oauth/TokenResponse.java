package io.portcullis.oauth;

/** A successful token response (RFC 6749 §5.1). */
public record TokenResponse(String accessToken, String tokenType, long expiresIn, String scope) {}
