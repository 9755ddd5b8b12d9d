package io.portcullis.tools.webmethods;

import static io.portcullis.tools.webmethods.GatewayValues.bool;
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
 * Reads one authentication strategy, as {@code GET /rest/apigateway/strategies} answers it and as
 * an archive's {@code Strategy.<id>} entry holds it. An {@code OAUTH2} strategy of the
 * {@code local} authorization server is a client; its {@code dcrConfig} is what the operator
 * entered, and the read-only {@code clientRegistration} view answers the fields {@code dcrConfig}
 * lacks (older gateways fill only that one).
 */
final class StrategyReader {
  private StrategyReader() {}

  static final String LOCAL = "local";

  static void read(JsonObject strategy, String where, Export export) throws ExportException {
    String label = label(where, text(strategy, "name"));
    String type = text(strategy, "type");
    if (type == null || !type.equalsIgnoreCase("OAUTH2")) {
      export.skip(label, "a strategy of type " + (type == null ? "(none)" : ArchiveReader.safe(type))
          + ": only OAuth 2.0 strategies are imported (Portcullis issues OAuth 2.0 access tokens: no API keys, "
          + "JWT or OpenID Connect tokens)");
      return;
    }
    JsonObject dcr = object(strategy, "dcrConfig");
    JsonObject registration = object(strategy, "clientRegistration");
    String server = or(text(strategy, "authServerAlias"), text(dcr, "authServer"));
    if (server != null && !server.equals(LOCAL)) {
      export.skip(label, "its client is registered at the authorization server " + ArchiveReader.printable(server)
          + ", not at webMethods's own (local): it stays there");
      return;
    }
    if (Boolean.FALSE.equals(bool(registration, "enabled"))) {
      export.skip(label, "disabled in webMethods: importing it would enable it");
      return;
    }
    String clientId = or(text(dcr, "clientId"), text(registration, "clientId"));
    if (clientId == null || clientId.isBlank()) {
      throw new ExportException(label + ": an OAUTH2 strategy without a client id "
          + "(neither dcrConfig.clientId nor clientRegistration.clientId)");
    }
    String refreshCount = or(text(dcr, "refreshCount"), text(registration, "tokenRefreshLimit"));
    List<String> grantTypes = or(firstTexts(dcr, "allowedGrantTypes"), grantsFromFlags(registration, refreshCount));
    String clientType = or(text(dcr, "clientType"), text(registration, "type"));
    export.add(new GatewayClient(label, clientId,
        or(firstText(dcr, "clientName"), firstText(registration, "name", "clientName")),
        clientType == null ? null : clientType.toLowerCase(Locale.ROOT),
        or(text(dcr, "clientSecret"), text(registration, "clientSecret")),
        or(firstTexts(dcr, "redirectUris"), firstTexts(registration, "redirectUris")),
        or(firstTexts(dcr, "scopes"), firstTexts(registration, "clScopes", "scopes")),
        grantTypes,
        or(text(dcr, "expirationInterval"), text(registration, "tokenLifetime")),
        refreshCount,
        or(text(dcr, "pkceType"), text(registration, "pkceType"))));
  }

  /**
   * The grant booleans of {@code clientRegistration} as grant names; null when it has none. The
   * view has no refresh flag: refresh tokens come with codes unless the refresh limit is 0.
   */
  private static List<String> grantsFromFlags(JsonObject registration, String refreshCount) {
    List<String> grants = new ArrayList<>();
    boolean stated = false;
    String[][] flags = {{"authCodeAllowed", "authorization_code"}, {"implicitAllowed", "implicit"},
        {"clientCredentialsAllowed", "client_credentials"}, {"resourceOwnerAllowed", "password"}};
    for (String[] flag : flags) {
      Boolean allowed = bool(registration, flag[0]);
      stated |= allowed != null;
      if (Boolean.TRUE.equals(allowed)) {
        grants.add(flag[1]);
      }
    }
    return stated ? withImpliedRefresh(grants, refreshCount) : null;
  }

  /**
   * Where a strategy lists no grant types (the flags), the code grant implies refresh tokens when a
   * refresh limit other than 0 is stated.
   */
  static List<String> withImpliedRefresh(List<String> grants, String refreshCount) {
    return withImpliedRefresh(grants, refreshCount, false);
  }

  /**
   * @param unlessZero a 10.1 application, which has no grant types at all: refresh tokens come
   *                   with codes unless the refresh limit is stated as 0, also when none is stated
   */
  static List<String> withImpliedRefresh(List<String> grants, String refreshCount, boolean unlessZero) {
    boolean zero = refreshCount != null && refreshCount.trim().equals("0");
    if (grants.contains("authorization_code") && !zero && (refreshCount != null || unlessZero)) {
      grants.add("refresh_token");
    }
    return grants;
  }

  /** {@code Strategy.1f0c "Orders"}: where, and the name a person knows it by. */
  static String label(String where, String name) {
    return name == null || name.isBlank() ? where : where + " " + ArchiveReader.printable(name);
  }
}
