package io.portcullis.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Jetty 12 in one servlet environment (ee10 or ee11), run by {@link JettyMain} in a JVM whose
 * class path holds only that environment's jars, copied by the build from Maven Central.
 */
public final class JettyContainer {

  private final String environment;
  private final Path workDir;
  private final int port;
  private final List<String> deployments = new ArrayList<>();
  private final List<String> contexts = new ArrayList<>();
  private Path users;

  private JettyContainer(String environment, Path workDir, int port) {
    this.environment = environment;
    this.workDir = workDir;
    this.port = port;
  }

  static JettyContainer of(String environment, Path workDir) throws IOException {
    return new JettyContainer(environment, Files.createDirectories(workDir.resolve("jetty-" + environment)),
        ContainerProcess.freePort());
  }

  int port() {
    return port;
  }

  /** A WebAppContext with the config as its context init-parameter. */
  JettyContainer deploy(String contextPath, Path config) {
    deployments.add(contextPath + "|" + PortcullisServer.war().toAbsolutePath() + "|" + config.toAbsolutePath());
    contexts.add(contextPath);
    return this;
  }

  /**
   * Another webapp (a directory) beside the WAR, with the config as its context init-parameter:
   * not waited for, since it has no token endpoint to probe.
   */
  JettyContainer deployOther(String contextPath, Path webappDir, Path config) {
    deployments.add(contextPath + "|" + webappDir.toAbsolutePath() + "|" + config.toAbsolutePath());
    return this;
  }

  /**
   * The WAR as a jetty-base deploys it from deploy/jetty/portcullis.xml: the WAR in a webapps
   * directory, the config path given as a property.
   */
  JettyContainer deployWithContextXml(String contextPath, Path config) throws IOException {
    Path webapps = Files.createDirectories(workDir.resolve("webapps"));
    Files.copy(PortcullisServer.war(), webapps.resolve("portcullis.war"));
    deployments.add("xml:" + Path.of("deploy/jetty/portcullis.xml").toAbsolutePath() + "|" + webapps + "|"
        + config.toAbsolutePath());
    contexts.add(contextPath);
    return this;
  }

  /** A HashLoginService realm file: {@code user: password,role,...} per line. */
  JettyContainer users(String realmProperties) throws IOException {
    users = workDir.resolve("realm.properties");
    Files.writeString(users, realmProperties);
    return this;
  }

  ContainerProcess start() throws IOException, InterruptedException {
    Path jars = Path.of(System.getProperty("portcullis.containers", "target/containers"), "jetty-" + environment);
    String classPath;
    try (Stream<Path> files = Files.list(jars)) {
      classPath = files.map(Path::toString).filter(f -> f.endsWith(".jar")).sorted()
          .collect(Collectors.joining(java.io.File.pathSeparator));
    }
    classPath += java.io.File.pathSeparator + Path.of("target/test-classes").toAbsolutePath();
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-cp", classPath,
        JettyMain.class.getName(), environment, Integer.toString(port)));
    if (users != null) {
      command.add("--users");
      command.add(users.toString());
    }
    command.addAll(deployments);
    return ContainerProcess.start("jetty-12.1-" + environment, command, Map.of(), workDir, port, contexts);
  }
}
