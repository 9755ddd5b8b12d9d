package io.portcullis.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's walkthrough, run as a newcomer runs it: {@code bin/serve} starts the built WAR in
 * the real Tomcat it uses (with {@code --no-build}, on a free port, in a directory of this test's
 * own), and the walkthrough's shell blocks, taken from README.md, run in order in one bash. Every
 * answer the README shows as a comment below a command must be what that command printed, so the
 * README and the product cannot drift apart.
 *
 * <p>A block is read as units: consecutive command lines, then the comment lines right below them
 * (no blank line between) as what they print, with {@code …} standing for any text. A comment
 * after a blank line, or at the top of a block, explains and is not checked; a unit with no
 * comment below it must print nothing. {@code localhost:8080} becomes this run's port, in
 * commands and answers alike.
 *
 * <p>The same Tomcat shows what {@code bin/serve} promises a newcomer: the issuer follows
 * {@code PORT}, the logs of earlier runs are kept, and the access log holds no query string.
 */
class WalkthroughIT {

  static final Path README = Path.of("README.md");
  static final String SECTION = "## Walkthrough";

  static Path dir;
  static ContainerProcess tomcat;
  static int port;

  @BeforeAll
  static void serve() throws Exception {
    dir = Files.createTempDirectory(Files.createDirectories(Path.of("target/container-runs").toAbsolutePath()),
        "walkthrough-");
    // A log of an earlier run, which bin/serve must leave in place.
    Files.createDirectories(dir.resolve("serve/logs"));
    Files.writeString(dir.resolve("serve/.portcullis-serve"), "");
    Files.writeString(dir.resolve("serve/logs/earlier-run.log"), "kept\n");
    port = ContainerProcess.freePort();
    // The example, whatever this shell says.
    tomcat = ContainerProcess.start("bin-serve", List.of(Path.of("bin/serve").toAbsolutePath().toString(),
        "--no-build"), serveEnvironment(port, dir.resolve("serve"), Path.of("conf/portcullis.json").toAbsolutePath()),
        dir, port, List.of("/"));
    // Before anything else: Tomcat logs the first request line it cannot parse in full, query
    // included, and only the first (later ones at debug level).
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.getOutputStream().write(("GET /api/orders?access_token=" + UNPARSABLE_MARKER + "{x} HTTP/1.1\r\n"
          + "Host: localhost\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      unparsableAnswer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  /** What bin/serve is started with here: its port, directory and config, and nothing from this shell. */
  static Map<String, String> serveEnvironment(int port, Path serveDir, Path config) {
    Map<String, String> environment = new LinkedHashMap<>();
    environment.put("PORT", Integer.toString(port));
    environment.put("SERVE_DIR", serveDir.toString());
    environment.put("JAVA_HOME", System.getProperty("java.home"));
    environment.put("JAVA_OPTS", "-Xmx256m");
    environment.put("CATALINA_OPTS", "");
    // The Tomcat the build copied (pom.xml); bin/serve's own default must name the same one.
    environment.put("TOMCAT_VERSION", System.getProperty("portcullis.tomcat10.version", "10.1.59"));
    environment.put("PORTCULLIS_CONFIG", config.toString());
    return environment;
  }

  static final String UNPARSABLE_MARKER = "zqunparsablezq";
  static String unparsableAnswer;

  @AfterAll
  static void stop() {
    if (tomcat != null) {
      tomcat.close();
    }
  }

  // ---- the walkthrough ----

  /** Commands and the lines the README says they print. */
  record Unit(List<String> commands, List<String> expected) {}

  @Test
  void theWalkthroughRunsAsPastedAndAnswersAsShown() throws Exception {
    List<Unit> units = units(walkthroughBlocks());
    // A rewritten section that lost its checks would pass vacuously: it holds the whole procedure.
    assertTrue(units.stream().filter(u -> !u.expected().isEmpty()).count() >= 10,
        "the walkthrough shows fewer answers than expected: " + units);

    StringBuilder script = new StringBuilder("set -e -o pipefail\n");
    for (int i = 0; i < units.size(); i++) {
      script.append("printf '\\n@@unit ").append(i).append("\\n'\n");
      units.get(i).commands().forEach(line -> script.append(line).append('\n'));
    }
    Path work = Files.createDirectories(dir.resolve("shell"));
    Path file = work.resolve("walkthrough.sh");
    Files.writeString(file, script);

    Process bash = new ProcessBuilder("bash", file.toString()).directory(work.toFile())
        .redirectError(work.resolve("stderr.txt").toFile()).start();
    String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(bash.waitFor(120, TimeUnit.SECONDS), "the walkthrough did not finish");
    String transcript = "\n--- script ---\n" + script + "\n--- output ---\n" + output + "\n--- stderr ---\n"
        + Files.readString(work.resolve("stderr.txt"));
    assertEquals(0, bash.exitValue(), "a walkthrough command failed" + transcript);

    List<List<String>> printed = printedByUnit(output, units.size());
    for (int i = 0; i < units.size(); i++) {
      Unit unit = units.get(i);
      List<String> actual = printed.get(i);
      String where = "walkthrough command:\n  " + String.join("\n  ", unit.commands()) + "\nprinted:\n  "
          + String.join("\n  ", actual) + "\nREADME shows:\n  " + String.join("\n  ", unit.expected());
      assertEquals(unit.expected().size(), actual.size(), where + transcript);
      for (int line = 0; line < actual.size(); line++) {
        assertTrue(matches(unit.expected().get(line), actual.get(line)), where + transcript);
      }
    }
  }

  /** The {@code sh} blocks of the walkthrough section, with this run's port. */
  static List<List<String>> walkthroughBlocks() throws IOException {
    String readme = Files.readString(README);
    int start = readme.indexOf("\n" + SECTION);
    assertTrue(start >= 0, "README.md has no section '" + SECTION + "'");
    int end = readme.indexOf("\n## ", start + 1);
    String section = readme.substring(start, end < 0 ? readme.length() : end)
        .replace("localhost:8080", "localhost:" + port)
        .replace("localhost%3A8080", "localhost%3A" + port);
    List<List<String>> blocks = new ArrayList<>();
    List<String> block = null;
    for (String line : section.split("\n", -1)) {
      if (block == null && line.startsWith("```")) {
        // Every block of the walkthrough is run: one in another language would go unchecked.
        assertEquals("```sh", line, "the walkthrough's code blocks are all sh blocks");
        block = new ArrayList<>();
      } else if (block != null && line.equals("```")) {
        blocks.add(block);
        block = null;
      } else if (block != null) {
        block.add(line);
      }
    }
    assertTrue(block == null, "an sh block of the walkthrough is not closed");
    return blocks;
  }

  static List<Unit> units(List<List<String>> blocks) {
    List<Unit> units = new ArrayList<>();
    for (List<String> block : blocks) {
      List<String> commands = new ArrayList<>();
      List<String> expected = new ArrayList<>();
      for (String line : block) {
        boolean comment = line.startsWith("#");
        if (line.isBlank() || (comment && commands.isEmpty())) {
          // a blank line ends a unit; a comment that follows no command explains
          addUnit(units, commands, expected);
          commands = new ArrayList<>();
          expected = new ArrayList<>();
        } else if (comment) {
          expected.add(line.startsWith("# ") ? line.substring(2) : line.substring(1));
        } else {
          if (!expected.isEmpty()) {
            addUnit(units, commands, expected);
            commands = new ArrayList<>();
            expected = new ArrayList<>();
          }
          commands.add(line);
        }
      }
      addUnit(units, commands, expected);
    }
    return units;
  }

  private static void addUnit(List<Unit> units, List<String> commands, List<String> expected) {
    if (!commands.isEmpty()) {
      units.add(new Unit(List.copyOf(commands), List.copyOf(expected)));
    }
  }

  /** What each unit printed, line by line, without the blank lines the markers bring. */
  static List<List<String>> printedByUnit(String output, int count) {
    List<List<String>> printed = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String marker = "@@unit " + i + "\n";
      int from = output.indexOf(marker);
      assertTrue(from >= 0, "unit " + i + " never ran:\n" + output);
      from += marker.length();
      int to = i + 1 < count ? output.indexOf("\n@@unit " + (i + 1) + "\n", from) : output.length();
      String text = output.substring(from, Math.max(from, to));
      printed.add(text.lines().map(String::stripTrailing).filter(l -> !l.isEmpty()).toList());
    }
    return printed;
  }

  /** {@code …} in an answer the README shows stands for any text. */
  static boolean matches(String shown, String printed) {
    String regex = Pattern.compile("…").splitAsStream(shown).map(Pattern::quote)
        .collect(Collectors.joining(".*"));
    if (shown.endsWith("…")) {
      regex += ".*";
    }
    return printed.matches(regex);
  }

  // ---- what bin/serve promises ----

  @Test
  void theIssuerFollowsThePort() throws Exception {
    HttpResponse<String> metadata = get("/.well-known/oauth-authorization-server");
    assertEquals(200, metadata.statusCode(), metadata.body());
    assertTrue(metadata.body().startsWith("{\"issuer\":\"http://localhost:" + port + "\","), metadata.body());
  }

  @Test
  void theLogsOfEarlierRunsAreKept() throws Exception {
    Path logs = dir.resolve("serve/logs");
    assertEquals("kept\n", Files.readString(logs.resolve("earlier-run.log")));
    try (var files = Files.list(logs)) {
      assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith("catalina.")), "Tomcat logs to " + logs);
    }
  }

