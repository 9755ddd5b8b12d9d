package io.portcullis.web;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;

/**
 * Stands in for the gateway's own routes in the stand-alone WAR: answers every request that the
 * {@link BearerTokenFilter} let through with what the filter learned about the caller, so an
 * operator can see a token work end to end. A gateway maps its own servlets instead.
 */
final class RouteEchoServlet extends HttpServlet {

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
    // Written directly, as Gson would write the same object: this answers every routed request.
    StringBuilder body = new StringBuilder(160).append("{\"path\":");
    JsonResponse.quote(body, BearerTokenFilter.pathWithinContext(request)).append(",\"method\":");
    JsonResponse.quote(body, request.getMethod());
    Object clientId = request.getAttribute(BearerTokenFilter.CLIENT_ID);
    if (clientId == null) {
      body.append(",\"public\":true");
    } else {
      JsonResponse.quote(body.append(",\"client_id\":"), (String) clientId).append(",\"username\":");
      String username = (String) request.getAttribute(BearerTokenFilter.USERNAME);
      if (username == null) {
        body.append("null");
      } else {
        JsonResponse.quote(body, username);
      }
      body.append(",\"scopes\":[");
      @SuppressWarnings("unchecked")
      Set<String> held = (Set<String>) request.getAttribute(BearerTokenFilter.SCOPES);
      String separator = "";
      for (String scope : new TreeSet<>(held)) {
        JsonResponse.quote(body.append(separator), scope);
        separator = ",";
      }
      body.append(']');
    }
    JsonResponse.write(response, 200, body.append('}').toString());
  }
}
