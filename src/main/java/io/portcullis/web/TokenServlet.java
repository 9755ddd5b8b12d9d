package io.portcullis.web;

import com.google.gson.JsonObject;
import io.portcullis.oauth.OAuthException;
import io.portcullis.oauth.TokenService;
import io.portcullis.store.StoreUnavailableException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.List;

/**
 * {@code POST /invoke/pub.apigateway.oauth2/getAccessToken} (DESIGN 1.4): JSON or form body,
 * client authentication by Basic, body or (public clients) client_id alone.
 */
final class TokenServlet extends HttpServlet {

  static final String PATH = "/invoke/pub.apigateway.oauth2/getAccessToken";
  private static final System.Logger LOG = System.getLogger(TokenServlet.class.getName());

  private final transient TokenService service;
  private final transient Responses responses;

  TokenServlet(TokenService service, Responses responses) {
    this.service = service;
    this.responses = responses;
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
    try {
      String query = request.getQueryString();
      if (query != null && !query.isEmpty()) {
        // RFC 6749 2.3.1 and 4.1.3: secrets, codes and verifiers travel in the body only; in the URI
        // they would land in access logs and proxies (DESIGN 1.6).
        throw OAuthException.invalidRequest("send the token request's parameters in the request body, "
            + "not in the URI (RFC 6749 sections 2.3.1 and 4.1.3)");
      }
      List<String> authorization = Collections.list(request.getHeaders("Authorization"));
      if (authorization.size() > 1) {
        throw OAuthException.invalidRequest("the request has more than one Authorization header");
      }
      responses.token(response, service.exchange(
          authorization.isEmpty() ? null : authorization.get(0), RequestParameters.body(request, true)));
    } catch (OAuthException e) {
      responses.tokenError(response, e);
    } catch (StoreUnavailableException e) {
      LOG.log(System.Logger.Level.ERROR, "token request refused: store unavailable: " + e.getMessage());
      responses.tokenError(response, OAuthException.temporarilyUnavailable(
          "the authorization server is temporarily unavailable; try again in a moment"));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "token request failed unexpectedly", e);
      responses.tokenError(response, OAuthException.serverError("the authorization server failed; try again later"));
    }
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
    if (!"POST".equals(request.getMethod())) {
      // RFC 6749 §3.2: the token endpoint takes POST only.
      response.setHeader("Allow", "POST");
      JsonObject body = new JsonObject();
      body.addProperty("error", "invalid_request");
      body.addProperty("error_description", "the token endpoint accepts only POST");
      Responses.json(response, 405, body);
      return;
    }
    doPost(request, response);
  }
}
