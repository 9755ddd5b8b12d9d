package io.portcullis.web;

import com.google.gson.JsonObject;
import io.portcullis.config.OperationsSettings;
import io.portcullis.config.OperationsSettings.Operator;
import io.portcullis.oauth.IncidentRevocation;
import io.portcullis.oauth.OAuthException;
import io.portcullis.oauth.OperatorAuthenticator;
import io.portcullis.oauth.Parameters;
import io.portcullis.oauth.RequestContext;
import io.portcullis.store.StoreUnavailableException;
import io.portcullis.store.TokenStore;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The operations endpoints below {@code operations.path}: {@code health/live} and
 * {@code health/ready} for load balancers and probes (no credentials, nothing about the config or
 * its secrets), {@code metrics} (Prometheus text; an operator with the {@code metrics} role unless
 * {@code metricsPublic}) and {@code admin/revoke} (an operator with the {@code admin} role).
 */
final class OperationsServlet extends HttpServlet {

  static final String LIVE = "/health/live";
  static final String READY = "/health/ready";
  static final String METRICS = "/metrics";
  static final String REVOKE = "/admin/revoke";

  private final transient OperationsSettings settings;
  private final transient OperatorAuthenticator operators;
  private final transient TokenStore store;
  /** The Prometheus text of the metrics, or {@code null} where none are kept. */
  private final transient Supplier<String> scrape;
  private final transient IncidentRevocation incidents;
  /** Whether a client id is registered in the config in force (said in the answer: a typo is seen). */
  private final transient Predicate<String> registered;
  private final Duration bodyTimeout;
  private final String realm;

  OperationsServlet(OperationsSettings settings, OperatorAuthenticator operators, TokenStore store,
      Supplier<String> scrape, IncidentRevocation incidents, Predicate<String> registered, Duration bodyTimeout,
      String realm) {
    this.settings = settings;
    this.operators = operators;
    this.store = store;
    this.scrape = scrape;
    this.incidents = incidents;
    this.registered = registered;
    this.bodyTimeout = bodyTimeout;
    this.realm = realm;
  }

  /** Whether {@code path} (below the context) is one of the four operations endpoints. */
  static boolean isEndpoint(OperationsSettings settings, String path) {
    if (!path.startsWith(settings.path())) {
      return false;
    }
    String below = path.substring(settings.path().length());
    return below.equals(LIVE) || below.equals(READY) || below.equals(METRICS) || below.equals(REVOKE);
  }

  /** Paths below the context that load balancers may ask over plain HTTP: nothing secret in them. */
  static boolean isHealth(OperationsSettings settings, String path) {
    return path.equals(settings.path() + LIVE) || path.equals(settings.path() + READY);
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String path = BearerTokenFilter.pathWithinContext(request);
    String below = path.length() > settings.path().length() ? path.substring(settings.path().length()) : "";
    String method = request.getMethod();
    switch (below) {
      case LIVE -> {
        if (only(method, "GET", request, response)) {
          JsonObject body = new JsonObject();
          body.addProperty("status", "UP");
          JsonResponse.write(response, 200, body);
        }
      }
      case READY -> {
        if (only(method, "GET", request, response)) {
          ready(response);
        }
      }
      case METRICS -> {
        if (only(method, "GET", request, response) && scrape != null
            && (settings.metricsPublic() || operator(request, response, OperationsSettings.METRICS) != null)) {
          byte[] text = scrape.get().getBytes(StandardCharsets.UTF_8);
          response.setStatus(200);
          JsonResponse.noStore(response);
          response.setContentType("text/plain;version=0.0.4;charset=utf-8");
          response.setContentLength(text.length);
          response.getOutputStream().write(text);
        } else if (scrape == null && isGet(method)) {
          notFound(response);
        }
      }
      case REVOKE -> {
        if (only(method, "POST", request, response)) {
          Operator operator = operator(request, response, OperationsSettings.ADMIN);
          if (operator != null) {
            BodyReader.read(request, response, bodyTimeout, body -> revoke(request, response, body, operator),
                problem -> JsonResponse.write(response, problem.status(), JsonResponse.errorBody(problem)));
          }
        }
      }
      default -> notFound(response);
    }
  }

