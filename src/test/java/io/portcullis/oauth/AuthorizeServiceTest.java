package io.portcullis.oauth;

import static io.portcullis.oauth.OAuthFixture.CHALLENGE;
import static io.portcullis.oauth.OAuthFixture.CONFIDENTIAL;
import static io.portcullis.oauth.OAuthFixture.CONFIDENTIAL_OTHER_REDIRECT;
import static io.portcullis.oauth.OAuthFixture.CONFIDENTIAL_REDIRECT;
import static io.portcullis.oauth.OAuthFixture.LEGACY;
import static io.portcullis.oauth.OAuthFixture.LEGACY_REDIRECT;
import static io.portcullis.oauth.OAuthFixture.SPA;
import static io.portcullis.oauth.OAuthFixture.SPA_REDIRECT;
import static io.portcullis.oauth.OAuthFixture.VERIFIER;
import static io.portcullis.oauth.OAuthFixture.base;
import static io.portcullis.oauth.OAuthFixture.params;
import static io.portcullis.oauth.OAuthFixture.query;
import static io.portcullis.oauth.OAuthFixture.validRequest;
import static io.portcullis.oauth.OAuthFixture.validRequestWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.store.AuthorizationCode;
import io.portcullis.store.CodeRedemption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthorizeServiceTest {

  final OAuthFixture f = OAuthFixture.standard();

  // ---- valid request ----

  @Test
  void validRequestShowsTheApprovalPage() {
    AuthorizeOutcome.ShowApproval page = f.approvalPage(params(validRequest()));
    assertEquals(200, page.status());
    assertNull(page.message());
    assertEquals(CONFIDENTIAL, page.client().clientId());
    assertEquals(List.of("email", "profile"), page.scopes());
    assertEquals(CONFIDENTIAL_REDIRECT, page.redirectUri());
    assertTrue(page.transactionId().matches("[0-9a-f]{64}"), page.transactionId());
    assertTrue(page.csrfToken().matches("[0-9a-f]{64}"), page.csrfToken());
    assertNotEquals(page.transactionId(), page.csrfToken());
  }

  @Test
  void eachRequestGetsItsOwnTransaction() {
    AuthorizeOutcome.ShowApproval first = f.approvalPage(params(validRequest()));
    AuthorizeOutcome.ShowApproval second = f.approvalPage(params(validRequest()));
    assertNotEquals(first.transactionId(), second.transactionId());
    assertNotEquals(first.csrfToken(), second.csrfToken());
  }

  @Test
  void approvalFormIsRecognisedByItsTransactionId() {
    assertTrue(AuthorizeService.isApprovalForm(params("transaction_id", "t", "csrf_token", "c")));
    assertFalse(AuthorizeService.isApprovalForm(params(validRequest())));
  }

  // ---- untrusted client or redirect URI: an error page, never a redirect ----

  @Test
  void unknownClientIsAnErrorPage() {
    assertErrorPage(f.authorize.start(validRequestWith("client_id", "nope")), 400, "invalid_request",
        "the client_id is not registered; the application that sent you here is misconfigured");
  }

  @Test
  void missingClientIdIsAnErrorPage() {
    assertErrorPage(f.authorize.start(validRequestWith("client_id", null)), 400, "invalid_request",
        "the request has no client_id; the application that sent you here is misconfigured");
  }

  @Test
  void unregisteredRedirectUriIsAnErrorPage() {
    for (String uri : List.of("https://evil.example/cb", CONFIDENTIAL_REDIRECT + "/extra", CONFIDENTIAL_REDIRECT + "/",
        CONFIDENTIAL_REDIRECT + "?x=1", "https://APP.example/cb", "http://app.example/cb", "https://app.example/other")) {
      assertErrorPage(f.authorize.start(validRequestWith("redirect_uri", uri)), 400, "invalid_request",
          "redirect_uri is not registered for this client (redirect URIs must match exactly)");
    }
  }

  @Test
  void redirectUriOfAnotherClientIsAnErrorPage() {
    assertErrorPage(f.authorize.start(validRequestWith("redirect_uri", LEGACY_REDIRECT)), 400, "invalid_request",
        "redirect_uri is not registered for this client (redirect URIs must match exactly)");
  }

  @Test
  void repeatedClientIdOrRedirectUriIsAnErrorPage() {
    List<String> request = validRequest();
    request.addAll(List.of("client_id", LEGACY));
    assertErrorPage(f.authorize.start(params(request)), 400, "invalid_request",
        "the parameter client_id was given more than once");

    request = validRequest();
    request.addAll(List.of("redirect_uri", CONFIDENTIAL_REDIRECT));
    assertErrorPage(f.authorize.start(params(request)), 400, "invalid_request",
        "the parameter redirect_uri was given more than once");
  }

  @Test
  void missingRedirectUriIsAnErrorPageWhenSeveralAreRegistered() {
    assertErrorPage(f.authorize.start(validRequestWith("redirect_uri", null)), 400, "invalid_request",
        "redirect_uri is required: this client has several registered");
  }

  @Test
  void missingRedirectUriDefaultsToTheOnlyRegisteredOne() {
    AuthorizeOutcome.ShowApproval page = f.approvalPage(params("response_type", "code", "client_id", LEGACY));
    assertEquals(LEGACY_REDIRECT, page.redirectUri());
  }

  // ---- other problems: a redirect with error, error_description and state ----

  @Test
  void missingResponseTypeRedirectsWithInvalidRequest() {
    assertErrorRedirect(f.authorize.start(validRequestWith("response_type", null)), CONFIDENTIAL_REDIRECT,
        "invalid_request", "response_type is missing; use response_type=code", "xyz");
  }

  @Test
  void unsupportedResponseTypeRedirects() {
    assertErrorRedirect(f.authorize.start(validRequestWith("response_type", "token")), CONFIDENTIAL_REDIRECT,
        "unsupported_response_type", "only response_type=code is supported", "xyz");
  }

  @Test
  void missingPkceRedirectsWhenTheClientRequiresIt() {
    List<String> request = validRequest();
    request.subList(request.indexOf("code_challenge"), request.size()).clear();
    assertErrorRedirect(f.authorize.start(params(request)), CONFIDENTIAL_REDIRECT, "invalid_request",
        "PKCE is required: send code_challenge and code_challenge_method=S256 (RFC 7636)", "xyz");
  }

  @Test
  void publicClientAlwaysNeedsPkce() {
    assertErrorRedirect(f.authorize.start(params("response_type", "code", "client_id", SPA, "state", "s")),
        SPA_REDIRECT, "invalid_request",
        "PKCE is required: send code_challenge and code_challenge_method=S256 (RFC 7636)", "s");
  }

  @Test
  void clientWithoutPkceRequirementMayOmitIt() {
    AuthorizeOutcome.ShowApproval page = f.approvalPage(params("response_type", "code", "client_id", LEGACY,
        "redirect_uri", LEGACY_REDIRECT));
    assertEquals(List.of("email"), page.scopes());
  }

  @Test
  void plainIsRefusedByDefault() {
    assertErrorRedirect(f.authorize.start(params("response_type", "code", "client_id", LEGACY, "state", "s",
            "code_challenge", VERIFIER, "code_challenge_method", "plain")),
        LEGACY_REDIRECT, "invalid_request", "code_challenge_method=plain is not allowed; use S256", "s");
  }

  @Test
  void missingMethodMeansPlainAndIsRefusedByDefault() {
    assertErrorRedirect(f.authorize.start(validRequestWith("code_challenge_method", null)), CONFIDENTIAL_REDIRECT,
        "invalid_request", "code_challenge_method is missing, which means plain; send code_challenge_method=S256",
        "xyz");
  }

  @Test
  void plainIsAcceptedWhenConfigured() {
    OAuthFixture plain = OAuthFixture.withPlain();
    AuthorizeOutcome.ShowApproval page = plain.approvalPage(params("response_type", "code", "client_id", LEGACY,
        "code_challenge", VERIFIER, "code_challenge_method", "plain"));
    assertEquals(200, page.status());
  }

  @Test
  void missingMethodMeansPlainWhenPlainIsConfigured() {
    OAuthFixture plain = OAuthFixture.withPlain();
    String code = plain.code(params("response_type", "code", "client_id", LEGACY, "code_challenge", VERIFIER));
    CodeRedemption redemption = plain.store.redeemAuthorizationCode(code, Instant.MAX.minusSeconds(1));
    AuthorizationCode stored = assertInstanceOf(CodeRedemption.Redeemed.class, redemption).code();
    assertEquals("plain", stored.codeChallengeMethod());
    assertEquals(VERIFIER, stored.codeChallenge());
  }

  @Test
  void missingMethodWithAnS256LookingChallengeIsStillPlain() {
    // 43 base64url characters are also a valid plain challenge: nothing guesses S256.
    OAuthFixture plain = OAuthFixture.withPlain();
    String code = plain.code(params("response_type", "code", "client_id", LEGACY, "code_challenge", CHALLENGE));
    AuthorizationCode stored = assertInstanceOf(CodeRedemption.Redeemed.class,
        plain.store.redeemAuthorizationCode(code, Instant.MAX.minusSeconds(1))).code();
    assertEquals("plain", stored.codeChallengeMethod());
  }

  @Test
  void unknownMethodIsRefused() {
    assertErrorRedirect(f.authorize.start(validRequestWith("code_challenge_method", "S512")), CONFIDENTIAL_REDIRECT,
        "invalid_request", "code_challenge_method must be S256", "xyz");
    assertErrorRedirect(f.authorize.start(validRequestWith("code_challenge_method", "s256")), CONFIDENTIAL_REDIRECT,
        "invalid_request", "code_challenge_method must be S256", "xyz");
  }

  @Test
  void methodWithoutChallengeIsRefused() {
    assertErrorRedirect(f.authorize.start(validRequestWith("code_challenge", null)), CONFIDENTIAL_REDIRECT,
        "invalid_request", "code_challenge_method was sent without a code_challenge", "xyz");
  }

  @Test
  void malformedS256ChallengeIsRefused() {
    String expected = "code_challenge is not an S256 challenge: it must be 43 base64url characters (RFC 7636 section 4.2)";
    for (String challenge : List.of(CHALLENGE.substring(1), CHALLENGE + "A", CHALLENGE.substring(0, 42) + "N",
        CHALLENGE.substring(0, 42) + "=", "+" + CHALLENGE.substring(1), VERIFIER + "x")) {
      assertErrorRedirect(f.authorize.start(validRequestWith("code_challenge", challenge)), CONFIDENTIAL_REDIRECT,
          "invalid_request", expected, "xyz");
    }
  }

  @Test
  void malformedPlainChallengeIsRefused() {
    OAuthFixture plain = OAuthFixture.withPlain();
    assertErrorRedirect(plain.authorize.start(params("response_type", "code", "client_id", LEGACY,
            "code_challenge", "short", "code_challenge_method", "plain")),
        LEGACY_REDIRECT, "invalid_request", "code_challenge must be 43 to 128 unreserved characters (RFC 7636 section 4.2)",
        null);
  }

  @Test
  void scopeNotAllowedIsInvalidScope() {
    assertErrorRedirect(f.authorize.start(validRequestWith("scope", "email admin")), CONFIDENTIAL_REDIRECT,
        "invalid_scope", "scope goes beyond what this client may ask for (email profile orders)", "xyz");
  }

  @Test
  void malformedScopeIsInvalidScope() {
    for (String scope : List.of("email  profile", " email", "email ", "a\"b", "caf\u00e9")) {
      assertErrorRedirect(f.authorize.start(validRequestWith("scope", scope)), CONFIDENTIAL_REDIRECT,
          "invalid_scope", "scope must be space-separated scope tokens (RFC 6749 section 3.3)", "xyz");
    }
  }

  @Test
  void noScopeMeansEveryScopeOfTheClient() {
    AuthorizeOutcome.ShowApproval page = f.approvalPage(validRequestWith("scope", null));
    assertEquals(List.of("email", "profile", "orders"), page.scopes());
    AuthorizeOutcome.ShowApproval empty = f.approvalPage(validRequestWith("scope", ""));
    assertEquals(List.of("email", "profile", "orders"), empty.scopes(), "an empty parameter counts as absent");
  }

  @Test
  void grantedScopesFollowTheConfigOrderWithoutDuplicates() {
    AuthorizeOutcome.ShowApproval page = f.approvalPage(validRequestWith("scope", "orders email orders"));
    assertEquals(List.of("email", "orders"), page.scopes());
  }

  @Test
  void repeatedParameterIsInvalidRequest() {
    List<String> request = validRequest();
    request.addAll(List.of("scope", "email"));
    assertErrorRedirect(f.authorize.start(params(request)), CONFIDENTIAL_REDIRECT, "invalid_request",
        "the parameter scope was given more than once", "xyz");

    request = validRequest();
    request.addAll(List.of("code_challenge", CHALLENGE));
    assertErrorRedirect(f.authorize.start(params(request)), CONFIDENTIAL_REDIRECT, "invalid_request",
        "the parameter code_challenge was given more than once", "xyz");
  }

  @Test
  void repeatedStateIsInvalidRequestWithoutAState() {
    List<String> request = validRequest();
    request.addAll(List.of("state", "other"));
    assertErrorRedirect(f.authorize.start(params(request)), CONFIDENTIAL_REDIRECT, "invalid_request",
        "the parameter state was given more than once", null);
  }

  @Test
  void stateWithControlCharactersIsNotEchoed() {
    assertErrorRedirect(f.authorize.start(validRequestWith("state", "a\u0000b")), CONFIDENTIAL_REDIRECT,
        "invalid_request", "state must be printable ASCII (RFC 6749 Appendix A.5)", null);
  }

  @Test
  void scopeWithControlCharactersIsRedirectedWithTheState() {
    assertErrorRedirect(f.authorize.start(validRequestWith("scope", "email\r\nprofile")), CONFIDENTIAL_REDIRECT,
        "invalid_request", "the parameter scope contains control characters", "xyz");
  }

  @Test
  void errorWithoutStateHasNoStateParameter() {
    AuthorizeOutcome outcome = f.authorize.start(params("client_id", CONFIDENTIAL, "redirect_uri", CONFIDENTIAL_REDIRECT));
    Map<String, String> query = query(assertInstanceOf(AuthorizeOutcome.Redirect.class, outcome).location());
    assertEquals("invalid_request", query.get("error"));
    assertFalse(query.containsKey("state"));
  }

  @Test
  void errorRedirectKeepsTheRedirectUrisOwnQueryAndEncodesSafely() {
    AuthorizeOutcome outcome = f.authorize.start(params("client_id", CONFIDENTIAL, "redirect_uri",
        CONFIDENTIAL_OTHER_REDIRECT, "state", "a b&c=d+e"));
    String location = assertInstanceOf(AuthorizeOutcome.Redirect.class, outcome).location();
    assertTrue(location.startsWith(CONFIDENTIAL_OTHER_REDIRECT + "&error=invalid_request&error_description="), location);
    assertFalse(location.contains("+"), "spaces are %20 so no reader mistakes them: " + location);
    Map<String, String> query = query(location);
    assertEquals("1", query.get("x"));
    assertEquals("a b&c=d+e", query.get("state"));
    assertEquals("response_type is missing; use response_type=code", query.get("error_description"));
  }

  @Test
  void appendQueryHandlesAnEmptyOrOpenQuery() {
    assertEquals("https://a/cb?code=1", AuthorizeService.appendQuery("https://a/cb", Map.of("code", "1")));
    assertEquals("https://a/cb?code=1", AuthorizeService.appendQuery("https://a/cb?", Map.of("code", "1")));
    assertEquals("https://a/cb?x=1&code=1", AuthorizeService.appendQuery("https://a/cb?x=1&", Map.of("code", "1")));
    assertEquals("https://a/cb?x=1&code=1", AuthorizeService.appendQuery("https://a/cb?x=1", Map.of("code", "1")));
  }

  // ---- the decision ----

  @Test
  void approveRedirectsWithACodeAndTheState() {
    AuthorizeOutcome.ShowApproval page = f.approvalPage(params(validRequest()));
    AuthorizeOutcome outcome = f.decide(page, "approve", "alice", "wonderland");
    String location = assertInstanceOf(AuthorizeOutcome.Redirect.class, outcome).location();
    assertEquals(CONFIDENTIAL_REDIRECT, base(location));
    Map<String, String> query = query(location);
    assertEquals(List.of("code", "state"), List.copyOf(query.keySet()));
    assertTrue(query.get("code").matches("[0-9a-f]{40}"), "160 random bits: " + query.get("code"));
    assertEquals("xyz", query.get("state"));
  }

  @Test
  void approveWithoutStateSendsNoState() {
    AuthorizeOutcome.ShowApproval page = f.approvalPage(validRequestWith("state", null));
    String location = ((AuthorizeOutcome.Redirect) f.decide(page, "approve", "alice", "wonderland")).location();
    assertEquals(List.of("code"), List.copyOf(query(location).keySet()));
  }

  @Test
  void codeIsBoundToTheRequestAndTheUser() {
    AuthorizeOutcome.ShowApproval page = f.approvalPage(validRequestWith("scope", "profile"));
    f.clock.advanceSeconds(42); // the user takes a while to approve
    String location = ((AuthorizeOutcome.Redirect) f.decide(page, "approve", "bob", "builder")).location();
    String code = query(location).get("code");
    AuthorizationCode stored = assertInstanceOf(CodeRedemption.Redeemed.class,
        f.store.redeemAuthorizationCode(code, Instant.MAX.minusSeconds(1))).code();
    assertEquals(CONFIDENTIAL, stored.clientId());
    assertEquals("bob", stored.username());
    assertEquals(CONFIDENTIAL_REDIRECT, stored.redirectUri());
    assertTrue(stored.redirectUriSent());
    assertEquals("profile", stored.scope());
    assertEquals(CHALLENGE, stored.codeChallenge());
    assertEquals("S256", stored.codeChallengeMethod());
    assertEquals(f.clock.instant(), stored.issuedAt(), "approved now, not when the page was shown");
    assertEquals(f.clock.instant().plus(f.config.authorizationCodeTtl()), stored.expiresAt());
  }

  @Test
  void eachApprovalIssuesADifferentCode() {
    assertNotEquals(f.code(), f.code());
  }

  @Test
  void denyRedirectsWithAccessDenied() {
    AuthorizeOutcome.ShowApproval page = f.approvalPage(params(validRequest()));
    assertErrorRedirect(f.decide(page, "deny", null, null), CONFIDENTIAL_REDIRECT, "access_denied",
        "the user denied the request", "xyz");
  }

  @Test
  void deniedTransactionIsGone() {
    AuthorizeOutcome.ShowApproval page = f.approvalPage(params(validRequest()));
    f.decide(page, "deny", null, null);
    assertExpired(f.decide(page, "approve", "alice", "wonderland"));
  }

  @Test
  void wrongCredentialsShowThePageAgainWith401AndTheSameTransaction() {
    AuthorizeOutcome.ShowApproval page = f.approvalPage(params(validRequest()));
    for (String[] credentials : List.of(new String[] {"alice", "wrong"}, new String[] {"mallory", "wonderland"},
        new String[] {"ALICE", "wonderland"}, new String[] {"bob", "wonderland"})) {
      AuthorizeOutcome.ShowApproval again = assertInstanceOf(AuthorizeOutcome.ShowApproval.class,
          f.decide(page, "approve", credentials[0], credentials[1]));
      assertEquals(401, again.status());
      assertEquals("The username or password is incorrect.", again.message());
      assertEquals(page.transactionId(), again.transactionId());
      assertEquals(page.csrfToken(), again.csrfToken());
      assertEquals(page.scopes(), again.scopes());
      assertEquals(page.redirectUri(), again.redirectUri());
    }
    // The transaction is still usable.
    AuthorizeOutcome outcome = f.decide(page, "approve", "alice", "wonderland");
    assertTrue(query(assertInstanceOf(AuthorizeOutcome.Redirect.class, outcome).location()).containsKey("code"));
  }

  @Test
  void parallelFormsHaveAtMostFivePasswordsChecked() throws Exception {
    for (int round = 0; round < 25; round++) {
      // Each round in a throttling window of its own: here the page's own limit is under test.
      f.clock.advanceSeconds(f.config.throttling().window().getSeconds());
      AuthorizeOutcome.ShowApproval page = f.approvalPage(params(validRequest()));
      java.util.concurrent.atomic.AtomicInteger checked = new java.util.concurrent.atomic.AtomicInteger();
      UserAuthenticator counting = (username, password) -> {
        checked.incrementAndGet();
        return "wonderland".equals(password) ? java.util.Optional.of(username) : java.util.Optional.empty();
      };
      // 29 wrong passwords and the right one, all at once.
      List<String> passwords = new java.util.ArrayList<>();
      for (int i = 0; i < 29; i++) {
        passwords.add("guess-" + i);
      }
      passwords.add(round % passwords.size(), "wonderland");
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(passwords.size());
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      List<java.util.concurrent.Future<AuthorizeOutcome>> answers = new java.util.ArrayList<>();
      for (String password : passwords) {
        answers.add(pool.submit(() -> {
          go.await();
          return f.authorize.decide(OAuthFixture.form(page, "approve", "alice", password), counting);
        }));
      }
      go.countDown();
      int redirects = 0;
      int wrongPasswordPages = 0;
      for (java.util.concurrent.Future<AuthorizeOutcome> answer : answers) {
        AuthorizeOutcome outcome = answer.get();
        if (outcome instanceof AuthorizeOutcome.Redirect) {
          redirects++;
        } else if (outcome instanceof AuthorizeOutcome.ShowApproval again) {
          if (again.status() == 503) {
            continue; // no hashing permit free among 30 at once: unchecked, and the page's tries untouched
          }
          assertEquals(401, again.status());
          wrongPasswordPages++;
        } else {
          assertEquals(400, assertInstanceOf(AuthorizeOutcome.ErrorPage.class, outcome).status());
        }
      }
      pool.shutdown();
      assertTrue(checked.get() <= AuthorizeService.MAX_APPROVAL_ATTEMPTS, checked.get() + " passwords checked");
      assertEquals(1, redirects, "one answer ends the request: a code or access_denied");
      assertTrue(wrongPasswordPages < AuthorizeService.MAX_APPROVAL_ATTEMPTS, wrongPasswordPages + " retries");
      assertTrue(f.store.findPendingAuthorization(page.transactionId()).isEmpty(), "the request is spent");
    }
  }

  /**
   * A sign-in the throttle refuses is never checked, so it costs the page none of its five tries:
   * the page it shows again, saying when to retry, still approves once the lock has lifted.
   */
  @Test
  void signInsRefusedByTheThrottleCostThePageNoneOfItsTries() {
    long window = f.config.throttling().window().getSeconds();
    for (int i = 0; i < f.config.throttling().userFailures(); i++) {
      AuthorizeOutcome.ShowApproval other = f.approvalPage(params(validRequest()));
      assertEquals(401, assertInstanceOf(AuthorizeOutcome.ShowApproval.class,
          f.decide(other, "approve", "alice", "guess-" + i)).status());
    }
    f.clock.advanceSeconds(window - 10); // alice stays locked for 10 s more
    AuthorizeOutcome.ShowApproval page = f.approvalPage(params(validRequest()));
    for (int i = 0; i < 2 * AuthorizeService.MAX_APPROVAL_ATTEMPTS; i++) {
      AuthorizeOutcome.ShowApproval again = assertInstanceOf(AuthorizeOutcome.ShowApproval.class,
          f.decide(page, "approve", "alice", "wonderland"));
      assertEquals(429, again.status());
      assertEquals(page.transactionId(), again.transactionId());
    }
    f.clock.advanceSeconds(11);
    AuthorizeOutcome outcome = f.decide(page, "approve", "alice", "wonderland");
    assertTrue(query(assertInstanceOf(AuthorizeOutcome.Redirect.class, outcome).location()).containsKey("code"),
        "the page kept its tries");
  }

  @Test
  void afterFiveAttemptsTheRightPasswordIsAnsweredAsAWrongOne() {
    // Five attempts counted (as five forms in flight would), none answered yet.
    AuthorizeOutcome.ShowApproval page = f.approvalPage(params(validRequest()));
    for (int i = 0; i < AuthorizeService.MAX_APPROVAL_ATTEMPTS; i++) {
      f.store.countApprovalAttempt(page.transactionId());
    }
    assertErrorRedirect(f.decide(page, "approve", "alice", "wonderland"), CONFIDENTIAL_REDIRECT, "access_denied",
        "too many wrong passwords for this authorization request; start again", "xyz");
    AuthorizeOutcome.ShowApproval other = f.approvalPage(params(validRequest()));
    for (int i = 0; i < AuthorizeService.MAX_APPROVAL_ATTEMPTS; i++) {
      f.store.countApprovalAttempt(other.transactionId());
    }
    assertErrorRedirect(f.decide(other, "approve", "alice", "guess"), CONFIDENTIAL_REDIRECT, "access_denied",
        "too many wrong passwords for this authorization request; start again", "xyz");
  }

  @Test
  void fifthWrongPasswordEndsTheRequestWithAccessDenied() {
    AuthorizeOutcome.ShowApproval page = f.approvalPage(params(validRequest()));
    for (int i = 1; i < AuthorizeService.MAX_APPROVAL_ATTEMPTS; i++) {
      assertEquals(401, assertInstanceOf(AuthorizeOutcome.ShowApproval.class,
          f.decide(page, "approve", "alice", "guess-" + i)).status());
    }
    assertErrorRedirect(f.decide(page, "approve", "alice", "guess-5"), CONFIDENTIAL_REDIRECT, "access_denied",
        "too many wrong passwords for this authorization request; start again", "xyz");
    assertTrue(f.store.findPendingAuthorization(page.transactionId()).isEmpty(), "the request is gone");
    assertExpired(f.decide(page, "approve", "alice", "wonderland"));
  }

  @Test
  void stateLongerThanTheLimitIsRefusedWithoutBeingEchoed() {
    assertInstanceOf(AuthorizeOutcome.ShowApproval.class,
        f.authorize.start(validRequestWith("state", "s".repeat(AuthorizeService.MAX_STATE_LENGTH))));
    assertErrorRedirect(f.authorize.start(validRequestWith("state", "s".repeat(AuthorizeService.MAX_STATE_LENGTH + 1))),
        CONFIDENTIAL_REDIRECT, "invalid_request", "state is longer than 1024 characters", null);
  }

  @Test
  void errorDescriptionsKeepToTheRfc6749Charset() {
    assertEquals("caf? 'quoted' ?and? back'slash",
        OAuthException.invalidRequest("caf\u00e9 \"quoted\" \nand\t back\\slash").description());
  }

  @Test
  void aRepeatedParameterOfAnotherNameIsNotRepeatedBack() {
    Parameters request = params("response_type", "code", "client_id", CONFIDENTIAL, "redirect_uri",
        CONFIDENTIAL_REDIRECT, "code_challenge", CHALLENGE, "code_challenge_method", "S256",
        "sc\u00f6pe", "1", "sc\u00f6pe", "2");
    assertErrorRedirect(f.authorize.start(request), CONFIDENTIAL_REDIRECT, "invalid_request",
        "a parameter was given more than once", null);
  }

  @Test
  void missingCredentialsShowThePageAgain() {
    AuthorizeOutcome.ShowApproval page = f.approvalPage(params(validRequest()));
    AuthorizeOutcome.ShowApproval again = assertInstanceOf(AuthorizeOutcome.ShowApproval.class,
        f.authorize.decide(params(AuthorizeService.TRANSACTION_ID, page.transactionId(),
            AuthorizeService.CSRF_TOKEN, page.csrfToken(), AuthorizeService.DECISION, "approve",
            AuthorizeService.USERNAME, "alice")));
    assertEquals(401, again.status());
    assertEquals("Enter your username and password to approve.", again.message());
  }

  @Test
  void csrfMismatchIsA403ErrorPage() {
    AuthorizeOutcome.ShowApproval page = f.approvalPage(params(validRequest()));
    AuthorizeOutcome.ShowApproval other = f.approvalPage(params(validRequest()));
    AuthorizeOutcome outcome = f.authorize.decide(params(AuthorizeService.TRANSACTION_ID, page.transactionId(),
        AuthorizeService.CSRF_TOKEN, other.csrfToken(), AuthorizeService.DECISION, "approve",
        AuthorizeService.USERNAME, "alice", AuthorizeService.PASSWORD, "wonderland"));
    assertErrorPage(outcome, 403, "invalid_request",
        "the approval form could not be verified; return to the application and start again");
  }

  @Test
  void csrfMismatchAlsoStopsADeny() {
    AuthorizeOutcome.ShowApproval page = f.approvalPage(params(validRequest()));
    AuthorizeOutcome outcome = f.authorize.decide(params(AuthorizeService.TRANSACTION_ID, page.transactionId(),
        AuthorizeService.CSRF_TOKEN, "0".repeat(64), AuthorizeService.DECISION, "deny"));
    assertEquals(403, assertInstanceOf(AuthorizeOutcome.ErrorPage.class, outcome).status());
    assertTrue(f.store.findPendingAuthorization(page.transactionId()).isPresent(), "a forged deny removes nothing");
  }

  @Test
  void expiredTransactionIsAnErrorPage() {
    AuthorizeOutcome.ShowApproval page = f.approvalPage(params(validRequest()));
    f.clock.advance(f.config.authorizationRequestTtl().minusSeconds(1));
    AuthorizeOutcome.ShowApproval again = assertInstanceOf(AuthorizeOutcome.ShowApproval.class,
        f.decide(page, "approve", "alice", "wrong"));
    assertEquals(401, again.status(), "still pending one second before expiry");
    f.clock.advanceSeconds(1);
    assertExpired(f.decide(page, "approve", "alice", "wonderland"));
  }

  @Test
  void formSubmittedTwiceYieldsOneCode() {
    AuthorizeOutcome.ShowApproval page = f.approvalPage(params(validRequest()));
    assertInstanceOf(AuthorizeOutcome.Redirect.class, f.decide(page, "approve", "alice", "wonderland"));
    assertExpired(f.decide(page, "approve", "alice", "wonderland"));
  }

  @Test
  void unknownTransactionIsAnErrorPage() {
    assertExpired(f.authorize.decide(params(AuthorizeService.TRANSACTION_ID, "0".repeat(64),
        AuthorizeService.CSRF_TOKEN, "0".repeat(64), AuthorizeService.DECISION, "approve")));
  }

  @Test
  void unknownDecisionIsAnErrorPage() {
    AuthorizeOutcome.ShowApproval page = f.approvalPage(params(validRequest()));
    assertErrorPage(f.decide(page, "maybe", "alice", "wonderland"), 400, "invalid_request",
        "decision must be approve or deny");
    assertErrorPage(f.decide(page, null, "alice", "wonderland"), 400, "invalid_request",
        "decision must be approve or deny");
  }

  @Test
  void incompleteFormIsAnErrorPage() {
    AuthorizeOutcome.ShowApproval page = f.approvalPage(params(validRequest()));
    assertErrorPage(f.authorize.decide(params(AuthorizeService.TRANSACTION_ID, page.transactionId(),
            AuthorizeService.DECISION, "approve")), 400, "invalid_request",
        "the approval form is incomplete; return to the application and start again");
  }

  @Test
  void repeatedFormFieldIsAnErrorPage() {
    AuthorizeOutcome.ShowApproval page = f.approvalPage(params(validRequest()));
    assertErrorPage(f.authorize.decide(params(AuthorizeService.TRANSACTION_ID, page.transactionId(),
            AuthorizeService.TRANSACTION_ID, page.transactionId(), AuthorizeService.CSRF_TOKEN, page.csrfToken(),
            AuthorizeService.DECISION, "approve")), 400, "invalid_request",
        "the parameter transaction_id was given more than once");
    AuthorizeOutcome repeatedDecision = f.authorize.decide(params(AuthorizeService.TRANSACTION_ID, page.transactionId(),
        AuthorizeService.CSRF_TOKEN, page.csrfToken(), AuthorizeService.DECISION, "deny",
        AuthorizeService.DECISION, "approve"));
    assertErrorPage(repeatedDecision, 400, "invalid_request", "the parameter decision was given more than once");
  }

  @Test
  void repeatedPasswordShowsThePageAgain() {
    AuthorizeOutcome.ShowApproval page = f.approvalPage(params(validRequest()));
    AuthorizeOutcome.ShowApproval again = assertInstanceOf(AuthorizeOutcome.ShowApproval.class,
        f.authorize.decide(params(AuthorizeService.TRANSACTION_ID, page.transactionId(),
            AuthorizeService.CSRF_TOKEN, page.csrfToken(), AuthorizeService.DECISION, "approve",
            AuthorizeService.USERNAME, "alice", AuthorizeService.PASSWORD, "x",
            AuthorizeService.PASSWORD, "wonderland")));
    assertEquals(400, again.status());
    assertEquals("the parameter password was given more than once", again.message());
  }

  // ---- assertions ----

  static void assertErrorPage(AuthorizeOutcome outcome, int status, String error, String description) {
    AuthorizeOutcome.ErrorPage page = assertInstanceOf(AuthorizeOutcome.ErrorPage.class, outcome);
    assertEquals(new AuthorizeOutcome.ErrorPage(status, error, description), page);
  }

  static void assertExpired(AuthorizeOutcome outcome) {
    assertErrorPage(outcome, 400, "invalid_request",
        "this authorization request has expired or was already answered; return to the application and start again");
  }

  static void assertErrorRedirect(AuthorizeOutcome outcome, String redirectUri, String error, String description,
      String state) {
    String location = assertInstanceOf(AuthorizeOutcome.Redirect.class, outcome).location();
    assertEquals(redirectUri, base(location));
    Map<String, String> query = query(location);
    assertEquals(error, query.get("error"), location);
    assertEquals(description, query.get("error_description"), location);
    assertEquals(state, query.get("state"), location);
    assertFalse(query.containsKey("code"));
  }
}
