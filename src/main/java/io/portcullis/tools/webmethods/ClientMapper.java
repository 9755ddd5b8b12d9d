package io.portcullis.tools.webmethods;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.portcullis.config.ClientRegistration;
import io.portcullis.config.ConfigException;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.StoredSecret;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Turns one webMethods client into a Portcullis {@code clients[]} entry, saying what differs and
 * why; a client Portcullis cannot take as it is, even changed, is skipped with the reason. Each
 * entry is checked by Portcullis's own {@link ConfigLoader}, so a skipped client is skipped for
 * the very reason the server would refuse it.
 */
final class ClientMapper {

  /** A client entry for the config, or why there is none. */
  sealed interface Mapping permits Mapped, Refused {}

  /** @param rotatedSecret the secret generated for it in clear, or null */
  record Mapped(JsonObject client, List<String> changes, String rotatedSecret) implements Mapping {
    @Override
    public String toString() {
      return "Mapped[" + client.get("clientId") + "]";
    }
  }

  record Refused(String reason) implements Mapping {}

  private final boolean globalPkce;
  private final Boolean gatewayPkce;
  private final Supplier<String> newSecret;

  /**
   * @param globalPkce  the top-level {@code enforcePkce} of the config the client goes into
   * @param gatewayPkce webMethods's global PKCE switch, null when the export does not say
   * @param newSecret   makes a secret for a client whose secret the export does not hold
   */
  ClientMapper(boolean globalPkce, Boolean gatewayPkce, Supplier<String> newSecret) {
    this.globalPkce = globalPkce;
    this.gatewayPkce = gatewayPkce;
    this.newSecret = newSecret;
  }

  Mapping map(GatewayClient from) {
    List<String> changes = new ArrayList<>();
    JsonObject client = new JsonObject();
    client.addProperty("clientId", from.clientId());
    boolean isPublic = "public".equals(from.clientType());
    if (from.clientType() == null || !(isPublic || "confidential".equals(from.clientType()))) {
      changes.add("client type " + (from.clientType() == null ? "not stated" : ArchiveReader.printable(from.clientType()))
          + ": imported as a confidential client");
    }
    String rotated = secret(from, isPublic, client, changes);
    if (from.name() != null && !from.name().isBlank()) {
      client.addProperty("name", from.name());
    }
    List<String> redirectUris = List.copyOf(new LinkedHashSet<>(orEmpty(from.redirectUris())));
    client.add("redirectUris", array(redirectUris));
    client.add("scopes", array(new LinkedHashSet<>(orEmpty(from.scopes()))));
    Set<String> grants = grantTypes(from, isPublic, !redirectUris.isEmpty(), changes);
    if (grants.isEmpty()) {
      return new Refused("no grant type that Portcullis offers"
          + (from.grantTypes() == null ? "" : " (webMethods allowed " + String.join(", ", from.grantTypes()) + ")")
          + (redirectUris.isEmpty() ? "; the code grant needs a redirect URI and none is registered" : ""));
    }
    client.add("grantTypes", array(grants));
    if (grants.contains(ClientRegistration.AUTHORIZATION_CODE)) {
      pkce(from, isPublic, client, changes);
    }
    accessTokenTtl(from, client, changes);
    String problems = problems(client);
    if (problems != null) {
      return new Refused("Portcullis would refuse it: " + problems);
    }
    return new Mapped(client, changes, rotated);
  }

  /**
   * A clear-text secret is kept, hashed; one the export holds masked or not at all is replaced by
   * a new one. A public client has none.
   *
   * @return the new secret in clear, or null
   */
  private String secret(GatewayClient from, boolean isPublic, JsonObject client, List<String> changes) {
    boolean clear = from.secret() != null && !from.secret().isBlank() && !from.secretMasked();
    if (isPublic) {
      if (clear) {
        changes.add("the export holds a secret for this public client: left out (a public client has none)");
      }
      return null;
    }
    if (clear) {
      client.addProperty("clientSecret", StoredSecret.hash(StoredSecret.SHA256, from.secret()));
      changes.add("secret kept, stored hashed ({sha256}): the clear text of the export is written nowhere"
          + (from.secret().length() < 32 ? "; it is short (" + from.secret().length() + " characters): rotate it soon" : ""));
      return null;
    }
    String secret = newSecret.get();
    client.addProperty("clientSecret", StoredSecret.hash(StoredSecret.SHA256, secret));
    changes.add("secret rotated: the export holds it " + (from.secretMasked() ? "masked" : "not at all")
        + " (webMethods keeps it encrypted in PassmanData), so a new one was made: see below");
    return secret;
  }

