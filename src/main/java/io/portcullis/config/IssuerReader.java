package io.portcullis.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * Reads {@code "issuer"}: the public URL that names this authorization server in metadata and in
 * {@code iss} (RFC 8414 §2).
 */
final class IssuerReader {
  private IssuerReader() {}

  /** @return the issuer without a trailing slash; empty when unset or invalid */
  static Optional<URI> read(JsonFields top, ConfigProblems problems) {
    String text = top.string("issuer", false);
    String path = top.at("issuer");
    if (text == null) {
      // Then the issuer comes from each request's Host header (and scheme), which the client
      // chooses: metadata and iss would name whatever host a request claims.
      problems.warn(path, "is not set, so metadata and iss name whatever host each request's Host header "
          + "claims; set issuer to this deployment's public URL in production");
      return Optional.empty();
    }
    try {
      URI uri = new URI(text);
      // RFC 8414 §2: https (http tolerated for local use), no query, no fragment.
      if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
          || uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
        problems.error(path, "must be an http(s) URL with a host and no query or fragment");
        return Optional.empty();
      }
      if ("http".equals(uri.getScheme()) && !isLoopback(uri.getHost())) {
        problems.warn(path, "is not https; OAuth 2.0 requires TLS outside local testing");
      }
      // One spelling everywhere (metadata, iss): endpoints are appended to it.
      return Optional.of(text.endsWith("/") ? new URI(text.substring(0, text.length() - 1)) : uri);
    } catch (URISyntaxException e) {
      problems.error(path, "not a valid URI: " + e.getReason());
      return Optional.empty();
    }
  }

  private static boolean isLoopback(String host) {
    return host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
  }
}
