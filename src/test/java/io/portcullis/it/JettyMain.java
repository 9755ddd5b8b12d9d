package io.portcullis.it;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.security.HashLoginService;
import org.eclipse.jetty.security.SecurityHandler;
import org.eclipse.jetty.security.authentication.BasicAuthenticator;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.xml.XmlConfiguration;

/**
 * Runs Jetty 12 in one of its servlet environments, in a JVM of its own whose class path holds
 * only that environment's jars (ee10: Servlet 6.0, ee11: Servlet 6.1), the way a jetty-base does.
 * The environment's {@code WebAppContext} is looked up by name, so the same launcher serves both.
 *
 * <pre>
 * JettyMain ee10|ee11 PORT [--users realm.properties] DEPLOYMENT...
 *   DEPLOYMENT = contextPath|war|config           a WebAppContext with the init-parameter
 *              | xml:contextXml|webappsDir|config  a context XML as a jetty-base deploys it
 * </pre>
 *
 * Prints {@code READY} once every context is available; stops when its standard input closes or
 * on SIGTERM.
 */
public final class JettyMain {

  private JettyMain() {}

  public static void main(String[] args) throws Exception {
    String environment = args[0];
    int port = Integer.parseInt(args[1]);
    Server server = new Server(port);
    server.setStopAtShutdown(true);
    HashLoginService users = null;
    List<String> deployments = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      if (args[i].equals("--users")) {
        users = new HashLoginService("portcullis", ResourceFactory.of(server).newResource(Path.of(args[++i])));
        server.addBean(users);
      } else {
        deployments.add(args[i]);
      }
    }
    Class<?> webAppClass = Class.forName("org.eclipse.jetty." + environment + ".webapp.WebAppContext");
    ContextHandlerCollection contexts = new ContextHandlerCollection();
    List<Object> webapps = new ArrayList<>();
    for (String deployment : deployments) {
      Object webapp = webAppClass.getConstructor().newInstance();
      if (deployment.startsWith("xml:")) {
        String[] parts = deployment.substring(4).split("\\|");
        XmlConfiguration xml = new XmlConfiguration(ResourceFactory.of(server).newResource(Path.of(parts[0])));
        xml.getProperties().put("jetty.webapps", parts[1]);
        xml.getProperties().put("portcullis.config", parts[2]);
        xml.configure(webapp);
      } else {
        String[] parts = deployment.split("\\|");
        call(webapp, "setContextPath", parts[0]);
        call(webapp, "setWar", parts[1]);
        webAppClass.getMethod("setInitParameter", String.class, String.class)
            .invoke(webapp, "portcullis.config", parts[2]);
      }
      webAppClass.getMethod("setThrowUnavailableOnStartupException", boolean.class).invoke(webapp, true);
      if (users != null) {
        // As a jetty-base context file would: a login service and an authenticator to bind it to,
        // which HttpServletRequest.login needs ("userSource": "container").
        SecurityHandler security = (SecurityHandler) webAppClass.getMethod("getSecurityHandler").invoke(webapp);
        security.setLoginService(users);
        security.setAuthenticator(new BasicAuthenticator());
      }
      contexts.addHandler((Handler) webapp);
      webapps.add(webapp);
    }
    server.setHandler(contexts);
    server.start();
    System.out.println("READY " + environment + " " + port);
    System.out.flush();
    // The parent test closes our stdin (or dies) when it is done with us.
    while (System.in.read() >= 0) {
      // keep running
    }
    server.stop();
  }

  private static void call(Object target, String method, String value) throws Exception {
    target.getClass().getMethod(method, String.class).invoke(target, value);
  }
}
