package io.portcullis.web;

import io.portcullis.oauth.Parameters;
import io.portcullis.oauth.RevocationService;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * RFC 7009 revocation at {@code /invoke/pub.apigateway.oauth2/revokeToken} and webMethods'
 * {@code /invoke/pub.oauth/revokeToken}: 200 with an empty body, also for unknown tokens.
 */
final class RevocationServlet extends BackChannelServlet {

  static final String PATH = "/invoke/pub.apigateway.oauth2/revokeToken";
  static final String WEBMETHODS_PATH = "/invoke/pub.oauth/revokeToken";

  private final transient RevocationService service;

  RevocationServlet(RevocationService service, Responses responses, java.time.Duration bodyTimeout,
      java.util.function.BiConsumer<String, String> outcomes) {
    super(responses, "revocation", bodyTimeout, outcomes);
    this.service = service;
  }

  @Override
  protected void answer(HttpServletRequest request, HttpServletResponse response, String authorization,
      Parameters body) throws IOException {
    service.revoke(authorization, body, request.getRemoteAddr());
    response.setStatus(200);
    response.setHeader("Cache-Control", "no-store");
    response.setContentLength(0);
  }
}
