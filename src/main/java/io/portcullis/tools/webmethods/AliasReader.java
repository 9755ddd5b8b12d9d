package io.portcullis.tools.webmethods;

import static io.portcullis.tools.webmethods.GatewayValues.bool;
import static io.portcullis.tools.webmethods.GatewayValues.object;
import static io.portcullis.tools.webmethods.GatewayValues.or;
import static io.portcullis.tools.webmethods.GatewayValues.text;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads an archive's {@code Alias.<id>} entry. Only the {@code local} alias of type
 * {@code authServerAlias} matters: it is webMethods's own authorization server, whose token
 * lifetimes, PKCE switch and scope descriptions become Portcullis's top-level settings. Other
 * aliases (endpoints, external authorization servers) say nothing about the clients.
 */
final class AliasReader {
  private AliasReader() {}

  /** @return the local alias's settings, or null for any other alias */
  static LocalAlias read(JsonObject alias) {
    if (!"authServerAlias".equalsIgnoreCase(text(alias, "type"))
        || !StrategyReader.LOCAL.equals(text(alias, "name"))) {
      return null;
    }
    JsonObject generator = object(alias, "tokenGeneratorConfig");
    Map<String, String> descriptions = new LinkedHashMap<>();
    JsonElement scopes = alias.get("scopes");
    if (scopes != null && scopes.isJsonArray()) {
      for (JsonElement scope : scopes.getAsJsonArray()) {
        if (scope.isJsonObject()) {
          String name = text(scope.getAsJsonObject(), "name");
          String description = text(scope.getAsJsonObject(), "description");
          if (name != null && description != null) {
            descriptions.putIfAbsent(name, description);
          }
        }
      }
    }
    return new LocalAlias(
        or(text(generator, "accessTokenExpInterval"), text(alias, "accessTokenExpInterval")),
        or(text(generator, "authCodeExpInterval"), text(alias, "authCodeExpInterval")),
        or(bool(generator, "enforcePKCE"), bool(alias, "enforcePKCE")),
        descriptions);
  }
}
