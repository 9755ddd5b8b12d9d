package io.portcullis.web;

import io.portcullis.oauth.RequestContext;
import io.portcullis.oauth.AuthorizeOutcome;
import io.portcullis.oauth.AuthorizeService;
import io.portcullis.oauth.OAuthException;
import io.portcullis.oauth.Parameters;
import io.portcullis.store.StoreUnavailableException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET|POST /invoke/pub.apigateway.oauth2/authorize} (DESIGN 1.3): a new authorization
 * request shows the approval page; the page's form posts back here with the user's decision.
 */
final class AuthorizeServlet extends HttpServlet {

  static final String PATH = "/invoke/pub.apigateway.oauth2/authorize";
  private static final System.Logger LOG = System.getLogger(AuthorizeServlet.class.getName());

  private final transient AuthorizeService service;
  private final transient Responses responses;
  /** With container users, the role an approver needs; {@code null} for the config's users. */
  private final String approverRole;

  private final transient Issuer issuer;

  private final java.time.Duration bodyTimeout;

  AuthorizeServlet(AuthorizeService service, Responses responses, String approverRole, Issuer issuer,
      java.time.Duration bodyTimeout) {
    this.bodyTimeout = bodyTimeout;
    this.service = service;
    this.responses = responses;
    this.approverRole = approverRole;
    this.issuer = issuer;
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
    handle(request, response, null);
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
    BodyReader.read(request, response, bodyTimeout, body -> handle(request, response, body),
        problem -> responses.errorPage(response, problem.status() == 413 ? 413 : 400, problem.error(),
            problem.description()));
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws jakarta.servlet.ServletException, IOException {
    String method = request.getMethod();
    if ("GET".equals(method) || "POST".equals(method)) {
      super.service(request, response);
      return;
    }
    response.setHeader("Allow", "GET, POST");
    responses.errorPage(response, 405, "invalid_request", "the authorization endpoint accepts only GET and POST");
  }

  /** @param body the POST body, read in full; {@code null} for a GET */
  private void handle(HttpServletRequest request, HttpServletResponse response, byte[] body) throws IOException {
    boolean post = body != null;
    AuthorizeOutcome outcome;
    try {
      Parameters parameters = post ? RequestParameters.body(request, body, false) : RequestParameters.query(request);
      String iss = issuer.of(request);
      outcome = AuthorizeService.isApprovalForm(parameters) && post
          ? service.decide(parameters, approverRole == null ? service.configUsers()
              : new ContainerUsers(request, approverRole), iss, request.getRemoteAddr())
          : service.start(parameters, iss);
    } catch (OAuthException e) {
      // The request could not even be read, so neither client nor redirect URI is trusted.
      outcome = new AuthorizeOutcome.ErrorPage(e.status() == 413 ? 413 : 400, e.error(), e.description());
    } catch (StoreUnavailableException e) {
      LOG.log(System.Logger.Level.ERROR, RequestContext.tag() + "authorization request refused: store unavailable: " + e.getMessage());
      outcome = new AuthorizeOutcome.ErrorPage(503, "temporarily_unavailable",
          "the authorization server is temporarily unavailable; try again in a moment");
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, RequestContext.tag() + "authorization request failed unexpectedly", e);
      outcome = new AuthorizeOutcome.ErrorPage(500, "server_error", "the authorization server failed; try again later");
    }
    responses.authorize(response, outcome, request.getContextPath() + PATH);
  }
}
