package io.portcullis.web;

import io.portcullis.config.PortcullisConfig;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;

/**
 * The authorization server's issuer identifier (RFC 8414 §2): the config's {@code issuer}, or,
 * when it has none, the URL the request reached this deployment at (scheme, host, port, context).
 */
final class Issuer {

  private final String configured;

  Issuer(PortcullisConfig config) {
    this.configured = config.issuer().map(URI::toString).orElse(null);
  }

  String of(HttpServletRequest request) {
    if (configured != null) {
      return configured;
    }
    String scheme = request.getScheme();
    int port = request.getServerPort();
    boolean defaultPort = ("http".equals(scheme) && port == 80) || ("https".equals(scheme) && port == 443);
    return scheme + "://" + request.getServerName() + (defaultPort ? "" : ":" + port) + request.getContextPath();
  }
}
