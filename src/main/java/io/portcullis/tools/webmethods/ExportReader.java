package io.portcullis.tools.webmethods;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.portcullis.json.StrictJson;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Tells from its content which of the three things webMethods exports a file is, and reads it:
 * <ol>
 *   <li>an API Gateway export archive (a ZIP: {@link ArchiveReader}), whose {@code Strategy.<id>},
 *       {@code Application.<id>} and {@code Alias.<id>} entries are JSON;</li>
 *   <li>the JSON of {@code GET /rest/apigateway/strategies} ({@code {"strategies":[…]}}) or of one
 *       strategy ({@code {"strategy":{…}}}): {@link StrategyReader};</li>
 *   <li>the JSON of {@code GET /rest/apigateway/applications} of a 10.1-era gateway
 *       ({@code {"applications":[…]}}): {@link ApplicationReader}.</li>
 * </ol>
 * Anything else, broken JSON included, is an {@link ExportException} that says what was expected.
 */
public final class ExportReader {
  private ExportReader() {}

  public static Export read(byte[] content) throws ExportException {
    return read(content, ArchiveReader.Limits.DEFAULT);
  }

  static Export read(byte[] content, ArchiveReader.Limits limits) throws ExportException {
    if (ArchiveReader.isZip(content)) {
      return archive(ArchiveReader.read(content, limits));
    }
    String text = utf8(content);
    String start = text.strip();
    if (!start.startsWith("{") && !start.startsWith("[")) {
      throw new ExportException("the export is neither a ZIP archive nor a JSON document: expected an API Gateway "
          + "archive, or the JSON of /rest/apigateway/strategies or /rest/apigateway/applications");
    }
    JsonElement root = json(text, null);
    JsonObject object = root.isJsonObject() ? root.getAsJsonObject() : new JsonObject();
    if (object.get("strategies") != null && object.get("strategies").isJsonArray()) {
      Export export = new Export("the strategies of GET /rest/apigateway/strategies");
      forEachObject(object, "strategies", (element, where) -> StrategyReader.read(element, where, export));
      return export;
    }
    if (object.get("strategy") != null && object.get("strategy").isJsonObject()) {
      Export export = new Export("one strategy of GET /rest/apigateway/strategies/{id}");
      StrategyReader.read(object.getAsJsonObject("strategy"), "strategy", export);
      return export;
    }
    if (object.get("applications") != null && object.get("applications").isJsonArray()) {
      Export export = new Export("the applications of GET /rest/apigateway/applications (10.1 era)");
      forEachObject(object, "applications", (element, where) -> ApplicationReader.read(element, where, export, true));
      return export;
    }
    throw new ExportException("the export is JSON, but not what webMethods exports: expected {\"strategies\":[…]}, "
        + "{\"strategy\":{…}} or {\"applications\":[…]} at its top");
  }

  private static Export archive(ArchiveReader.Archive archive) throws ExportException {
    Export export = new Export("an API Gateway export archive");
    if (archive.entries().isEmpty()) {
      throw new ExportException("the export is a ZIP archive, but not an API Gateway export: it has no Strategy, "
          + "Application or Alias entries");
    }
    java.util.Set<String> strategyIds = new java.util.HashSet<>();
    Map<String, java.util.List<String>> referencedBy = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, byte[]> entry : archive.entries().entrySet()) {
      String name = entry.getKey();
      String where = name.substring(name.lastIndexOf('/') + 1);
      JsonElement root = json(utf8(entry.getValue(), name), name);
      if (!root.isJsonObject()) {
        throw new ExportException(name + ": not a JSON object");
      }
      String kind = ArchiveReader.kind(name);
      JsonObject asset = unwrap(root.getAsJsonObject(), kind.toLowerCase(java.util.Locale.ROOT));
      switch (kind) {
        case "Strategy" -> {
          strategyIds.add(where.substring("Strategy.".length()));
          String id = GatewayValues.text(asset, "id");
          if (id != null) {
            strategyIds.add(id);
          }
          StrategyReader.read(asset, where, export);
        }
        case "Application" -> {
          java.util.List<String> strategies = GatewayValues.texts(asset, "authStrategyIds");
          if (strategies != null && !strategies.isEmpty()) {
            referencedBy.put(StrategyReader.label(where, GatewayValues.text(asset, "name")), strategies);
          }
          ApplicationReader.read(asset, where, export, false);
        }
        default -> {
          LocalAlias alias = AliasReader.read(asset);
          if (alias != null && export.alias() == null) {
            export.alias(alias);
          }
        }
      }
    }
    // An application's OAuth clients are its strategies: one the archive lacks cannot be imported.
    referencedBy.forEach((application, strategies) -> {
      java.util.List<String> missing = strategies.stream().filter(id -> !strategyIds.contains(id)).toList();
      if (!missing.isEmpty()) {
        export.skip(application, "its strateg" + (missing.size() == 1 ? "y " : "ies ") + String.join(", ",
            missing.stream().map(ArchiveReader::printable).toList()) + (missing.size() == 1 ? " is" : " are")
            + " not in the archive: export the application together with its strategies");
      }
    });
    if (archive.encryptedSecrets() > 0) {
      export.note(archive.encryptedSecrets() + " encrypted PassmanData entr" + (archive.encryptedSecrets() == 1 ? "y" : "ies")
          + " passed over: what they hold can only be decrypted by the gateway that wrote them");
    }
    return export;
  }

  /** An entry may hold the asset itself or, as the REST answers do, the asset under its kind's name. */
  private static JsonObject unwrap(JsonObject root, String key) {
    return root.size() == 1 && root.get(key) != null && root.get(key).isJsonObject() ? root.getAsJsonObject(key) : root;
  }

  @FunctionalInterface
  private interface ElementReader {
    void read(JsonObject element, String where) throws ExportException;
  }

  private static void forEachObject(JsonObject root, String key, ElementReader reader) throws ExportException {
    var array = root.getAsJsonArray(key);
    for (int i = 0; i < array.size(); i++) {
      if (!array.get(i).isJsonObject()) {
        throw new ExportException(key + "[" + i + "]: not a JSON object");
      }
      reader.read(array.get(i).getAsJsonObject(), key + "[" + i + "]");
    }
  }

  private static String utf8(byte[] content) throws ExportException {
    return utf8(content, null);
  }

  /** Strict UTF-8, a byte-order mark dropped. */
  private static String utf8(byte[] content, String where) throws ExportException {
    try {
      String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(content)).toString();
      return text.startsWith("\uFEFF") ? text.substring(1) : text;
    } catch (CharacterCodingException e) {
      throw new ExportException(where == null
          ? "the export is neither a ZIP archive nor a JSON document (not UTF-8 text)"
          : where + ": not UTF-8 text");
    }
  }

  /**
   * Broken JSON is reported by where it breaks, never by quoting it: it may hold a secret.
   *
   * @param where the archive entry, or null for the export itself
   */
  private static JsonElement json(String text, String where) throws ExportException {
    try {
      return StrictJson.parse(text);
    } catch (StrictJson.MalformedJsonException e) {
      throw new ExportException((where == null ? "" : where + ": ") + "broken JSON: " + e.withoutInput());
    }
  }
}
