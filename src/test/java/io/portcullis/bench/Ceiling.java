package io.portcullis.bench;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.servlet.ServletMapping;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The do-nothing ceiling of the load benchmark (issue 12): one trivial servlet in an embedded
 * Jetty 12 (ee10) like the one the WAR runs in, in the same JVM, that answers a flow's three
 * requests and the two routes with what Portcullis answered once, replayed.
 *
 * <p>It is built from a transcript ({@link RawHttp#transcript}) of one complete flow and the route
 * requests against a real deployment, taken at start-up, so its pages keep the size and shape of
 * Portcullis's when those change: the same status, the same header lines (but those Jetty writes
 * itself: {@code Date}, {@code Server}, {@code Content-Length}, {@code Transfer-Encoding},
 * {@code Connection}) and the same body bytes. What differs per request is only what the flow
 * driver checks: the approval page's {@code transaction_id} carries the request's {@code state}
 * (in a value of the same length), which the approval's redirect then echoes in the captured
 * {@code Location}; the code and the token are the captured ones. POST bodies are read as form
 * parameters, as Portcullis reads them; nothing is checked, stored, hashed or rendered.
 */
final class Ceiling implements AutoCloseable {

  /** Header lines not replayed: Jetty writes them itself (or, for Location, the servlet does). */
  private static final Set<String> OWN_HEADERS =
      Set.of("date", "server", "content-length", "transfer-encoding", "connection", "keep-alive", "location");
  private static final String TRANSACTION_FIELD = "name=\"transaction_id\" value=\"";

  /** One captured answer: status, header lines to replay, body bytes. */
  private record Reply(int status, List<String[]> headers, String contentType, byte[] body) {
    static Reply of(RawHttp.Exchange exchange) {
      List<String[]> headers = new ArrayList<>();
      String contentType = null;
      for (String line : exchange.headers()) {
        int colon = line.indexOf(':');
        String name = line.substring(0, colon).trim();
        String value = line.substring(colon + 1).trim();
        if (name.equalsIgnoreCase("content-type")) {
          contentType = value;
        } else if (!OWN_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
          headers.add(new String[] {name, value});
        }
      }
      return new Reply(exchange.status(), List.copyOf(headers), contentType,
          exchange.body() == null ? new byte[0] : exchange.body().getBytes(StandardCharsets.UTF_8));
    }

    /** {@code replace}: set each header, replacing what a filter in front may have set already. */
    void head(HttpServletResponse response, boolean replace) {
      response.setStatus(status);
      for (String[] header : headers) {
        if (replace) {
          response.setHeader(header[0], header[1]);
        } else {
          response.addHeader(header[0], header[1]);
        }
      }
      if (contentType != null) {
        response.setContentType(contentType);
      }
      response.setContentLength(body.length);
    }

    void write(HttpServletResponse response, boolean replace) throws IOException {
      head(response, replace);
      response.getOutputStream().write(body);
    }
  }

  private final Server jetty;
  private final String baseUrl;

  private Ceiling(Server jetty, String baseUrl) {
    this.jetty = jetty;
    this.baseUrl = baseUrl;
  }

  /**
   * Starts the ceiling on a free loopback port from a transcript of, in this order: the authorize
   * page, the approval, the token request, a guarded request with the token, one without, and a
   * public request.
   */
  static Ceiling start(List<RawHttp.Exchange> transcript) throws Exception {
    if (transcript.size() != 6) {
      throw new IllegalArgumentException("the ceiling needs 6 captured exchanges, not " + transcript.size());
    }
    Server jetty = new Server(0);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServlet(new ServletHolder(new Replay(transcript, false)), "/*");
    jetty.setHandler(context);
    try {
      jetty.start();
    } catch (Exception e) {
      jetty.stop();
      throw e;
    }
    int port = ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
    return new Ceiling(jetty, "http://127.0.0.1:" + port);
  }

  String baseUrl() {
    return baseUrl;
  }

  /**
   * Puts the replay of {@code transcript} in a running Portcullis webapp (context path "/") in
   * place of the OAuth endpoints of the captured flow — the authorize and token paths — so that
   * the ceiling's answers come through the same container, the webapp's handlers and Portcullis's
   * filters. The routes stay Portcullis's own.
   */
  static void replaceEndpoints(ServletContextHandler webapp, List<RawHttp.Exchange> transcript) {
    if (!"/".equals(webapp.getContextPath()) && !webapp.getContextPath().isEmpty()) {
      throw new IllegalArgumentException("the replay maps the captured paths as they are: context path / only");
    }
    Set<String> paths = new HashSet<>();
    for (int i = 0; i < 3; i++) { // the page, the approval, the token
      paths.add(route(transcript.get(i).requestLine()).split(" ")[1]);
    }
    ServletHandler handler = webapp.getServletHandler();
    ServletHolder replay = new ServletHolder("ceiling-replay", new Replay(transcript, true));
    replay.setAsyncSupported(true); // as the endpoints it stands in for
    handler.addServlet(replay);
    List<ServletMapping> mappings = new ArrayList<>();
    for (ServletMapping mapping : handler.getServletMappings()) {
      String[] kept = Arrays.stream(mapping.getPathSpecs()).filter(spec -> !paths.contains(spec))
          .toArray(String[]::new);
      if (kept.length > 0) {
        mapping.setPathSpecs(kept);
        mappings.add(mapping);
      }
    }
    ServletMapping replayed = new ServletMapping();
    replayed.setServletName(replay.getName());
    replayed.setPathSpecs(paths.toArray(String[]::new));
    mappings.add(replayed);
    handler.setServletMappings(mappings.toArray(ServletMapping[]::new));
    for (String path : paths) {
      if (handler.getMappedServlet(path) == null
          || handler.getMappedServlet(path).getServletHolder() != replay) {
        throw new IllegalStateException("the replay did not take over " + path);
      }
    }
  }

  @Override
  public void close() throws Exception {
    jetty.stop();
  }

  /** "GET /path?query HTTP/1.1" -> "GET /path". */
  private static String route(String requestLine) {
    String[] parts = requestLine.split(" ");
    int q = parts[1].indexOf('?');
    return parts[0] + " " + (q < 0 ? parts[1] : parts[1].substring(0, q));
  }

  /** The one servlet: every answer prepared at start-up, written with a known length. */
  private static final class Replay extends HttpServlet {
    private final Map<String, Integer> routes = new HashMap<>();
    private final Reply page;
    private final int transactionAt;
    private final int transactionLength;
    private final Reply approved;
    private final String locationBeforeState;
    private final String locationAfterState;
    private final Reply token;
    private final Reply guarded;
    private final Reply denied;
    private final Reply open;

    /** Behind a webapp's filters: headers are set, so that one a filter set already is not doubled. */
    private final boolean behindFilters;

    Replay(List<RawHttp.Exchange> t, boolean behindFilters) {
      this.behindFilters = behindFilters;
      for (int i = 0; i < t.size(); i++) {
        routes.putIfAbsent(route(t.get(i).requestLine()), i);
      }
      if (routes.size() != 5) { // the guarded path is asked twice
        throw new IllegalArgumentException("the captured requests do not have 5 distinct routes: " + routes.keySet());
      }
      page = Reply.of(t.get(0));
      String html = t.get(0).body();
      int field = html.indexOf(TRANSACTION_FIELD);
      if (field < 0) {
        throw new IllegalArgumentException("the captured approval page has no transaction_id field");
      }
      String before = html.substring(0, field + TRANSACTION_FIELD.length());
      transactionAt = before.getBytes(StandardCharsets.UTF_8).length;
      transactionLength = html.indexOf('"', before.length()) - before.length();
      if (transactionLength < 18) { // a state of up to 16 hex digits, a dot, one more character
        throw new IllegalArgumentException("the captured transaction_id is too short to carry the state");
      }
      approved = Reply.of(t.get(1));
      String authorize = t.get(0).requestLine();
      int stateAt = authorize.indexOf("&state=") + "&state=".length();
      String state = authorize.substring(stateAt, authorize.indexOf('&', stateAt));
      String location = t.get(1).headers().stream().filter(h -> h.regionMatches(true, 0, "location:", 0, 9))
          .map(h -> h.substring(9).trim()).findFirst().orElseThrow(() -> new IllegalArgumentException(
              "the captured approval has no Location"));
      int echoed = location.indexOf("state=" + state);
      if (echoed < 0) {
        throw new IllegalArgumentException("the captured Location does not echo the state: " + location);
      }
      locationBeforeState = location.substring(0, echoed + "state=".length());
      locationAfterState = location.substring(echoed + "state=".length() + state.length());
      token = Reply.of(t.get(2));
      guarded = Reply.of(t.get(3));
      denied = Reply.of(t.get(4));
      open = Reply.of(t.get(5));
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
      Integer which = routes.get(request.getMethod() + " " + request.getRequestURI());
      switch (which == null ? -1 : which) {
        case 0 -> {
          // The page with this request's state in the transaction_id, padded to the captured length.
          String state = String.valueOf(request.getParameter("state"));
          byte[] body = page.body().clone();
          byte[] carried = (state + ".").getBytes(StandardCharsets.UTF_8);
          if (carried.length >= transactionLength) {
            response.sendError(400, "state too long for the ceiling");
            return;
          }
          System.arraycopy(carried, 0, body, transactionAt, carried.length);
          page.head(response, behindFilters);
          response.getOutputStream().write(body);
        }
        case 1 -> {
          String transaction = String.valueOf(request.getParameter("transaction_id"));
          int dot = transaction.indexOf('.');
          approved.head(response, behindFilters);
          response.setHeader("Location",
              locationBeforeState + transaction.substring(0, Math.max(0, dot)) + locationAfterState);
          response.getOutputStream().write(approved.body());
        }
        case 2 -> {
          request.getParameter("code"); // reads the form body, as the token endpoint does
          token.write(response, behindFilters);
        }
        case 3 -> {
          String authorization = request.getHeader("Authorization");
          (authorization != null && authorization.startsWith("Bearer ") ? guarded : denied).write(response, behindFilters);
        }
        case 5 -> open.write(response, behindFilters);
        default -> response.sendError(404);
      }
    }
  }
}
