package io.portcullis.tools;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Incident revocation from a shell: asks a running Portcullis node's {@code admin/revoke} to
 * refuse everything of one client, or everything one user approved — on every node that shares its
 * store.
 *
 * <pre>
 * java -cp portcullis-classes.jar io.portcullis.tools.Revoke https://gw.example.com/portcullis client_id=orders-app
 * java -cp portcullis-classes.jar io.portcullis.tools.Revoke https://gw.example.com/portcullis username=alice
 * </pre>
 *
 * The operator (role {@code admin}) is {@code PORTCULLIS_OPERATOR}, or {@code --operator NAME};
 * the password {@code PORTCULLIS_OPERATOR_PASSWORD}, or asked for on the terminal, or the first
 * line of standard input when there is no terminal (piped, as {@link HashSecret} reads a secret) —
 * never an argument, which other users of the machine could read. Prints the node's answer; exits 0 when
 * it revoked, 1 when the node refused or could not be reached, 2 on a usage mistake.
 */
public final class Revoke {
  private Revoke() {}

  static final String OPERATOR_ENV = "PORTCULLIS_OPERATOR";
  static final String PASSWORD_ENV = "PORTCULLIS_OPERATOR_PASSWORD";

  public static void main(String[] args) {
    Console console = System.console();
    int code = run(args, System::getenv, () -> {
      if (console == null) {
        return firstLine(System.in);
      }
      char[] typed = console.readPassword("password of the operator: ");
      return typed == null ? null : new String(typed);
    }, System.out, System.err);
    System.exit(code);
  }

  /** A password piped in: the first line, without its line break; {@code null} when there is none or it cannot be read. */
  static String firstLine(InputStream in) {
    try {
      String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
      return line == null || line.isEmpty() ? null : line;
    } catch (IOException unreadable) {
      return null; // answered as no password at all, with what to do instead
    }
  }

  /** The command without {@link System#exit}: {@code environment} and {@code askPassword} are the world's. */
  public static int run(String[] args, Function<String, String> environment, Supplier<String> askPassword,
      PrintStream out, PrintStream err) {
    String operator = environment.apply(OPERATOR_ENV);
    String base = null;
    String subject = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--operator") && i + 1 < args.length) {
        operator = args[++i];
      } else if (base == null && !args[i].startsWith("-")) {
        base = args[i];
      } else if (subject == null && (args[i].startsWith("client_id=") || args[i].startsWith("username="))) {
        subject = args[i];
      } else {
        return usage(err, "unexpected argument " + (args[i].startsWith("-") ? args[i] : "#" + (i + 1)));
      }
    }
    if (base == null || subject == null) {
      return usage(err, base == null ? "the URL of operations.path is missing" : "client_id=… or username=… is missing");
    }
    if (operator == null || operator.isEmpty()) {
      return usage(err, "no operator: set " + OPERATOR_ENV + " or give --operator NAME");
    }
    String password = environment.apply(PASSWORD_ENV);
    if (password == null) {
      password = askPassword.get();
      if (password == null) {
        return usage(err, "no password: set " + PASSWORD_ENV + ", or type it when asked on a terminal, or pipe it "
            + "in as the first line of standard input");
      }
    }
    URI uri;
    try {
      uri = URI.create(base.replaceAll("/+$", "") + "/admin/revoke");
      if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
        return usage(err, "the URL must be https://host[:port]/<operations.path>");
      }
      if ("http".equals(uri.getScheme()) && !isLoopback(uri.getHost())) {
        // The operator's password would cross the network in clear before the node could refuse.
        return usage(err, "http:// only to this machine (localhost); use https:// for another host");
      }
    } catch (IllegalArgumentException e) {
      return usage(err, "the URL is not a valid URI");
    }
    int eq = subject.indexOf('=');
    String form = subject.substring(0, eq) + "=" + URLEncoder.encode(subject.substring(eq + 1), StandardCharsets.UTF_8);
    String credentials = Base64.getEncoder().encodeToString((operator + ":" + password).getBytes(StandardCharsets.UTF_8));
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Basic " + credentials)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form))
        .build();
    try {
      HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
          .send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 200) {
        out.println(response.body());
        return 0;
      }
      err.println("revoke: " + uri + " answered " + response.statusCode() + ": " + response.body());
      return 1;
    } catch (IOException e) {
      err.println("revoke: " + uri + " could not be reached: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()));
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("revoke: interrupted");
      return 1;
    }
  }

  private static boolean isLoopback(String host) {
    if (host == null) {
      return false;
    }
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    return bare.equals("localhost") || bare.startsWith("127.") || bare.equals("::1");
  }

  private static int usage(PrintStream err, String problem) {
    err.println("revoke: " + problem);
    err.println("usage: java -cp portcullis-classes.jar io.portcullis.tools.Revoke [--operator NAME] "
        + "https://host/<operations.path> client_id=ID | username=NAME");
    err.println("  the operator (role admin) from " + OPERATOR_ENV + " or --operator; the password from "
        + PASSWORD_ENV + ", or asked for");
    return 2;
  }
}
