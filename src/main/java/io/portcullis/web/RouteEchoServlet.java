package io.portcullis.web;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
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
    JsonObject body = new JsonObject();
    body.addProperty("path", BearerTokenFilter.pathWithinContext(request));
    body.addProperty("method", request.getMethod());
    Object clientId = request.getAttribute(BearerTokenFilter.CLIENT_ID);
    if (clientId == null) {
      body.addProperty("public", true);
    } else {
      body.addProperty("client_id", (String) clientId);
      body.addProperty("username", (String) request.getAttribute(BearerTokenFilter.USERNAME));
      JsonArray scopes = new JsonArray();
      @SuppressWarnings("unchecked")
      Set<String> held = (Set<String>) request.getAttribute(BearerTokenFilter.SCOPES);
      new TreeSet<>(held).forEach(scopes::add);
      body.add("scopes", scopes);
    }
    JsonResponse.write(response, 200, body);
  }
}
