package io.portcullis.web;

import com.google.gson.JsonObject;
import io.portcullis.oauth.IntrospectionService;
import io.portcullis.oauth.Parameters;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;

/**
 * RFC 7662 introspection at {@code /invoke/pub.apigateway.oauth2/introspectToken} and, for
 * clients written against webMethods, {@code /invoke/pub.oauth/introspectToken}.
 */
final class IntrospectionServlet extends BackChannelServlet {

  static final String PATH = "/invoke/pub.apigateway.oauth2/introspectToken";
  static final String WEBMETHODS_PATH = "/invoke/pub.oauth/introspectToken";

  private final transient IntrospectionService service;
  private final transient Issuer issuer;

  IntrospectionServlet(IntrospectionService service, Responses responses, Issuer issuer,
      java.time.Duration bodyTimeout, java.util.function.BiConsumer<String, String> outcomes) {
    super(responses, "introspection", bodyTimeout, outcomes);
    this.service = service;
    this.issuer = issuer;
  }

  @Override
  protected void answer(HttpServletRequest request, HttpServletResponse response, String authorization,
      Parameters body) throws IOException {
    JsonObject json = new JsonObject();
    for (Map.Entry<String, Object> member : service.introspect(authorization, body, issuer.of(request),
        request.getRemoteAddr()).entrySet()) {
      Object value = member.getValue();
      if (value instanceof Boolean b) {
        json.addProperty(member.getKey(), b);
      } else if (value instanceof Number n) {
        json.addProperty(member.getKey(), n);
      } else {
        json.addProperty(member.getKey(), (String) value);
      }
    }
    JsonResponse.write(response, 200, json);
  }
}
