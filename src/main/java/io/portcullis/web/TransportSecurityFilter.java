package io.portcullis.web;

import io.portcullis.config.Cidr;
import io.portcullis.config.TransportSettings;
import io.portcullis.oauth.OAuthException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * The first filter on every request: who is calling, and over what (RFC 6749 §1.6, §10.9).
 *
 * <ul>
 *   <li><b>Client address and scheme.</b> The connection's, unless it comes from one of
 *       {@code trustedProxies}: then the headers those proxies set say them — {@code X-Forwarded-For},
 *       {@code X-Forwarded-Proto} and {@code X-Forwarded-Port}, or with {@code "forwardedHeader":
 *       "Forwarded"} the RFC 7239 header, never both kinds (a proxy passes the other kind on from
 *       the client untouched). The client is the rightmost forwarded address that is not itself a
 *       trusted proxy; the scheme is what the nearest proxy says. Headers from anyone else are
 *       ignored, so a client cannot choose its own address for throttling.
 *       What follows sees them as {@link HttpServletRequest#getRemoteAddr()},
 *       {@code getScheme()}, {@code isSecure()} and {@code getServerPort()}.
 *   <li><b>{@code requireHttps}</b> (on by default): an OAuth request or a bearer-guarded request
 *       that did not arrive over TLS is refused with 400 {@code invalid_request} — a page at the
 *       authorization endpoint, JSON elsewhere — before any credential in it is looked at. A
 *       request from this machine to a loopback address, with no forwarding header at all (a
 *       try-out on one machine), is let through; a proxy on the same machine that forwards is
 *       refused unless it is a trusted proxy and says the client used TLS.
 *   <li><b>{@code Strict-Transport-Security}</b> on every response to a request that came over
 *       TLS.
 * </ul>
 * Public routes and the metadata document are answered over plain HTTP too (load-balancer probes).
 */
public final class TransportSecurityFilter extends HttpFilter {

  static final String HSTS = "max-age=31536000";

  private final transient TransportSettings settings;
  private final transient Responses responses;
  /** Paths answered over plain HTTP as well: public routes, metadata. */
  private final transient Predicate<String> plainHttpAllowed;
  /** The token, introspection and revocation endpoints: refused with their JSON. */
  private final java.util.Set<String> backChannelPaths;

  TransportSecurityFilter(TransportSettings settings, Responses responses, Predicate<String> plainHttpAllowed,
      java.util.Set<String> backChannelPaths) {
    this.settings = settings;
    this.responses = responses;
    this.plainHttpAllowed = plainHttpAllowed;
    this.backChannelPaths = java.util.Set.copyOf(backChannelPaths);
  }

  @Override
  protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    Forwarding forwarding = settings.isTrustedProxy(request.getRemoteAddr()) ? Forwarding.of(request, settings)
        : null;
    HttpServletRequest seen = forwarding == null ? request : new ForwardedRequest(request, forwarding);
    if (seen.isSecure()) {
      response.setHeader("Strict-Transport-Security", HSTS);
    } else if (settings.requireHttps() && !isLocalTryOut(request, forwarding)
        && !plainHttpAllowed.test(BearerTokenFilter.pathWithinContext(request))) {
      refuse(request, response);
      return;
    }
    chain.doFilter(seen, response);
  }

  private void refuse(HttpServletRequest request, HttpServletResponse response) throws IOException {
    if (request.getContentLengthLong() != 0 || request.getHeader("Transfer-Encoding") != null) {
      // Refused before its body is read, which the container may then close the connection over:
      // say so, or a client reusing the connection for its next request finds it gone.
      response.setHeader("Connection", "close");
    }
    String description = "this server accepts OAuth requests and access tokens over HTTPS only";
    String path = BearerTokenFilter.pathWithinContext(request);
    if (AuthorizeServlet.PATH.equals(path)) {
      responses.errorPage(response, 400, "invalid_request", description);
    } else if (backChannelPaths.contains(path)) {
      responses.tokenError(response, OAuthException.invalidRequest(description));
    } else {
      responses.bearerError(response, OAuthException.invalidRequest(description)); // RFC 6750 §3.1
    }
  }

  /** A request from this machine to a loopback address that nobody forwarded. */
  private static boolean isLocalTryOut(HttpServletRequest request, Forwarding forwarding) {
    return forwarding == null && isLoopback(request.getLocalAddr()) && isLoopback(request.getRemoteAddr())
        && request.getHeader("Forwarded") == null && request.getHeader("X-Forwarded-For") == null
        && request.getHeader("X-Forwarded-Proto") == null && request.getHeader("X-Real-IP") == null;
  }

  static boolean isLoopback(String address) {
    if (address == null) {
      return false;
    }
    if (address.equals("127.0.0.1") || address.equals("0:0:0:0:0:0:0:1") || address.equals("::1")) {
      return true; // what containers give for loopback: no parsing for every request tried out locally
    }
    try {
      byte[] bytes = Cidr.parse(address).network();
      return bytes.length == 4 ? bytes[0] == 127 : java.util.Arrays.equals(bytes, LOOPBACK_V6);
    } catch (IllegalArgumentException notAnAddress) {
      return false;
    }
  }

  private static final byte[] LOOPBACK_V6 = new byte[16];

  static {
    LOOPBACK_V6[15] = 1;
  }

  /** What trusted proxies say of the client: its address, the scheme and port it used. */
  record Forwarding(String clientAddress, String scheme, int port) {

    static Forwarding of(HttpServletRequest request, TransportSettings settings) {
      List<String> addresses = new ArrayList<>();
      List<String> protos = new ArrayList<>();
      if (TransportSettings.FORWARDED.equals(settings.forwardedHeader())) {
        List<String> forwarded = Collections.list(request.getHeaders("Forwarded"));
        for (String element : String.join(",", forwarded).split(",")) {
          String forAddress = null;
          String proto = null;
          for (String pair : element.split(";")) {
            int eq = pair.indexOf('=');
            if (eq < 0) {
              continue;
            }
            String name = pair.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = unquote(pair.substring(eq + 1).trim());
            if (name.equals("for")) {
              forAddress = withoutPort(value);
            } else if (name.equals("proto")) {
              proto = value;
            }
          }
          addresses.add(forAddress);
          protos.add(proto);
        }
      } else {
        for (String header : Collections.list(request.getHeaders("X-Forwarded-For"))) {
          for (String address : header.split(",")) {
            addresses.add(withoutPort(address.trim()));
          }
        }
        for (String header : Collections.list(request.getHeaders("X-Forwarded-Proto"))) {
          for (String proto : header.split(",")) {
            protos.add(proto.trim());
          }
        }
      }
      // Right to left: every hop a trusted proxy added, until the first address it vouches for.
      String client = request.getRemoteAddr();
      for (int i = addresses.size() - 1; i >= 0; i--) {
        String address = addresses.get(i);
        if (address == null || !isAddress(address)) {
          break; // "unknown", an obfuscated name: nothing to trust beyond this hop
        }
        client = address;
        if (!settings.isTrustedProxy(address)) {
          break;
        }
      }
      String scheme = request.getScheme();
      for (int i = protos.size() - 1; i >= 0; i--) {
        String proto = protos.get(i) == null ? null : protos.get(i).toLowerCase(Locale.ROOT);
        if ("https".equals(proto) || "http".equals(proto)) {
          scheme = proto;
          break;
        }
      }
      int port = port(request, scheme, TransportSettings.X_FORWARDED.equals(settings.forwardedHeader()));
      return new Forwarding(client, scheme, port);
    }

    /** X-Forwarded-Port (with that kind of header), else the Host header's port, else the scheme's default. */
    private static int port(HttpServletRequest request, String scheme, boolean xForwarded) {
      String forwardedPort = xForwarded ? request.getHeader("X-Forwarded-Port") : null;
      if (forwardedPort != null && forwardedPort.trim().matches("[0-9]{1,5}")) {
        return Integer.parseInt(forwardedPort.trim());
      }
      String host = request.getHeader("Host");
      if (host != null) {
        int colon = host.lastIndexOf(':');
        if (colon > host.lastIndexOf(']') && host.substring(colon + 1).matches("[0-9]{1,5}")) {
          return Integer.parseInt(host.substring(colon + 1));
        }
      }
      return "https".equals(scheme) ? 443 : 80;
    }

    private static boolean isAddress(String value) {
      try {
        Cidr.parse(value);
        return true;
      } catch (IllegalArgumentException e) {
        return false;
      }
    }

    private static String unquote(String value) {
      return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
          ? value.substring(1, value.length() - 1) : value;
    }

    /** {@code 192.0.2.1:4711} → {@code 192.0.2.1}; {@code [2001:db8::1]:4711} → {@code 2001:db8::1}. */
    private static String withoutPort(String value) {
      if (value.startsWith("[")) {
        int close = value.indexOf(']');
        return close < 0 ? value : value.substring(1, close);
      }
      int colon = value.indexOf(':');
      return colon >= 0 && value.indexOf(':', colon + 1) < 0 ? value.substring(0, colon) : value;
    }
  }

  /** The request as the client sent it to the first trusted proxy. */
  private static final class ForwardedRequest extends HttpServletRequestWrapper {
    private final Forwarding forwarding;

    ForwardedRequest(HttpServletRequest request, Forwarding forwarding) {
      super(request);
      this.forwarding = forwarding;
    }

    @Override
    public String getRemoteAddr() {
      return forwarding.clientAddress();
    }

    @Override
    public String getRemoteHost() {
      return forwarding.clientAddress();
    }

    @Override
    public String getScheme() {
      return forwarding.scheme();
    }

    @Override
    public boolean isSecure() {
      return "https".equals(forwarding.scheme());
    }

    @Override
    public int getServerPort() {
      return forwarding.port();
    }
  }
}
