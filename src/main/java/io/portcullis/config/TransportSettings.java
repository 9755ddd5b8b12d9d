package io.portcullis.config;

import java.time.Duration;
import java.util.List;

/**
 * How requests reach Portcullis: whether OAuth requests must have come over TLS, and which
 * proxies in front may say, in {@code X-Forwarded-For}, {@code X-Forwarded-Proto} or
 * {@code Forwarded}, who the client is and which scheme it used.
 *
 * @param requireHttps   refuse OAuth requests and bearer tokens that did not arrive over TLS,
 *                       except requests a browser or client on this machine sent to a loopback
 *                       address directly
 * @param trustedProxies the only remote addresses whose forwarding headers count
 * @param requestBodyTimeout how long a client may take to send a whole request body; a slow
 *                       client holds no thread meanwhile
 * @param forwardedHeader which headers the trusted proxies set: {@link #X_FORWARDED}
 *                       ({@code X-Forwarded-For}, {@code -Proto}, {@code -Port}) or {@link #FORWARDED}
 *                       (RFC 7239); the other kind is ignored, since a proxy passes it on from the
 *                       client untouched
 */
public record TransportSettings(boolean requireHttps, List<Cidr> trustedProxies, Duration requestBodyTimeout,
    String forwardedHeader) {

  public static final String X_FORWARDED = "X-Forwarded-For";
  public static final String FORWARDED = "Forwarded";

  public TransportSettings {
    trustedProxies = List.copyOf(trustedProxies);
  }

  public static TransportSettings defaults() {
    return new TransportSettings(true, List.of(), Duration.ofSeconds(10), X_FORWARDED);
  }

  public boolean isTrustedProxy(String remoteAddress) {
    return trustedProxies.stream().anyMatch(block -> block.contains(remoteAddress));
  }
}
