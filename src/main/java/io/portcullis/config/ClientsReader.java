package io.portcullis.config;

import com.google.gson.JsonArray;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code "clients"}: the registered OAuth clients, with their secrets, redirect URIs,
 * scopes, grant types and the lifetimes and PKCE rule each may override.
 */
final class ClientsReader {
  private ClientsReader() {}

  /**
   * @param enforcePkce the top-level {@code enforcePkce}, which a client may tighten
   * @param tokenTtl    the top-level access-token lifetime, a client's default
   * @param refreshTtl  the top-level refresh-token lifetime, a client's default
   * @param maxLiveTokens the top-level {@code maxLiveTokensPerClient}, a client's default
   * @return the valid clients by client id; a client with any problem is left out
   */
  static Map<String, ClientRegistration> read(JsonFields top, boolean enforcePkce, Duration tokenTtl,
      Duration refreshTtl, long maxLiveTokens, ConfigProblems problems) {
    JsonArray array = top.array("clients", true);
    Map<String, ClientRegistration> clients = new LinkedHashMap<>();
    if (array == null) {
      return clients;
    }
    if (array.isEmpty()) {
      problems.warn(top.at("clients"), "no clients are configured, so no token can be issued");
    }
    top.forEachObject("clients", array, client -> {
      int errorsBefore = problems.errorCount();
      String clientId = client.string("clientId", true);
      if (clientId != null && !AsciiText.isVisible(clientId)) {
        problems.error(client.at("clientId"), "must be non-empty printable ASCII without spaces (RFC 6749 VSCHAR less the space, so that it compares as sent)");
      } else if (clientId != null && clients.containsKey(clientId)) {
        problems.error(client.at("clientId"), "\"" + clientId + "\" is defined twice");
      }
      String encodedSecret = client.string("clientSecret", false);
      StoredSecret secret = SecretReader.read(client.at("clientSecret"), encodedSecret, problems);
      if (secret instanceof StoredSecret.Pbkdf2) {
        problems.warn(client.at("clientSecret"), "{pbkdf2-sha256} makes every token request cost a slow "
            + "hash; use a long random secret hashed with {sha256}");
      }
      String name = client.string("name", false);
      if (name != null && (name.isBlank() || name.chars().anyMatch(Character::isISOControl))) {
        problems.error(client.at("name"), "must be non-empty and without control characters");
      }
      Set<String> grantTypes = grantTypes(client, encodedSecret == null, problems);
      List<String> redirectUris = redirectUris(client, grantTypes, problems);
      Set<String> scopes = scopes(client, problems);
      Boolean clientPkce = client.optionalBool("enforcePkce");
      // A clientSecret that failed to parse is reported above; the client is not public.
      if (encodedSecret == null && Boolean.FALSE.equals(clientPkce)) {
        problems.error(client.at("enforcePkce"),
            "cannot be false for a public client (no clientSecret): PKCE is how it proves itself");
      }
      long ttl = client.number("accessTokenTtlSeconds", tokenTtl.getSeconds(), 1, ConfigLoader.MAX_ACCESS_TOKEN_TTL);
      long refreshTtlSeconds = client.number("refreshTokenTtlSeconds", refreshTtl.getSeconds(), 60,
          ConfigLoader.MAX_REFRESH_TOKEN_TTL);
      boolean resourceServer = client.bool("resourceServer", false);
      long liveTokens = client.number("maxLiveTokens", maxLiveTokens, 1, ConfigLoader.MAX_LIVE_TOKENS);
      if (resourceServer && encodedSecret == null) {
        problems.error(client.at("resourceServer"), "needs a clientSecret: introspection is for confidential clients");
      }
      client.rejectUnknownKeys(List.of("clientId", "clientSecret", "name",
          "redirectUris", "scopes", "enforcePkce", "accessTokenTtlSeconds", "grantTypes",
          "refreshTokenTtlSeconds", "resourceServer", "maxLiveTokens"));
      if (problems.errorCount() > errorsBefore || clientId == null) {
        return;
      }
      boolean pkceRequired = enforcePkce || Boolean.TRUE.equals(clientPkce) || secret == null;
      if (!pkceRequired) {
        problems.warn(client.path(),
            "PKCE is not enforced for client \"" + clientId + "\" (RFC 9700 §2.1.1 says enforce it)");
      }
      clients.put(clientId, new ClientRegistration(clientId, secret, name == null ? clientId : name,
          redirectUris, scopes, pkceRequired, Duration.ofSeconds(ttl), grantTypes,
          Duration.ofSeconds(refreshTtlSeconds), resourceServer, liveTokens));
    });
    // An unknown client_id is checked against a decoy of the most common kind (StoredSecret.decoyFor):
    // with kinds mixed, timing tells the ids of the rarer kinds from unknown ones.
    Set<String> costs = new java.util.TreeSet<>();
    clients.values().stream().map(ClientRegistration::secret).filter(java.util.Objects::nonNull)
        .forEach(secret -> costs.add(secret.cost()));
    if (costs.size() > 1) {
      problems.warn(top.at("clients"), "client secrets are hashed in different ways (" + String.join(", ", costs)
          + "), so response times can tell which client ids exist; hash them all with {sha256}");
    }
    return clients;
  }

