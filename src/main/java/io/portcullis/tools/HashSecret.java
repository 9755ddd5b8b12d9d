package io.portcullis.tools;

import io.portcullis.config.StoredSecret;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Prints the config-file form of a secret:
 *
 * <pre>
 *   java -cp target/portcullis-classes.jar io.portcullis.tools.HashSecret password   # {pbkdf2-sha256}...
 *   java -cp target/portcullis-classes.jar io.portcullis.tools.HashSecret client     # {sha256}...
 * </pre>
 *
 * The secret is read from the terminal without echo, or from standard input when piped; never
 * from the command line, where it would land in the shell history and the process list.
 */
public final class HashSecret {

  private HashSecret() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1 || !(args[0].equals("password") || args[0].equals("client"))) {
      System.err.println("usage: HashSecret password|client   (the secret is read from the terminal or stdin)");
      System.err.println("  password  a user's password      -> {pbkdf2-sha256}, slow on purpose");
      System.err.println("  client    a long random client secret -> {sha256}, fast");
      System.exit(2);
    }
    String secret = readSecret();
    if (secret == null || secret.isEmpty()) {
      System.err.println("no secret given");
      System.exit(2);
    }
    String scheme = args[0].equals("password") ? StoredSecret.PBKDF2 : StoredSecret.SHA256;
    if (scheme.equals(StoredSecret.SHA256) && secret.length() < 32) {
      System.err.println("warning: client secrets hashed with {sha256} should be long random strings "
          + "(32+ characters, e.g. `openssl rand -hex 32`)");
    }
    System.out.println(StoredSecret.hash(scheme, secret));
  }

  private static String readSecret() throws IOException {
    Console console = System.console();
    if (console != null) {
      char[] typed = console.readPassword("Secret: ");
      return typed == null ? null : new String(typed);
    }
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    return in.readLine();
  }
}
