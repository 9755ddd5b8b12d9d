package io.portcullis.web;

import io.portcullis.oauth.RequestContext;
import com.google.gson.JsonObject;
import io.portcullis.oauth.OAuthException;
import io.portcullis.oauth.Parameters;
import io.portcullis.store.StoreUnavailableException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * What the client-to-server endpoints share (token, introspection, revocation): POST only, the
 * parameters in a JSON or form body and never in the URL, one {@code Authorization} header at
 * most, and every error as RFC 6749 §5.2 JSON.
 */
abstract class BackChannelServlet extends HttpServlet {

  private static final System.Logger LOG = System.getLogger(BackChannelServlet.class.getName());

  protected final transient Responses responses;
  private final String endpoint;
  private final Duration bodyTimeout;
  /** Told each answer: the endpoint and {@code ok} or the RFC error code (metrics). */
  private final transient BiConsumer<String, String> outcomes;

  BackChannelServlet(Responses responses, String endpoint, Duration bodyTimeout,
      BiConsumer<String, String> outcomes) {
    this.responses = responses;
    this.endpoint = endpoint;
    this.bodyTimeout = bodyTimeout;
    this.outcomes = outcomes;
  }

  private void error(HttpServletResponse response, OAuthException e) throws IOException {
    outcomes.accept(endpoint, e.error());
    responses.tokenError(response, e);
  }

  /** Answers a request whose form has been checked; {@code authorization} may be {@code null}. */
  protected abstract void answer(HttpServletRequest request, HttpServletResponse response, String authorization,
      Parameters body) throws IOException;

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
    BodyReader.read(request, response, bodyTimeout, body -> answer(request, response, body),
        problem -> error(response, problem));
  }

  /** The whole body has arrived. */
  private void answer(HttpServletRequest request, HttpServletResponse response, byte[] body) throws IOException {
    try {
      String query = request.getQueryString();
      if (query != null && !query.isEmpty()) {
        // RFC 6749 2.3.1 and 4.1.3: secrets, codes and verifiers travel in the body only; in the URI
        // they would land in access logs and proxies (DESIGN 1.6).
        throw OAuthException.invalidRequest("send the " + endpoint + " request's parameters in the request body, "
            + "not in the URI (RFC 6749 sections 2.3.1 and 4.1.3)");
      }
      List<String> authorization = Collections.list(request.getHeaders("Authorization"));
      if (authorization.size() > 1) {
        throw OAuthException.invalidRequest("the request has more than one Authorization header");
      }
      answer(request, response, authorization.isEmpty() ? null : authorization.get(0),
          RequestParameters.body(request, body, true));
      outcomes.accept(endpoint, "ok");
    } catch (OAuthException e) {
      error(response, e);
    } catch (StoreUnavailableException e) {
      LOG.log(System.Logger.Level.ERROR, RequestContext.tag() + endpoint + " request refused: store unavailable: " + e.getMessage());
      error(response, OAuthException.temporarilyUnavailable(
          "the authorization server is temporarily unavailable; try again in a moment"));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, RequestContext.tag() + endpoint + " request failed unexpectedly", e);
      error(response, OAuthException.serverError("the authorization server failed; try again later"));
    }
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
    if (!"POST".equals(request.getMethod())) {
      // RFC 6749 §3.2, RFC 7009 §2.1, RFC 7662 §2.1: POST only.
      response.setHeader("Allow", "POST");
      JsonObject body = new JsonObject();
      body.addProperty("error", "invalid_request");
      body.addProperty("error_description", "the " + endpoint + " endpoint accepts only POST");
      JsonResponse.write(response, 405, body);
      return;
    }
    doPost(request, response);
  }
}
