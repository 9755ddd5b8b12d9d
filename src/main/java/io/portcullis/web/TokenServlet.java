package io.portcullis.web;

import io.portcullis.oauth.Parameters;
import io.portcullis.oauth.TokenService;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;

/**
 * {@code POST /invoke/pub.apigateway.oauth2/getAccessToken} (DESIGN 1.4): JSON or form body,
 * client authentication by Basic, body or (public clients) client_id alone. Also webMethods'
 * {@code POST /invoke/pub.oauth/refreshAccessToken}, which offers the refresh_token grant alone.
 */
final class TokenServlet extends BackChannelServlet {

  static final String PATH = "/invoke/pub.apigateway.oauth2/getAccessToken";
  static final String REFRESH_PATH = "/invoke/pub.oauth/refreshAccessToken";

  private final transient TokenService service;
  private final Set<String> offered;

  TokenServlet(TokenService service, Responses responses, Set<String> offered,
      java.time.Duration bodyTimeout, java.util.function.BiConsumer<String, String> outcomes) {
    super(responses, "token", bodyTimeout, outcomes);
    this.service = service;
    this.offered = Set.copyOf(offered);
  }

  @Override
  protected void answer(HttpServletRequest request, HttpServletResponse response, String authorization,
      Parameters body) throws IOException {
    responses.token(response, service.exchange(authorization, body, offered, request.getRemoteAddr()));
  }
}
