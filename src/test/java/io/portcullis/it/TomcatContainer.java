package io.portcullis.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real Apache Tomcat from its distribution archive (the one Maven Central serves), unpacked into
 * a directory of its own, with Portcullis deployed the ways {@code deploy/README.md} describes:
 * the WAR in {@code webapps/} and its config named by the context descriptor
 * {@code deploy/tomcat/portcullis.xml}, or by {@code -Dportcullis.config} as the systemd unit
 * {@code deploy/tomcat/portcullis-tomcat.service} sets it.
 */
public final class TomcatContainer {

  /** The placeholder path in the files under {@code deploy/}, replaced by a test's config. */
  static final String DEPLOY_CONFIG_PATH = "/etc/portcullis/portcullis.json";

  private final String name;
  private final Path home;
  private final int port;
  private final List<String> contexts = new ArrayList<>();

  private TomcatContainer(String name, Path home, int port) {
    this.name = name;
    this.home = home;
    this.port = port;
  }

  /** {@code version} is "10" or "11": the distributions the build copied (pom.xml). */
  static TomcatContainer unpack(String version, Path workDir) throws IOException, InterruptedException {
    Path archive = Path.of(System.getProperty("portcullis.tomcat" + version,
        "target/containers/tomcat-" + version + ".tar.gz"));
    if (!Files.isRegularFile(archive)) {
      throw new IllegalStateException(archive + " is missing: run the container tests with `mvn verify`");
    }
    Path home = Files.createDirectories(workDir.resolve("tomcat-" + version));
    run(List.of("tar", "-xzf", archive.toAbsolutePath().toString(), "-C", home.toString(), "--strip-components=1"));
    // Only what a test deploys: the distribution's sample applications are removed.
    try (var apps = Files.list(home.resolve("webapps"))) {
      for (Path app : apps.toList()) {
        run(List.of("rm", "-rf", app.toString()));
      }
    }
    int port = ContainerProcess.freePort();
    Path serverXml = home.resolve("conf/server.xml");
    Files.writeString(serverXml, Files.readString(serverXml)
        .replace("port=\"8080\"", "port=\"" + port + "\"")
        .replace("<Server port=\"8005\"", "<Server port=\"-1\""));
    String full = archive.getFileName().toString().replace(".tar.gz", "");
    return new TomcatContainer(full, home, port);
  }

  int port() {
    return port;
  }

  /** The WAR at {@code contextPath}, its config named by a copy of deploy/tomcat/portcullis.xml. */
  TomcatContainer deployWithContextDescriptor(String contextPath, Path config) throws IOException {
    String app = copyWar(contextPath);
    String descriptor = Files.readString(Path.of("deploy/tomcat/portcullis.xml"))
        .replace(DEPLOY_CONFIG_PATH, config.toAbsolutePath().toString());
    Path dir = Files.createDirectories(home.resolve("conf/Catalina/localhost"));
    Files.writeString(dir.resolve(app + ".xml"), descriptor);
    return this;
  }

  /** The WAR at {@code contextPath} with no descriptor: it finds its config by system property. */
  TomcatContainer deploy(String contextPath) throws IOException {
    copyWar(contextPath);
    return this;
  }

  TomcatContainer users(String tomcatUsersXml) throws IOException {
    Files.writeString(home.resolve("conf/tomcat-users.xml"), tomcatUsersXml);
    return this;
  }

  private String copyWar(String contextPath) throws IOException {
    String app = "/".equals(contextPath) ? "ROOT" : contextPath.substring(1).replace('/', '#');
    Files.copy(PortcullisServer.war(), home.resolve("webapps/" + app + ".war"));
    contexts.add(contextPath);
    return app;
  }

  /** Starts {@code bin/catalina.sh run} with the usual environment. */
  ContainerProcess start() throws IOException, InterruptedException {
    return start(List.of(home.resolve("bin/catalina.sh").toString(), "run"), catalinaEnvironment(""));
  }

  /** Starts the given command and environment: how a service manager would run this Tomcat. */
  ContainerProcess start(List<String> command, Map<String, String> environment)
      throws IOException, InterruptedException {
    return ContainerProcess.start(name, command, environment, home, port, contexts);
  }

  Map<String, String> catalinaEnvironment(String catalinaOpts) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("CATALINA_HOME", home.toString());
    env.put("CATALINA_BASE", home.toString());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("CATALINA_OPTS", catalinaOpts);
    env.put("JAVA_OPTS", "-Xmx256m");
    return env;
  }

  Path home() {
    return home;
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (process.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + output);
    }
  }
}
