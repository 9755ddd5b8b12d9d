package io.portcullis.web;

import com.google.gson.JsonObject;
import io.portcullis.oauth.OAuthException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The bearer filter's refusals (RFC 6750 §3): a {@code WWW-Authenticate: Bearer realm="…"}
 * challenge with the error, its description and the scope a route needs, and the same as JSON.
 * Kept apart from {@link Responses} so the guard plugin carries no pages.
 */
final class BearerChallenge {

  private final String realm;

  BearerChallenge(String realm) {
    this.realm = realm;
  }

  void send(HttpServletResponse response, OAuthException e) throws IOException {
    if (e.status() == 401 || e.status() == 403 || e.status() == 400) {
      StringBuilder challenge = new StringBuilder("Bearer realm=\"").append(realm).append('"');
      if (e.error() != null) {
        challenge.append(", error=\"").append(e.error()).append('"')
            .append(", error_description=\"").append(e.description()).append('"');
      }
      if (e.requiredScope() != null) {
        challenge.append(", scope=\"").append(e.requiredScope()).append('"');
      }
      response.setHeader("WWW-Authenticate", challenge.toString());
    }
    JsonObject body = e.error() == null ? new JsonObject() : JsonResponse.errorBody(e);
    if (e.error() == null) {
      body.addProperty("error_description", e.description());
    }
    JsonResponse.write(response, e.status(), body);
  }
}
