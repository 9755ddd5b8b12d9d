package io.portcullis.tools.webmethods;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.oauth.RandomValues;
import io.portcullis.tools.webmethods.WebMethodsExports.Run;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exports that must not be imported: each gets a clear error on standard error, exit 1, and no
 * config at all on standard output (so that {@code > portcullis.json} cannot write half a config).
 */
class ImportWebMethodsMalformedTest {

  @TempDir Path dir;
  final Supplier<String> secrets = new RandomValues()::token;

  /** Runs the command on {@code export} and asserts it refused with {@code message}. */
  Run refused(byte[] export, String message) throws Exception {
    Run run = WebMethodsExports.run(dir, export, secrets);
    assertEquals(1, run.exit(), run.err());
    assertEquals("", run.out(), "no config");
    assertTrue(run.err().contains(message), "expected \"" + message + "\" in:\n" + run.err());
    assertTrue(run.err().contains("no config written"), run.err());
    return run;
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] archiveWith(String name, byte[] content) {
    Map<String, byte[]> entries = WebMethodsExports.archiveFrame();
    entries.put(name, content);
    return WebMethodsExports.zip(entries);
  }

  @Test
  void neitherZipNorJson() throws Exception {
    refused(utf8("name,clientId\nOrders,orders-portal\n"), "neither a ZIP archive nor a JSON document");
    refused(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0, 0, 0x10}, "neither a ZIP archive nor a JSON document");
    refused(new byte[0], "neither a ZIP archive nor a JSON document");
  }

  @Test
  void brokenJsonSaysWhereButNeverQuotesTheExport() throws Exception {
    Run run = refused(utf8("{\"strategies\": [{\"type\": \"OAUTH2\", \"dcrConfig\": {\"clientSecret\": \"leak-me-not-8c1f\" "),
        ": broken JSON: the JSON document ends too early");
    refused(utf8("{\"strategies\": [{\"clientSecret\": 'leak-me-not-8c1f'}]}"), "broken JSON: malformed JSON at line 1 column");
    assertFalse(run.err().contains("leak-me-not-8c1f"), run.err());
    assertFalse(refused(utf8("{\"strategies\": [{\"clientSecret\": 'leak-me-not-8c1f'}]}"), "broken JSON").err()
        .contains("leak-me-not-8c1f"));
    refused(utf8("{\"strategies\": [],\n \"strategies\": []}"),
        "broken JSON: a key appears more than once in one object at line 2 column 14");
    refused(archiveWith("Strategy/Strategy/Strategy.1/Strategy.1", utf8("{\"type\": \"OAUTH2\",")),
        "Strategy/Strategy/Strategy.1/Strategy.1: broken JSON");
  }

  /**
   * What an export names is printed in the report only as safe text: a control character could
   * retitle or clear the operator's terminal, and a name of thousands of characters flood it.
   */
  @Test
  void namesTypesAndServersReachTheTerminalOnlyAsSafeText() throws Exception {
    String strategies = """
        {"strategies": [
          {"name": "Evil\\u001b]0;pwned\\u0007\\u001b[2J", "type": "JWT\\u001b[2J"},
          {"name": "%s", "type": "OAUTH2", "authServerAlias": "okta\\u001b[2J"},
          {"name": "Fine", "type": "OAUTH2", "dcrConfig": {"clientId": "fine", "clientType": "PUBLIC",
            "redirectUris": ["https://fine.example.com/cb"]}}
        ]}
        """.formatted("n".repeat(5000));
    Run run = WebMethodsExports.run(dir, utf8(strategies), secrets);
    assertEquals(0, run.exit(), run.err());
    assertFalse(run.err().chars().anyMatch(c -> Character.isISOControl(c) && c != '\n'), run.err());
    assertTrue(run.err().contains("skipped   strategies[0] \"Evil?]0;pwned??[2J\": a strategy of type JWT?[2J: "), run.err());
    assertTrue(run.err().contains("skipped   strategies[1] \"" + "n".repeat(200) + "…\": its client is registered at "
        + "the authorization server \"okta?[2J\""), run.err());
    assertFalse(run.err().contains("n".repeat(201)), "a long name is cut");
  }

  /** In an archive an application's OAuth clients are its strategies: one the archive lacks is named. */
  @Test
  void anApplicationWhoseStrategiesTheArchiveLacks() throws Exception {
    Map<String, byte[]> entries = WebMethodsExports.archiveFrame();
    entries.put("Application/Application.app1/Application.app1",
        utf8("{\"id\": \"app1\", \"name\": \"Orders portal\", \"authStrategyIds\": [\"missing-strategy\"]}"));
    Run run = WebMethodsExports.run(dir, WebMethodsExports.zip(entries), secrets);
    assertEquals(1, run.exit());
    assertEquals("", run.out());
    assertTrue(run.err().contains("skipped   Application.app1 \"Orders portal\": its strategy \"missing-strategy\" is not "
        + "in the archive: export the application together with its strategies"), run.err());
  }

  @Test
  void jsonOfAnotherShape() throws Exception {
    refused(utf8("{\"apis\": []}"), "the export is JSON, but not what webMethods exports");
    refused(utf8("[1, 2, 3]"), "the export is JSON, but not what webMethods exports");
    refused(utf8("{\"strategies\": [42]}"), "strategies[0]: not a JSON object");
  }

  @Test
  void anOAuthStrategyWithoutAClientId() throws Exception {
    String strategy = "{\"name\": \"Nameless\", \"type\": \"OAUTH2\", \"authServerAlias\": \"local\","
        + " \"dcrConfig\": {\"clientType\": \"PUBLIC\", \"redirectUris\": [\"https://a.example.com/cb\"]}}";
    refused(utf8("{\"strategies\": [" + strategy + "]}"),
        "strategies[0] \"Nameless\": an OAUTH2 strategy without a client id");
    refused(archiveWith("Strategy/Strategy/Strategy.9/Strategy.9", utf8(strategy)),
        "Strategy.9 \"Nameless\": an OAUTH2 strategy without a client id");
    refused(utf8("{\"applications\": [{\"name\": \"Idless\", \"oauth_credentials\": {\"clientSecret\": \"x\"}}]}"),
        "applications[0] \"Idless\": OAuth credentials without a client id (clientID)");
  }

  @Test
  void entriesThatClimbOutOfTheArchive() throws Exception {
    byte[] strategy = WebMethodsExports.fixture("strategy-10.7-clear-secret.json");
    refused(archiveWith("../../etc/cron.d/Strategy.x", strategy), "the archive is refused: the entry \"../../etc/cron.d/Strategy.x\" climbs out");
    refused(archiveWith("Strategy/../../Strategy.x", strategy), "climbs out of the archive (..)");
    refused(archiveWith("Strategy\\..\\..\\Strategy.x", strategy), "climbs out of the archive (..)");
    refused(archiveWith("/etc/Strategy.x", strategy), "has an absolute name");
    refused(archiveWith("C:\\Windows\\Strategy.x", strategy), "has an absolute name");
  }

  @Test
  void anEntryNamedTwice() throws Exception {
    Map<String, byte[]> entries = WebMethodsExports.archiveFrame();
    entries.put("Alias/Alias.local", WebMethodsExports.fixture("alias-local.json"));
    entries.put("Alias/Alias.locaX", WebMethodsExports.fixture("alias-endpoint.json"));
    // ZipOutputStream refuses a name twice; an attacker's tool does not. Same length, so only the names change.
    byte[] zip = WebMethodsExports.zip(entries);
    byte[] from = utf8("Alias/Alias.locaX");
    for (int i = 0; i + from.length <= zip.length; i++) {
      if (Arrays.equals(zip, i, i + from.length, from, 0, from.length)) {
        zip[i + from.length - 1] = 'l';
      }
    }
    refused(zip, "the entry \"Alias/Alias.local\" appears twice");
  }

  @Test
  void aZipBomb() throws Exception {
    // 8 MiB of zeros packs into a few KiB: over the ratio, under every size limit.
    refused(archiveWith("Strategy/Strategy/Strategy.z/Strategy.z", new byte[8 << 20]), "times its packed size (a ZIP bomb?)");
    refused(archiveWith("API/huge", new byte[20 << 20]), "unpacks to more than 16777216 bytes");
  }

  @Test
  void archiveLimitsAreCountedWhileUnpacking() {
    byte[] archive = WebMethodsExports.archive1015();
    ExportException entries = assertThrows(ExportException.class,
        () -> ExportReader.read(archive, new ArchiveReader.Limits(5, 1 << 20, 1 << 20, 100, 1 << 20)));
    assertTrue(entries.getMessage().contains("more than 5 entries"), entries.getMessage());
    ExportException total = assertThrows(ExportException.class,
        () -> ExportReader.read(archive, new ArchiveReader.Limits(100, 1 << 20, 2000, 100, 1 << 20)));
    assertTrue(total.getMessage().contains("it unpacks to more than 2000 bytes"), total.getMessage());
    ExportException entry = assertThrows(ExportException.class,
        () -> ExportReader.read(archive, new ArchiveReader.Limits(100, 500, 1 << 20, 100, 1 << 20)));
    assertTrue(entry.getMessage().contains("unpacks to more than 500 bytes"), entry.getMessage());
    ExportException ratio = assertThrows(ExportException.class,
        () -> ExportReader.read(archive, new ArchiveReader.Limits(100, 1 << 20, 1 << 20, 1, 100)));
    assertTrue(ratio.getMessage().contains("(a ZIP bomb?)"), ratio.getMessage());
  }

  @Test
  void archivesThatAreNotExports() throws Exception {
    byte[] whole = WebMethodsExports.archive107();
    refused(Arrays.copyOf(whole, whole.length / 2), "not a readable ZIP archive");
    refused(WebMethodsExports.zip(new LinkedHashMap<>()), "an empty ZIP archive");
    refused(utf8("PK\u0003\u0004garbage"), "not a readable ZIP archive: no entry could be read from it");
    refused(WebMethodsExports.zip(Map.of("README.txt", utf8("hello"))), "not an API Gateway export: it has no Strategy");
    refused(archiveWith("Alias/Alias.x", utf8("[]")), "Alias/Alias.x: not a JSON object");
  }

  @Test
  void filesThatCannotBeRead() throws Exception {
    Run missing = WebMethodsExports.runArgs(secrets, dir.resolve("absent.zip").toString());
    assertEquals(1, missing.exit());
    assertTrue(missing.err().contains("absent.zip: no such file"), missing.err());
    Run directory = WebMethodsExports.runArgs(secrets, dir.toString());
    assertEquals(1, directory.exit());
    assertTrue(directory.err().contains(": is a directory; give the export file itself"), directory.err());
    Path huge = dir.resolve("huge.zip");
    try (RandomAccessFile file = new RandomAccessFile(huge.toFile(), "rw")) {
      file.setLength(65L << 20); // sparse: nothing is written
    }
    Run tooLarge = WebMethodsExports.runArgs(secrets, huge.toString());
    assertEquals(1, tooLarge.exit());
    assertEquals("", tooLarge.out());
    assertTrue(tooLarge.err().contains("larger than 67108864 bytes"), tooLarge.err());
  }
}
