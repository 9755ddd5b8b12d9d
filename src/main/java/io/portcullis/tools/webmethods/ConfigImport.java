package io.portcullis.tools.webmethods;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.Scopes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Puts an {@link Export} into a Portcullis config: a new one whose top-level settings come from
 * the export's {@code local} alias, or (merge) the operator's own, whose users, routes and
 * settings stay as they are and whose clients are added or replaced by id. The result is not yet
 * validated as a whole: the command does that before it prints it.
 */
public final class ConfigImport {
  private ConfigImport() {}

  public record Result(JsonObject config, ImportReport report) {}

  /**
   * @param base      the config to merge into (a valid one, not changed), or null for a new config
   * @param newSecret makes each secret the export does not hold
   */
  public static Result apply(Export export, JsonObject base, Supplier<String> newSecret) {
    ImportReport report = new ImportReport(export.shape());
    LocalAlias alias = export.alias();
    JsonObject config = base == null ? new JsonObject() : base.deepCopy();
    if (base == null) {
      settings(alias, config, report);
    } else {
      keptSettings(alias, config, report);
    }
    scopeDescriptions(alias, config, report);
    boolean globalPkce = !(config.get("enforcePkce") instanceof JsonPrimitive p && p.isBoolean() && !p.getAsBoolean());
    ClientMapper mapper = new ClientMapper(globalPkce, alias == null ? null : alias.enforcePkce(), newSecret);
    JsonArray clients = config.get("clients") instanceof JsonArray existing ? existing : new JsonArray();
    config.add("clients", clients);
    Map<String, String> importedFrom = new HashMap<>();
    for (GatewayClient from : export.clients()) {
      if (importedFrom.containsKey(from.clientId())) {
        report.skip(new Export.Skipped(from.source(), "client id " + ArchiveReader.printable(from.clientId())
            + " was already imported from " + importedFrom.get(from.clientId())));
        continue;
      }
      ClientMapper.Mapping mapping = mapper.map(from);
      if (mapping instanceof ClientMapper.Refused refused) {
        report.skip(new Export.Skipped(from.source(), refused.reason()));
        continue;
      }
      ClientMapper.Mapped mapped = (ClientMapper.Mapped) mapping;
      importedFrom.put(from.clientId(), from.source());
      int existing = indexOf(clients, from.clientId());
      List<String> changes = new ArrayList<>(mapped.changes());
      String rotated = mapped.rotatedSecret();
      if (existing >= 0) {
        rotated = keepOwn(clients.get(existing).getAsJsonObject(), mapped.client(), rotated, changes);
        clients.set(existing, mapped.client());
      } else {
        clients.add(mapped.client());
      }
      report.add(new ImportReport.Imported(from.clientId(), from.source(), changes, rotated, existing >= 0));
    }
    export.skipped().forEach(report::skip);
    export.notes().forEach(report::note);
    if (base == null) {
      report.note("the config has no users: add users[] (or \"userSource\": \"container\") so that someone can "
          + "approve, and set issuer to this deployment's public URL");
    }
    return new Result(config, report);
  }

  /** A new config: the alias's lifetimes and PKCE switch, or Portcullis's defaults. */
  private static void settings(LocalAlias alias, JsonObject config, ImportReport report) {
    Boolean pkce = alias == null ? null : alias.enforcePkce();
    config.addProperty("enforcePkce", pkce == null || pkce);
    if (pkce == null) {
      report.setting("enforcePkce true: Portcullis's default (the export does not hold webMethods's global switch)");
    } else {
      report.setting("enforcePkce " + pkce + ": webMethods's global switch (enforcePKCE)"
          + (pkce ? "" : "; RFC 9700 §2.1.1 says enforce it"));
    }
    if (alias == null) {
      return;
    }
    lifetime(alias.codeTtl(), "authorizationCodeTtlSeconds", "authCodeExpInterval", ConfigLoader.MAX_CODE_TTL, config, report);
    lifetime(alias.accessTokenTtl(), "accessTokenTtlSeconds", "accessTokenExpInterval", ConfigLoader.MAX_ACCESS_TOKEN_TTL,
        config, report);
  }

  private static void lifetime(String text, String key, String gatewayKey, long max, JsonObject config,
      ImportReport report) {
    if (text == null) {
      return;
    }
    Long seconds = ClientMapper.seconds(text);
    if (seconds == null || seconds <= 0) {
      report.setting(key + " left at Portcullis's default: the local alias's " + gatewayKey + " "
          + ArchiveReader.printable(text) + " is not a lifetime Portcullis offers");
      return;
    }
    long taken = Math.min(seconds, max);
    config.addProperty(key, taken);
    report.setting(key + " " + taken + ": the local alias's " + gatewayKey
        + (taken < seconds ? " (" + seconds + " s, cut to Portcullis's longest)" : ""));
  }

