package io.portcullis.it;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds Portcullis config files for the integration tests, so no test copies JSON by hand.
 * {@link #standard()} is the fixture most tests share; the other tests start from it or from
 * {@link #empty()} and change only what they are about.
 */
final class ConfigJson {

  // The gateway user of the standard config.
  static final String USER = "Administrator";
  static final String PASSWORD = "correct-horse-battery";

  /** A confidential client: Basic or client_secret in the body. Two redirect URIs. */
  static final String CONFIDENTIAL = "confidential-app";
  static final String CONFIDENTIAL_SECRET = "s3cret-of-the-confidential-app";
  static final String CONFIDENTIAL_REDIRECT = "http://localhost:9000/callback";
  static final String CONFIDENTIAL_OTHER_REDIRECT = "http://localhost:9000/other";

  /** A public client: no secret, one redirect URI, authenticates with client_id alone plus PKCE. */
  static final String PUBLIC = "public-app";
  static final String PUBLIC_REDIRECT = "https://app.example.com:8443/oauth/cb";

  /** A client whose display name is markup, to check the approval page escapes it. */
  static final String MARKUP = "markup-app";
  static final String MARKUP_NAME = "<script>alert(\"x\")</script> & Sons";
  static final String MARKUP_REDIRECT = "http://localhost:9002/cb";

  /** A client whose registered redirect URI carries its own query, which must be kept. */
  static final String QUERY = "query-app";
  static final String QUERY_SECRET = "query-app-secret";
  static final String QUERY_REDIRECT = "http://localhost:9003/cb?tenant=acme&lang=en";

  /** A confidential client that may refresh: gets a refresh token with every code grant. */
  static final String REFRESHING = "refreshing-app";
  static final String REFRESHING_SECRET = "refreshing-app-secret";
  static final String REFRESHING_REDIRECT = "http://localhost:9004/cb";

  /** A second refreshing client, with its own (short) refresh-token lifetime. */
  static final String SHORT_REFRESH = "short-refresh-app";
  static final String SHORT_REFRESH_SECRET = "short-refresh-app-secret";
  static final String SHORT_REFRESH_REDIRECT = "http://localhost:9005/cb";
  static final int SHORT_REFRESH_TTL = 120;

  /** A public client that may refresh (client_id alone, PKCE). */
  static final String PUBLIC_REFRESHING = "public-refreshing-app";
  static final String PUBLIC_REFRESHING_REDIRECT = "https://spa.example.com/cb";

  /** A machine client of the client-credentials grant only: no redirect URI. */
  static final String SERVICE = "service-app";
  static final String SERVICE_SECRET = "service-app-secret";

  /** A resource server: may introspect every client's tokens. */
  static final String RESOURCE = "resource-server";
  static final String RESOURCE_SECRET = "resource-server-secret";

  /** The top-level refreshTokenTtlSeconds of {@link #grants()}. */
  static final int GLOBAL_REFRESH_TTL = 7200;

  private final JsonObject root = new JsonObject();

  private ConfigJson() {}

  static ConfigJson empty() {
    return new ConfigJson();
  }

  /**
   * Global PKCE, one user, the three clients above and these routes: {@code /health} public,
   * {@code /api/*} needs email, {@code /api/admin/*} needs admin, {@code /reports} (exact) needs
   * profile.
   */
  static ConfigJson standard() {
    return empty()
        .set("enforcePkce", true)
        .user(USER, PASSWORD)
        .client(Client.confidential(CONFIDENTIAL, CONFIDENTIAL_SECRET,
                CONFIDENTIAL_REDIRECT, CONFIDENTIAL_OTHER_REDIRECT)
            .name("Confidential App").scopes("email", "profile", "admin"))
        .client(Client.publicClient(PUBLIC, PUBLIC_REDIRECT).name("Public App").scopes("email", "profile"))
        .client(Client.confidential(MARKUP, "markup-secret", MARKUP_REDIRECT).name(MARKUP_NAME).scopes("email"))
        .client(Client.confidential(QUERY, QUERY_SECRET, QUERY_REDIRECT).scopes("email"))
        .publicRoute("/health")
        .route("/api/*", "email")
        .route("/api/admin/*", "admin")
        .route("/reports", "profile");
  }

  /**
   * {@link #standard()} plus the clients of the other grants: {@link #REFRESHING},
   * {@link #SHORT_REFRESH}, {@link #PUBLIC_REFRESHING}, {@link #SERVICE} and {@link #RESOURCE};
   * refresh tokens live {@link #GLOBAL_REFRESH_TTL} seconds unless a client says otherwise.
   */
  static ConfigJson grants() {
    return standard()
        .set("refreshTokenTtlSeconds", GLOBAL_REFRESH_TTL)
        .client(Client.confidential(REFRESHING, REFRESHING_SECRET, REFRESHING_REDIRECT)
            .scopes("email", "profile", "admin").grantTypes("authorization_code", "refresh_token"))
        .client(Client.confidential(SHORT_REFRESH, SHORT_REFRESH_SECRET, SHORT_REFRESH_REDIRECT)
            .scopes("email", "profile").grantTypes("authorization_code", "refresh_token")
            .refreshTokenTtlSeconds(SHORT_REFRESH_TTL))
        .client(Client.publicClient(PUBLIC_REFRESHING, PUBLIC_REFRESHING_REDIRECT)
            .scopes("email").grantTypes("authorization_code", "refresh_token"))
        .client(Client.confidential(SERVICE, SERVICE_SECRET).withoutRedirectUris()
            .scopes("email", "profile").grantTypes("client_credentials"))
        .client(Client.confidential(RESOURCE, RESOURCE_SECRET).withoutRedirectUris()
            .grantTypes("client_credentials").resourceServer(true));
  }

  ConfigJson set(String key, JsonElement value) {
    root.add(key, value);
    return this;
  }

  ConfigJson set(String key, boolean value) {
    root.addProperty(key, value);
    return this;
  }

  ConfigJson set(String key, Number value) {
    root.addProperty(key, value);
    return this;
  }

  ConfigJson set(String key, String value) {
    root.addProperty(key, value);
    return this;
  }

  ConfigJson pkceMethods(String... methods) {
    root.add("pkceMethods", strings(methods));
    return this;
  }

  ConfigJson user(String username, String plainPassword) {
    return storedUser(username, "{noop}" + plainPassword);
  }

  /** A user whose password is written as given, e.g. {@code {pbkdf2-sha256}...}. */
  ConfigJson storedUser(String username, String storedPassword) {
    JsonObject user = new JsonObject();
    user.addProperty("username", username);
    user.addProperty("password", storedPassword);
    array("users").add(user);
    return this;
  }

  ConfigJson client(Client client) {
    array("clients").add(client.json);
    return this;
  }

  /** Without the client of this id. */
  ConfigJson removeClient(String clientId) {
    JsonArray clients = array("clients");
    for (int i = clients.size() - 1; i >= 0; i--) {
      if (clients.get(i).getAsJsonObject().get("clientId").getAsString().equals(clientId)) {
        clients.remove(i);
      }
    }
    return this;
  }

  /** With {@code client} in place of the one of its id. */
  ConfigJson replaceClient(Client client) {
    return removeClient(client.json.get("clientId").getAsString()).client(client);
  }

  ConfigJson route(String path, String... scopes) {
    JsonObject route = new JsonObject();
    route.addProperty("path", path);
    route.add("scopes", strings(scopes));
    array("routes").add(route);
    return this;
  }

  ConfigJson publicRoute(String path) {
    JsonObject route = new JsonObject();
    route.addProperty("path", path);
    route.addProperty("public", true);
    array("routes").add(route);
    return this;
  }

  String json() {
    return new GsonBuilder().setPrettyPrinting().create().toJson(root);
  }

  /** Writes the config as {@code dir/name} and returns its path. */
  Path write(Path dir, String name) throws IOException {
    return Files.writeString(dir.resolve(name), json());
  }

  private JsonArray array(String key) {
    if (!root.has(key)) {
      root.add(key, new JsonArray());
    }
    return root.getAsJsonArray(key);
  }

  private static JsonArray strings(String... values) {
    JsonArray array = new JsonArray();
    for (String value : values) {
      array.add(value);
    }
    return array;
  }

  /** One entry of {@code clients}. */
  static final class Client {
    private final JsonObject json = new JsonObject();

    private Client(String clientId, String... redirectUris) {
      json.addProperty("clientId", clientId);
      json.add("redirectUris", strings(redirectUris));
    }

    static Client confidential(String clientId, String plainSecret, String... redirectUris) {
      return stored(clientId, "{noop}" + plainSecret, redirectUris);
    }

    /** A confidential client whose secret is written as given, e.g. {@code {sha256}...}. */
    static Client stored(String clientId, String storedSecret, String... redirectUris) {
      Client client = new Client(clientId, redirectUris);
      client.json.addProperty("clientSecret", storedSecret);
      return client;
    }

    static Client publicClient(String clientId, String... redirectUris) {
      return new Client(clientId, redirectUris);
    }

    Client name(String name) {
      json.addProperty("name", name);
      return this;
    }

    Client scopes(String... scopes) {
      json.add("scopes", strings(scopes));
      return this;
    }

    Client enforcePkce(boolean enforce) {
      json.addProperty("enforcePkce", enforce);
      return this;
    }

    Client accessTokenTtlSeconds(int seconds) {
      json.addProperty("accessTokenTtlSeconds", seconds);
      return this;
    }

    /** {@code "grantTypes"}: the grants the client may use. */
    Client grantTypes(String... grantTypes) {
      json.add("grantTypes", strings(grantTypes));
      return this;
    }

    Client refreshTokenTtlSeconds(int seconds) {
      json.addProperty("refreshTokenTtlSeconds", seconds);
      return this;
    }

    Client resourceServer(boolean resourceServer) {
      json.addProperty("resourceServer", resourceServer);
      return this;
    }

    /** No {@code redirectUris} key at all, as a client without the authorization-code grant. */
    Client withoutRedirectUris() {
      json.remove("redirectUris");
      return this;
    }

    /** Any key, e.g. a deliberately wrong one for the start-up tests. */
    Client set(String key, JsonElement value) {
      json.add(key, value);
      return this;
    }

    Client set(String key, boolean value) {
      return set(key, new JsonPrimitive(value));
    }
  }
}
