package io.portcullis.web;

import io.portcullis.oauth.RequestContext;
import io.portcullis.oauth.UserAuthenticator;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.System.Logger.Level;
import java.security.Principal;
import java.util.Optional;

/**
 * {@code "userSource": "container"}: the approval page's credentials are checked by the servlet
 * container's own realm through {@link HttpServletRequest#login} — Tomcat's
 * {@code tomcat-users.xml} or any configured Realm (LDAP, JDBC), Jetty's {@code LoginService} —
 * and the user must hold the configured approver role. The login lasts only for the check.
 */
final class ContainerUsers implements UserAuthenticator {

  private static final System.Logger LOG = System.getLogger(ContainerUsers.class.getName());

  private final HttpServletRequest request;
  private final String approverRole;

  ContainerUsers(HttpServletRequest request, String approverRole) {
    this.request = request;
    this.approverRole = approverRole;
  }

  @Override
  public Optional<String> authenticate(String username, String password) {
    if (username == null || password == null) {
      return Optional.empty();
    }
    try {
      request.login(username, password);
    } catch (ServletException e) {
      // Wrong credentials, or a container without a realm; the message never holds the password.
      LOG.log(Level.DEBUG, RequestContext.tag() + "container login refused for user {0}: {1}", username, e.getMessage());
      return Optional.empty();
    }
    try {
      Principal principal = request.getUserPrincipal();
      if (!request.isUserInRole(approverRole)) {
        LOG.log(Level.INFO, RequestContext.tag() + "user {0} signed in but lacks the approver role {1}; approval refused",
            username, approverRole);
        return Optional.empty();
      }
      return Optional.of(principal == null ? username : principal.getName());
    } finally {
      logout();
    }
  }

  private void logout() {
    try {
      request.logout();
    } catch (ServletException e) {
      LOG.log(Level.WARNING, RequestContext.tag() + "container logout after an approval check failed: {0}", e.getMessage());
    }
  }
}
