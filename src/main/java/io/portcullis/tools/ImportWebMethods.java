package io.portcullis.tools;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.portcullis.config.ConfigException;
import io.portcullis.config.ConfigLoader;
import io.portcullis.json.StrictJson;
import io.portcullis.oauth.RandomValues;
import io.portcullis.tools.webmethods.ConfigImport;
import io.portcullis.tools.webmethods.Export;
import io.portcullis.tools.webmethods.ExportException;
import io.portcullis.tools.webmethods.ExportReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Turns what webMethods API Gateway exports into a Portcullis config:
 *
 * <pre>
 * java -cp portcullis-classes.jar io.portcullis.tools.ImportWebMethods EXPORT [--merge CONFIG] &gt; portcullis.json
 * </pre>
 *
 * {@code EXPORT} is an API Gateway export archive, the JSON of {@code /rest/apigateway/strategies}
 * (or of one strategy), or the JSON of {@code /rest/apigateway/applications} of a 10.1-era gateway;
 * which one is told from its content ({@link ExportReader}). {@code --merge CONFIG} keeps that
 * config's users, routes and settings and adds or replaces clients by id.
 *
 * <p>The config goes to standard output, and only once Portcullis's own loader has accepted it; the
 * report (imported, changed and why, skipped and why, totals, and each newly generated secret, once)
 * goes to standard error. Exits 0 when at least one client was imported; 1 when none could be (an
 * unreadable or malicious export, a CONFIG that is not valid, nothing importable), with nothing on
 * standard output; 2 on a usage mistake.
 */
public final class ImportWebMethods {
  private ImportWebMethods() {}

  /** No export of a gateway's OAuth clients comes near this; a larger file is refused unread. */
  static final long MAX_EXPORT_BYTES = 64L << 20;

  public static void main(String[] args) {
    RandomValues random = new RandomValues();
    // UTF-8 whatever the locale: Portcullis reads its config as UTF-8, and a name in the export may not be ASCII.
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    System.exit(run(args, random::token, out, err));
  }

  /** The command without {@link System#exit}: {@code newSecret} makes each secret the export does not hold. */
  public static int run(String[] args, Supplier<String> newSecret, PrintStream out, PrintStream err) {
    String export = null;
    String merge = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--merge") && i + 1 < args.length && merge == null) {
        merge = args[++i];
      } else if (export == null && !args[i].startsWith("-")) {
        export = args[i];
      } else {
        return usage(err, "unexpected argument " + (args[i].startsWith("-") ? args[i] : "#" + (i + 1)));
      }
    }
    if (export == null) {
      return usage(err, "the EXPORT file is missing");
    }
    try {
      JsonObject base = merge == null ? null : base(Path.of(merge));
      Export read = ExportReader.read(bytes(Path.of(export)));
      ConfigImport.Result result = ConfigImport.apply(read, base, newSecret);
      err.print(result.report().render());
      if (result.report().imported().isEmpty()) {
        err.println("import-webmethods: nothing could be imported; no config written");
        return 1;
      }
      // Proven before printed: what goes out is a config Portcullis starts with.
      ConfigLoader.load("the imported config", result.config());
      out.println(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(result.config()));
      return 0;
    } catch (ExportException e) {
      err.println("import-webmethods: " + export + ": " + e.getMessage());
      err.println("import-webmethods: nothing imported; no config written");
      return 1;
    } catch (ConfigException e) {
      err.println("import-webmethods: " + e.getMessage());
      err.println("import-webmethods: no config written");
      return 1;
    }
  }

  /** The export, read whole into memory (it is never unpacked to disk), up to {@link #MAX_EXPORT_BYTES}. */
  private static byte[] bytes(Path file) throws ExportException {
    try {
      if (Files.isDirectory(file)) {
        throw new ExportException("is a directory; give the export file itself");
      }
      if (!Files.isRegularFile(file)) {
        throw new ExportException("no such file");
      }
      if (Files.size(file) > MAX_EXPORT_BYTES) {
        throw new ExportException("larger than " + MAX_EXPORT_BYTES + " bytes; no export of OAuth clients is");
      }
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ExportException("cannot be read: " + e.getClass().getSimpleName());
    }
  }

  /** The config to merge into: it must already be a valid Portcullis config. */
  private static JsonObject base(Path file) throws ConfigException {
    String source = file.toString();
    ConfigLoader.load(file);
    try {
      JsonElement root = StrictJson.parse(Files.readString(file, StandardCharsets.UTF_8).replaceFirst("^\uFEFF", ""));
      return root.getAsJsonObject();
    } catch (IOException | StrictJson.MalformedJsonException e) {
      throw new ConfigException(source, java.util.List.of("changed while it was read"));
    }
  }

  private static int usage(PrintStream err, String problem) {
    err.println("import-webmethods: " + problem);
    err.println("usage: java -cp portcullis-classes.jar io.portcullis.tools.ImportWebMethods EXPORT [--merge CONFIG]");
    err.println("  EXPORT  an API Gateway archive (GET /rest/apigateway/archive), or the JSON of");
    err.println("          /rest/apigateway/strategies or (10.1) /rest/apigateway/applications");
    err.println("  --merge keep CONFIG's users, routes and settings; add or replace clients by id");
    err.println("  the config goes to stdout, the report to stderr; exit 0 imported, 1 nothing imported, 2 usage");
    return 2;
  }
}