  @Test
  void binServeLeavesADirectoryOfSomeoneElsesAlone() throws Exception {
    Path foreign = Files.createDirectories(dir.resolve("foreign/conf"));
    Files.writeString(foreign.resolve("precious.txt"), "mine\n");
    ProcessBuilder serve = new ProcessBuilder(Path.of("bin/serve").toAbsolutePath().toString(), "--no-build")
        .redirectErrorStream(true);
    serve.environment().put("SERVE_DIR", dir.resolve("foreign").toString());
    serve.environment().put("PORT", Integer.toString(ContainerProcess.freePort()));
    Process process = serve.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS));
    assertEquals(1, process.exitValue(), output);
    assertTrue(output.contains("is not empty and was not made by bin/serve"), output);
    assertEquals("mine\n", Files.readString(foreign.resolve("precious.txt")));
  }

  @Test
  void binServeDefaultsToTheTomcatTheBuildTests() throws Exception {
    String version = System.getProperty("portcullis.tomcat10.version", "10.1.59");
    assertTrue(Files.readString(Path.of("bin/serve")).contains("tomcat_version=${TOMCAT_VERSION:-" + version + "}"),
        "bin/serve's default Tomcat is not pom.xml's tomcat10.version " + version);
  }

  @Test
  void tomcatsOwnErrorPagesRepeatNothing() throws Exception {
    // A request line Tomcat itself refuses (a bad %-escape): Portcullis never sees it.
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.getOutputStream().write(("GET /a%zz?access_token=zqerrorpagezq HTTP/1.1\r\nHost: localhost\r\n"
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
      assertFalse(answer.contains("zqerrorpagezq"), answer);
      assertFalse(answer.contains("Apache Tomcat/"), answer);
    }
  }

  @Test
  void theAccessLogHoldsNoQueryString() throws Exception {
    String marker = "zqaccesslogzq";
    assertEquals(401, get("/api/orders?access_token=" + marker).statusCode());
    assertEquals(400, get("/invoke/pub.apigateway.oauth2/authorize?password=" + marker + "&client_id=x").statusCode());
    HttpResponse<String> token = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/invoke/pub.apigateway.oauth2/getAccessToken?token=" + marker))
        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
        .header("Content-Type", "application/x-www-form-urlencoded").build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(400, token.statusCode(), token.body());

    // Tomcat writes the line once the response is out: the client may read the answer first.
    String accessLog = "";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!accessLog.contains("POST /invoke/pub.apigateway.oauth2/getAccessToken") && System.nanoTime() < deadline) {
      Thread.sleep(50);
      try (var files = Files.list(dir.resolve("serve/logs"))) {
        Path log = files.filter(f -> f.getFileName().toString().startsWith("localhost_access_log")).findFirst()
            .orElseThrow(() -> new AssertionError("no access log in " + dir.resolve("serve/logs")));
        accessLog = Files.readString(log);
      }
    }
    assertTrue(accessLog.contains("\"GET /api/orders HTTP/1.1\" 401"), accessLog);
    assertTrue(accessLog.contains("\"POST /invoke/pub.apigateway.oauth2/getAccessToken HTTP/1.1\" 400"), accessLog);
    assertFalse(accessLog.contains(marker), accessLog);
  }

  @Test
  void onAnotherPortAnEditOfTheConfigStillAppliesWhileItRuns() throws Exception {
    // bin/serve runs a copy of the config whose issuer names the port: the copy follows the
    // original, so hot reload works as it does on port 8080.
    Path work = Files.createDirectories(dir.resolve("edited"));
    Path original = work.resolve("portcullis.json");
    Files.writeString(original, Files.readString(Path.of("conf/portcullis.json")));
    int otherPort = ContainerProcess.freePort();
    try (ContainerProcess edited = ContainerProcess.start("bin-serve-edited", List.of(
        Path.of("bin/serve").toAbsolutePath().toString(), "--no-build"),
        serveEnvironment(otherPort, work.resolve("serve"), original), work, otherPort, List.of("/"))) {
      String page = "/invoke/pub.apigateway.oauth2/authorize?response_type=code"
          + "&client_id=374b1fae-4405-411b-85a0-6e1ab90923ba&redirect_uri=http://test.com&scope=email"
          + "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGeSJiw_cM&code_challenge_method=S256";
      assertTrue(get(otherPort, page).body().contains("Test application"));
      Files.writeString(original, Files.readString(original).replace("\"Test application\"", "\"Edited application\""));
      String body = "";
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (!body.contains("Edited application") && System.nanoTime() < deadline) {
        Thread.sleep(200);
        body = get(otherPort, page).body();
      }
      assertTrue(body.contains("Edited application"), "the edit did not apply within 15 s:\n" + edited.logTail());
      HttpResponse<String> metadata = get(otherPort, "/.well-known/oauth-authorization-server");
      assertTrue(metadata.body().startsWith("{\"issuer\":\"http://localhost:" + otherPort + "\","), metadata.body());
    }
  }

  @Test
  void mavenPrintsNoTerminalEscapeCodes() throws Exception {
    // Debian's Maven resets the terminal's colours at start and end even with -B; bin/test and
    // bin/serve's build log would show ESC[0m (.mvn/jvm.config turns it off).
    Process maven = new ProcessBuilder("mvn", "-B", "-o", "-q", "validate").redirectErrorStream(true).start();
    String output = new String(maven.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    assertTrue(maven.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, maven.exitValue(), output);
    assertFalse(output.contains("\u001b"), "escape codes in: " + output.replace("\u001b", "ESC"));
  }

  @Test
  void aRequestLineTomcatCannotParseLeavesNoSecretInAnyLog() throws Exception {
    assertTrue(unparsableAnswer.startsWith("HTTP/1.1 400"), unparsableAnswer);
    // Tomcat's file handlers write asynchronously: give them time to show a leak.
    Thread.sleep(1500);
    List<Path> leaking = new java.util.ArrayList<>();
    try (var files = Files.walk(dir)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        if (new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(UNPARSABLE_MARKER)) {
          leaking.add(file);
        }
      }
    }
    assertEquals(List.of(), leaking, "the query of an unparsable request line was logged");
  }

  private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return get(port, path);
  }

  private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .build(), HttpResponse.BodyHandlers.ofString());
  }
}