  /** Ready when the config is in force (it is, or this servlet would not answer) and the store answers. */
  private void ready(HttpServletResponse response) throws IOException {
    String storeState;
    try {
      store.ping();
      storeState = "UP";
    } catch (RuntimeException e) {
      storeState = "DOWN";
    }
    JsonObject checks = new JsonObject();
    checks.addProperty("config", "UP");
    checks.addProperty("store", storeState);
    JsonObject body = new JsonObject();
    boolean up = storeState.equals("UP");
    body.addProperty("status", up ? "UP" : "DOWN");
    body.add("checks", checks);
    JsonResponse.write(response, up ? 200 : 503, body);
  }

  /** The operator of the request's Basic credentials, who has {@code role}; {@code null} once refused. */
  private Operator operator(HttpServletRequest request, HttpServletResponse response, String role) throws IOException {
    try {
      return operators.authenticate(request.getHeader("Authorization"), role, request.getRemoteAddr());
    } catch (OAuthException e) {
      if (e.status() == 401) {
        response.setHeader("WWW-Authenticate", "Basic realm=\"" + realm + " operations\", charset=\"UTF-8\"");
      }
      if (e.status() == 429 || e.status() == 503) {
        response.setHeader("Retry-After", Long.toString(Math.max(1, e.retryAfterSeconds())));
      }
      JsonResponse.write(response, e.status(), JsonResponse.errorBody(e));
      return null;
    }
  }

  /** {@code admin/revoke}: {@code client_id=…} or {@code username=…}, exactly one of them. */
  private void revoke(HttpServletRequest request, HttpServletResponse response, byte[] body, Operator operator)
      throws IOException {
    try {
      Parameters form = RequestParameters.body(request, body, false);
      form.rejectRepeated();
      if (!java.util.Set.of("client_id", "username").containsAll(form.names())) {
        // A typo (usrname=…) beside the other one must not revoke that other alone.
        throw OAuthException.invalidRequest("the request has a parameter other than client_id and username; give "
            + "exactly one of them");
      }
      String clientId = form.get("client_id");
      String username = form.get("username");
      if ((clientId == null) == (username == null)) {
        throw OAuthException.invalidRequest("give exactly one of client_id (everything of that client) and "
            + "username (everything that user approved)");
      }
      IncidentRevocation.Revoked revoked = clientId != null
          ? incidents.revokeClient(clientId, operator.username(), request.getRemoteAddr())
          : incidents.revokeUser(username, operator.username(), request.getRemoteAddr());
      JsonObject answer = new JsonObject();
      answer.addProperty("revoked", clientId != null ? "client" : "user");
      if (clientId != null) {
        answer.addProperty("client_id", clientId);
        answer.addProperty("registered", registered.test(clientId));
      } else {
        answer.addProperty("username", username);
      }
      answer.addProperty("cutoff", revoked.cutoff().toString());
      answer.addProperty("remembered_until", revoked.rememberedUntil().toString());
      JsonResponse.write(response, 200, answer);
    } catch (OAuthException e) {
      JsonResponse.write(response, e.status(), JsonResponse.errorBody(e));
    } catch (StoreUnavailableException e) {
      System.getLogger(OperationsServlet.class.getName()).log(System.Logger.Level.ERROR,
          RequestContext.tag() + "incident revocation refused: store unavailable: " + e.getMessage());
      JsonResponse.write(response, 503, JsonResponse.errorBody(OAuthException.temporarilyUnavailable(
          "the store is unavailable, so nothing was revoked; try again in a moment")));
    }
  }

  /**
   * Whether {@code method} is the one {@code allowed} here, else a JSON 405. Where GET is, HEAD is
   * too (RFC 9110 §9.3.2: load balancers probe with it): the same answer, whose body the container
   * leaves out.
   */
  private static boolean only(String method, String allowed, HttpServletRequest request,
      HttpServletResponse response) throws IOException {
    if (method.equals(allowed) || allowed.equals("GET") && isGet(method)) {
      return true;
    }
    response.setHeader("Allow", allowed.equals("GET") ? "GET, HEAD" : allowed);
    JsonResponse.write(response, 405, JsonResponse.errorBody(OAuthException.of("method_not_allowed", 405,
        "use " + allowed + " here")));
    return false;
  }

  private static boolean isGet(String method) {
    return method.equals("GET") || method.equals("HEAD");
  }

  private static void notFound(HttpServletResponse response) throws IOException {
    JsonResponse.write(response, 404, JsonResponse.errorBody(OAuthException.of("not_found", 404,
        "no such operations endpoint; see the README, \"Operating Portcullis\"")));
  }

}