  /** A merge keeps the operator's settings; where webMethods said otherwise, the report says so. */
  private static void keptSettings(LocalAlias alias, JsonObject config, ImportReport report) {
    if (alias == null) {
      return;
    }
    String[][] keys = {{"enforcePkce", alias.enforcePkce() == null ? null : alias.enforcePkce().toString(), "enforcePKCE"},
        {"authorizationCodeTtlSeconds", alias.codeTtl(), "authCodeExpInterval"},
        {"accessTokenTtlSeconds", alias.accessTokenTtl(), "accessTokenExpInterval"}};
    for (String[] key : keys) {
      JsonElement own = config.get(key[0]);
      if (key[1] != null && (own == null || !own.getAsString().equals(key[1].trim()))) {
        report.setting("kept this config's " + key[0] + " " + (own == null ? "(default)" : own.getAsString())
            + "; webMethods's " + key[2] + " is " + ArchiveReader.printable(key[1]));
      }
    }
  }

  /** The alias's scope descriptions, for scopes the config does not describe yet. */
  private static void scopeDescriptions(LocalAlias alias, JsonObject config, ImportReport report) {
    if (alias == null || alias.scopeDescriptions().isEmpty()) {
      return;
    }
    JsonObject descriptions = config.get("scopeDescriptions") instanceof JsonObject own ? own : new JsonObject();
    int added = 0;
    for (Map.Entry<String, String> scope : alias.scopeDescriptions().entrySet()) {
      String description = scope.getValue().strip();
      if (!Scopes.isScopeToken(scope.getKey()) || description.isEmpty()
          || description.chars().anyMatch(Character::isISOControl)) {
        report.setting("scope description of " + ArchiveReader.printable(scope.getKey())
            + " left out: not a scope token, or not a one-line sentence");
      } else if (!descriptions.has(scope.getKey())) {
        descriptions.addProperty(scope.getKey(), description);
        added++;
      }
    }
    if (added > 0) {
      config.add("scopeDescriptions", descriptions);
      report.setting("scopeDescriptions: " + added + " from the local alias's scopes");
    }
  }

  /**
   * What the export decides of a client even where it says nothing: who it is and what it may do.
   * The rest of a merged config's client — a name, PKCE, lifetimes, bounds — stays the operator's
   * where the import writes nothing of it.
   */
  private static final Set<String> DECIDED_BY_THE_EXPORT = Set.of("clientId", "clientSecret", "redirectUris",
      "scopes", "grantTypes");

  /**
   * A client imported again over the merged config's: the settings the import writes nothing of
   * ({@code resourceServer}, {@code maxLiveTokens}, an {@code enforcePkce} or lifetime webMethods
   * leaves to the global setting, …) stay as the operator set them, and a secret the export does
   * not hold in clear stays the one already handed out, instead of a new one each run.
   *
   * @return the rotated secret still to report, or null when the merged config's was kept
   */
  private static String keepOwn(JsonObject own, JsonObject imported, String rotated, List<String> changes) {
    List<String> kept = new ArrayList<>();
    for (Map.Entry<String, JsonElement> field : own.entrySet()) {
      if (DECIDED_BY_THE_EXPORT.contains(field.getKey()) || imported.has(field.getKey())) {
        continue;
      }
      if (field.getKey().equals("resourceServer") && !imported.has("clientSecret")) {
        changes.add("resourceServer of the merged config left out: the client is public now, and introspection "
            + "is for confidential clients");
        continue;
      }
      imported.add(field.getKey(), field.getValue().deepCopy());
      kept.add(field.getKey());
    }
    if (!kept.isEmpty()) {
      changes.add("kept from the merged config, where the export says nothing of it: " + String.join(", ", kept));
    }
    // Only a secret the merged config really holds: a JSON null there is no secret at all.
    if (rotated != null && imported.has("clientSecret") && own.get("clientSecret") instanceof JsonPrimitive secret
        && secret.isString()) {
      imported.add("clientSecret", own.get("clientSecret").deepCopy());
      changes.removeIf(change -> change.startsWith("secret rotated:"));
      changes.add("secret kept from the merged config: the export holds none in clear, and the one in use stays");
      return null;
    }
    return rotated;
  }

  private static int indexOf(JsonArray clients, String clientId) {
    for (int i = 0; i < clients.size(); i++) {
      if (clients.get(i) instanceof JsonObject client && client.get("clientId") instanceof JsonPrimitive id
          && id.isString() && id.getAsString().equals(clientId)) {
        return i;
      }
    }
    return -1;
  }
}