  private static Set<String> grantTypes(GatewayClient from, boolean isPublic, boolean hasRedirectUri, List<String> changes) {
    List<String> stated = from.grantTypes() != null ? from.grantTypes()
        : StrategyReader.withImpliedRefresh(new ArrayList<>(List.of(ClientRegistration.AUTHORIZATION_CODE)), from.refreshCount());
    Set<String> grants = new LinkedHashSet<>();
    for (String grant : stated) {
      switch (grant) {
        case "password" -> changes.add("password grant dropped: RFC 9700 §2.4 forbids it");
        case "implicit" -> changes.add("implicit grant dropped: RFC 9700 §2.1.2 forbids it");
        default -> {
          if (ClientRegistration.GRANT_TYPES.contains(grant)) {
            grants.add(grant);
          } else {
            changes.add("grant type " + ArchiveReader.printable(grant) + " dropped: Portcullis does not offer it");
          }
        }
      }
    }
    boolean noRefresh = from.refreshCount() != null && from.refreshCount().trim().equals("0");
    if (noRefresh && grants.remove(ClientRegistration.REFRESH_TOKEN)) {
      changes.add("refresh_token dropped: refreshCount 0 means this client may not refresh");
    }
    if (isPublic && grants.remove(ClientRegistration.CLIENT_CREDENTIALS)) {
      changes.add("client_credentials dropped: a public client cannot use it (RFC 6749 §4.4)");
    }
    if (!hasRedirectUri && grants.contains(ClientRegistration.AUTHORIZATION_CODE) && grants.size() > 1) {
      grants.remove(ClientRegistration.AUTHORIZATION_CODE);
      changes.add("authorization_code dropped: no redirect URI is registered");
    }
    if (!grants.contains(ClientRegistration.AUTHORIZATION_CODE) && grants.remove(ClientRegistration.REFRESH_TOKEN)) {
      changes.add("refresh_token dropped: Portcullis issues refresh tokens only with the code grant");
    }
    if (!hasRedirectUri && grants.contains(ClientRegistration.AUTHORIZATION_CODE)) {
      grants.clear();
    }
    if (grants.contains(ClientRegistration.REFRESH_TOKEN) && from.refreshCount() != null && !noRefresh) {
      changes.add("refreshCount " + ArchiveReader.printable(from.refreshCount()) + " not carried over: Portcullis "
          + "rotates refresh tokens and ends a grant after maxGrantLifetimeSeconds instead");
    }
    return grants;
  }

  /** {@code pkceType}: ENFORCED, NOT_ENFORCED or USE_GLOBAL_SETTING (also when absent). */
  private void pkce(GatewayClient from, boolean isPublic, JsonObject client, List<String> changes) {
    String type = from.pkceType() == null ? "USE_GLOBAL_SETTING" : from.pkceType().toUpperCase(Locale.ROOT);
    boolean requiredHere = globalPkce || isPublic;
    switch (type) {
      case "ENFORCED" -> client.addProperty("enforcePkce", true);
      case "NOT_ENFORCED" -> changes.add(requiredHere
          ? "PKCE: NOT_ENFORCED in webMethods, but Portcullis requires it of this client ("
              + (isPublic ? "a public client" : "enforcePkce is on") + "): it must send an S256 code_challenge"
          : "PKCE not enforced, as in webMethods (RFC 9700 §2.1.1 says enforce it)");
      default -> {
        if (!type.equals("USE_GLOBAL_SETTING")) {
          changes.add("pkceType " + ArchiveReader.printable(from.pkceType()) + " unknown: the global switch applies");
        }
        if (Boolean.TRUE.equals(gatewayPkce) && !requiredHere) {
          client.addProperty("enforcePkce", true);
          changes.add("PKCE enforced for this client: webMethods's global switch is on, this config's enforcePkce is off");
        } else if (requiredHere && !Boolean.TRUE.equals(gatewayPkce)) {
          changes.add("PKCE now required: webMethods's global switch was off"
              + (gatewayPkce == null ? " (its default; the export holds no local alias)" : "")
              + ", Portcullis's is on: the client must send an S256 code_challenge");
        }
      }
    }
  }

  private static void accessTokenTtl(GatewayClient from, JsonObject client, List<String> changes) {
    if (from.expirationInterval() == null) {
      return;
    }
    Long seconds = seconds(from.expirationInterval());
    if (seconds == null) {
      changes.add("expirationInterval " + ArchiveReader.printable(from.expirationInterval())
          + " is not a number of seconds: the global access-token lifetime applies");
    } else if (seconds <= 0) {
      changes.add("access tokens never expired in webMethods; Portcullis has no such tokens: the global "
          + "access-token lifetime applies");
    } else if (seconds > ConfigLoader.MAX_ACCESS_TOKEN_TTL) {
      client.addProperty("accessTokenTtlSeconds", ConfigLoader.MAX_ACCESS_TOKEN_TTL);
      changes.add("access-token lifetime " + seconds + " s cut to Portcullis's longest, "
          + ConfigLoader.MAX_ACCESS_TOKEN_TTL + " s");
    } else {
      client.addProperty("accessTokenTtlSeconds", seconds);
    }
  }

  /** Seconds as webMethods writes them ({@code "3600"}); null when not a whole number. */
  static Long seconds(String text) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** What Portcullis's loader says about this client alone, paths relative to it; null when it is valid. */
  private String problems(JsonObject client) {
    JsonObject config = new JsonObject();
    config.addProperty("enforcePkce", globalPkce);
    config.add("users", new JsonArray());
    JsonArray clients = new JsonArray();
    clients.add(client);
    config.add("clients", clients);
    try {
      ConfigLoader.load("the client", config);
      return null;
    } catch (ConfigException e) {
      return String.join("; ", e.problems()).replace("clients[0].", "");
    }
  }

  private static List<String> orEmpty(List<String> values) {
    return values == null ? List.of() : values;
  }

  static JsonArray array(Iterable<String> values) {
    JsonArray array = new JsonArray();
    values.forEach(array::add);
    return array;
  }
}
