package io.portcullis.tools.webmethods;

import static io.portcullis.tools.webmethods.GatewayValues.firstText;
import static io.portcullis.tools.webmethods.GatewayValues.firstTexts;
import static io.portcullis.tools.webmethods.GatewayValues.object;
import static io.portcullis.tools.webmethods.GatewayValues.or;
import static io.portcullis.tools.webmethods.GatewayValues.text;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads one application of an older gateway (10.1 era), where the OAuth credentials sit on the
 * application: {@code accessTokens.oauth2Token}, or before that {@code oauth_credentials} (on the
 * application or under {@code accessTokens}). These shapes name no grant types and no PKCE rule:
 * the client gets the code grant (with refresh unless the refresh limit is 0) and the global PKCE
 * switch.
 */
final class ApplicationReader {
  private ApplicationReader() {}

  /**
   * @param reportBare whether an application without OAuth credentials is listed as skipped (in an
   *                   archive of a newer gateway, its OAuth clients are strategies of their own)
   */
  static void read(JsonObject application, String where, Export export, boolean reportBare) throws ExportException {
    String label = StrategyReader.label(where, text(application, "name"));
    JsonObject tokens = object(application, "accessTokens");
    JsonObject credentials;
    String[] keys;
    if (tokens.get("oauth2Token") != null && tokens.get("oauth2Token").isJsonObject()) {
      credentials = tokens.getAsJsonObject("oauth2Token");
      keys = new String[] {"clientId", "clientName", "clientSecret", "expirationInterval", "redirectUris",
          "refreshCount", "scopes", "type"};
    } else if (legacy(application) != null || legacy(tokens) != null) {
      credentials = or(legacy(application), legacy(tokens));
      keys = new String[] {"clientID", "clientName", "clientSecret", "token_lifetime", "redirect_uris",
          "token_refresh_limit", "scopes", "Type"};
    } else {
      if (reportBare) {
        export.skip(label, "no OAuth credentials on the application");
      }
      return;
    }
    String clientId = text(credentials, keys[0]);
    if (clientId == null || clientId.isBlank()) {
      throw new ExportException(label + ": OAuth credentials without a client id (" + keys[0] + ")");
    }
    String refreshCount = text(credentials, keys[5]);
    String type = text(credentials, keys[7]);
    List<String> grants = new ArrayList<>(List.of("authorization_code"));
    export.add(new GatewayClient(label, clientId,
        or(text(credentials, keys[1]), text(application, "name")),
        type == null ? null : type.toLowerCase(Locale.ROOT),
        text(credentials, keys[2]),
        firstTexts(credentials, keys[4]),
        firstTexts(credentials, keys[6]),
        StrategyReader.withImpliedRefresh(grants, refreshCount, true),
        firstText(credentials, keys[3]),
        refreshCount,
        null));
  }

  private static JsonObject legacy(JsonObject holder) {
    return holder.get("oauth_credentials") != null && holder.get("oauth_credentials").isJsonObject()
        ? holder.getAsJsonObject("oauth_credentials") : null;
  }
}