  /** {@code "grantTypes"}: defaults to the authorization-code grant alone. */
  private static Set<String> grantTypes(JsonFields client, boolean isPublic, ConfigProblems problems) {
    if (client.get("grantTypes") == null) {
      return Set.of(ClientRegistration.AUTHORIZATION_CODE);
    }
    List<String> listed = client.strings("grantTypes", false);
    Set<String> grantTypes = new LinkedHashSet<>();
    for (int g = 0; g < listed.size(); g++) {
      String grantType = listed.get(g);
      String at = client.at("grantTypes", g);
      if (!ClientRegistration.GRANT_TYPES.contains(grantType)) {
        problems.error(at, "must be authorization_code, refresh_token or client_credentials, not \""
            + grantType + "\" (implicit and password are not offered: RFC 9700 §2.1.2, §2.4)");
      } else if (!grantTypes.add(grantType)) {
        problems.error(at, "\"" + grantType + "\" is listed twice");
      } else if (isPublic && grantType.equals(ClientRegistration.CLIENT_CREDENTIALS)) {
        problems.error(at, "client_credentials needs a clientSecret (RFC 6749 §4.4: confidential clients only)");
      }
    }
    if (grantTypes.isEmpty() && listed.isEmpty() && client.get("grantTypes").isJsonArray()) {
      problems.error(client.at("grantTypes"), "must name at least one grant type");
    }
    if (grantTypes.contains(ClientRegistration.REFRESH_TOKEN)
        && !grantTypes.contains(ClientRegistration.AUTHORIZATION_CODE)) {
      problems.error(client.at("grantTypes"), "refresh_token needs authorization_code: refresh tokens are "
          + "issued with the tokens of that grant");
    }
    return grantTypes;
  }

  /** {@code "redirectUris"}: required, and not empty, for the authorization-code grant. */
  private static List<String> redirectUris(JsonFields client, Set<String> grantTypes, ConfigProblems problems) {
    boolean needed = grantTypes.contains(ClientRegistration.AUTHORIZATION_CODE);
    List<String> redirectUris = client.strings("redirectUris", needed);
    if (needed && client.get("redirectUris") instanceof JsonArray listed && listed.isEmpty()) {
      problems.error(client.at("redirectUris"), "needs at least one redirect URI");
    }
    Set<String> seenUris = new HashSet<>();
    for (int u = 0; u < redirectUris.size(); u++) {
      String uriPath = client.at("redirectUris", u);
      String problem = redirectUriProblem(redirectUris.get(u));
      if (problem != null) {
        problems.error(uriPath, problem);
      } else if (!seenUris.add(redirectUris.get(u))) {
        problems.error(uriPath, "is listed twice");
      }
    }
    return redirectUris;
  }

  /** {@code "scopes"}: what the client may ask for, in the order listed. */
  private static Set<String> scopes(JsonFields client, ConfigProblems problems) {
    List<String> scopeList = client.strings("scopes", false);
    Set<String> scopes = new LinkedHashSet<>();
    for (int s = 0; s < scopeList.size(); s++) {
      String scope = scopeList.get(s);
      if (!Scopes.isScopeToken(scope)) {
        problems.error(client.at("scopes", s),
            "\"" + scope + "\" is not a scope token (RFC 6749 §3.3: printable ASCII, no space, quote or backslash)");
      } else if (!scopes.add(scope)) {
        problems.error(client.at("scopes", s), "\"" + scope + "\" is listed twice");
      }
    }
    return scopes;
  }

  /** RFC 6749 §3.1.2 and RFC 9700 §4.1: absolute, no fragment, compared as a plain string. */
  static String redirectUriProblem(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      return "not a valid URI: " + e.getReason();
    }
    if (!uri.isAbsolute()) {
      return "not an absolute URI";
    }
    if (uri.getRawFragment() != null) {
      return "must not contain a fragment (RFC 6749 §3.1.2)";
    }
    if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() == null) {
      return "an http(s) redirect URI needs a host";
    }
    if (!AsciiText.isVisible(text)) {
      return "must be printable ASCII; percent-encode anything else";
    }
    return null;
  }
}
