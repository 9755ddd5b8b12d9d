package io.portcullis.tools.webmethods;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.portcullis.tools.ImportWebMethods;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Exports as webMethods API Gateway writes them, built for the tests from the documented shapes
 * (the JSON fixtures beside this class's resources), and the import command run on them.
 */
public final class WebMethodsExports {
  private WebMethodsExports() {}

  /** The clear-text secret of the 10.7 archive's strategy: it must never be printed. */
  public static final String CLEAR_SECRET_107 = "clear-text-secret-from-10-7-export-5f2a9c";
  /** The clear-text secret of the 10.1 application. */
  public static final String CLEAR_SECRET_101 = "crm-clear-secret-0123456789abcdef0123";

  /** One fixture under {@code src/test/resources/io/portcullis/tools/webmethods/}. */
  public static byte[] fixture(String name) {
    try (InputStream in = WebMethodsExports.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A ZIP of these entries, deflated, in this order. */
  public static byte[] zip(Map<String, byte[]> entries) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(entry.getKey()));
        zip.write(entry.getValue());
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** The entries every archive has besides the assets: the manifest and the export report. */
  public static Map<String, byte[]> archiveFrame() {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("APIGatewayAssets.acdl", ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ACDL version=\"1.0\">"
        + "<Asset type=\"Strategy\"/><Asset type=\"Application\"/><Asset type=\"Alias\"/></ACDL>\n")
        .getBytes(StandardCharsets.UTF_8));
    entries.put("ExportReport.json", "{\"status\":\"SUCCESS\",\"assets\":[]}".getBytes(StandardCharsets.UTF_8));
    return entries;
  }

  /** A 10.7-style archive: one strategy with a clear-text secret, its application, the local alias. */
  public static byte[] archive107() {
    Map<String, byte[]> entries = archiveFrame();
    String strategy = "Strategy.5d1f7c2e-10a7-4b8e-9c31-0b7e2f7a1c01";
    entries.put("Strategy/Strategy/" + strategy + "/" + strategy, fixture("strategy-10.7-clear-secret.json"));
    String application = "Application.9f3d2a10-7c1e-4f5a-8d2b-3e4f5a6b7c80";
    entries.put("Application/" + application + "/" + application, fixture("application-10.15.json"));
    entries.put("Alias/Alias.local", fixture("alias-local.json"));
    return zip(entries);
  }

  /**
   * A 10.15-style archive: masked secrets, pkceType, a public client, a client known only from the
   * clientRegistration view, a JWT strategy, a strategy of an external server, two aliases, and the
   * encrypted PassmanData that really holds the secrets.
   */
  public static byte[] archive1015() {
    Map<String, byte[]> entries = archiveFrame();
    for (String[] strategy : new String[][] {{"a8c4e1f0-1015-4c2d-b6e7-5a9b0c1d2e03", "strategy-10.15-masked.json"},
        {"c2d3e4f5-1015-4a6b-8c7d-9e0f1a2b3c05", "strategy-10.15-public.json"},
        {"d4e5f6a7-1015-4b8c-9d0e-1f2a3b4c5d07", "strategy-registration-only.json"},
        {"e6f7a8b9-1015-4c0d-8e1f-2a3b4c5d6e09", "strategy-jwt.json"},
        {"f8a9b0c1-1015-4d2e-9f3a-4b5c6d7e8f0b", "strategy-external.json"}}) {
      String name = "Strategy." + strategy[0];
      entries.put("Strategy/Strategy/" + name + "/" + name, fixture(strategy[1]));
    }
    entries.put("Alias/Alias.local", fixture("alias-local.json"));
    entries.put("Alias/Alias.b1c2d3e4-aaaa-4bbb-8ccc-000000000011", fixture("alias-endpoint.json"));
    entries.put("PassmanData/PassmanData.a8c4e1f0", new byte[] {0x13, 0x37, 0x00, (byte) 0xfe, 0x42});
    return zip(entries);
  }

  private static final Pattern ROTATED = Pattern.compile("(?m)^  secret rotated  (\\S+)  ([0-9a-f]{64})$");

  /** What one run of the command did. */
  public record Run(int exit, String out, String err) {
    /** The new secret the report gives for {@code clientId}, asserting it is printed there once and nowhere else. */
    public String rotatedSecret(String clientId) {
      Matcher matcher = ROTATED.matcher(err);
      String secret = null;
      while (matcher.find()) {
        if (matcher.group(1).equals(clientId)) {
          secret = matcher.group(2);
        }
      }
      assertNotNull(secret, "no rotated secret for " + clientId + " in\n" + err);
      assertEquals(1, err.split(secret, -1).length - 1, "the new secret is printed once");
      assertFalse(out.contains(secret), "the config holds only its hash");
      return secret;
    }
  }

  /** Writes {@code export} to {@code dir} and runs the command on it with {@code more} arguments. */
  public static Run run(Path dir, byte[] export, Supplier<String> newSecret, String... more) throws IOException {
    Path file = Files.createTempFile(dir, "export", "");
    Files.write(file, export);
    String[] args = new String[more.length + 1];
    args[0] = file.toString();
    System.arraycopy(more, 0, args, 1, more.length);
    return runArgs(newSecret, args);
  }

  public static Run runArgs(Supplier<String> newSecret, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = ImportWebMethods.run(args, newSecret, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
