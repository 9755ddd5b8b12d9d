package io.portcullis.web;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.portcullis.config.ClientRegistration;
import io.portcullis.config.PortcullisConfig;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * RFC 8414 authorization server metadata at {@code /.well-known/oauth-authorization-server},
 * relative to the context path. It states exactly what this deployment accepts.
 */
final class MetadataServlet extends HttpServlet {

  static final String PATH = "/.well-known/oauth-authorization-server";

  private final transient PortcullisConfig config;
  private final transient Issuer issuer;

  MetadataServlet(PortcullisConfig config, Issuer issuer) {
    this.config = config;
    this.issuer = issuer;
  }

  /** GET (and HEAD); anything else a JSON 405 of its own, not the container's error page. */
  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws jakarta.servlet.ServletException, IOException {
    String method = request.getMethod();
    if ("GET".equals(method) || "HEAD".equals(method)) {
      super.service(request, response);
      return;
    }
    response.setHeader("Allow", "GET, HEAD");
    JsonResponse.write(response, 405, JsonResponse.errorBody(
        io.portcullis.oauth.OAuthException.of("invalid_request", 405, "the metadata document answers GET only")));
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
    // The issuer is this deployment's public URL (configured, or the one the request came to),
    // so the endpoints are below it.
    String base = issuer.of(request);
    String endpoints = base;
    JsonObject metadata = new JsonObject();
    metadata.addProperty("issuer", base);
    metadata.addProperty("authorization_endpoint", endpoints + AuthorizeServlet.PATH);
    metadata.addProperty("token_endpoint", endpoints + TokenServlet.PATH);
    metadata.addProperty("introspection_endpoint", endpoints + IntrospectionServlet.PATH);
    metadata.addProperty("revocation_endpoint", endpoints + RevocationServlet.PATH);
    metadata.add("response_types_supported", strings(List.of("code")));
    metadata.add("response_modes_supported", strings(List.of("query")));
    TreeSet<String> grants = new TreeSet<>();
    TreeSet<String> scopes = new TreeSet<>();
    for (ClientRegistration client : config.clients().values()) {
      grants.addAll(client.grantTypes());
      scopes.addAll(client.scopes());
    }
    metadata.add("grant_types_supported", strings(grants));
    metadata.add("scopes_supported", strings(scopes));
    List<String> authMethods = List.of("client_secret_basic", "client_secret_post", "none");
    metadata.add("token_endpoint_auth_methods_supported", strings(authMethods));
    metadata.add("introspection_endpoint_auth_methods_supported", strings(authMethods));
    metadata.add("revocation_endpoint_auth_methods_supported", strings(authMethods));
    metadata.add("code_challenge_methods_supported", strings(new TreeSet<>(config.pkceMethods())));
    metadata.addProperty("authorization_response_iss_parameter_supported", true);
    JsonResponse.write(response, 200, metadata);
  }

  private static JsonArray strings(Collection<String> values) {
    JsonArray array = new JsonArray();
    values.forEach(array::add);
    return array;
  }
}
