package io.portcullis.it;

import static io.portcullis.it.ConfigJson.CONFIDENTIAL;
import static io.portcullis.it.ConfigJson.CONFIDENTIAL_REDIRECT;
import static io.portcullis.it.ConfigJson.PASSWORD;
import static io.portcullis.it.ConfigJson.USER;
import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Password guessing through the approval page, as an attacker tries it, over real HTTP (RFC 6749
 * §10.10). One page allows five password checks, whether the forms come one after another or all
 * at once; past them the right password is answered as a wrong one.
 */
class PasswordGuessingIT {

  static final int ATTEMPTS = 5;

  /** Throttling across pages (ThrottlingIT) raised out of the way: here one page's own limit is tested. */
  @RegisterExtension static final PortcullisServer server = PortcullisServer.deploy(ConfigJson.standard()
      .set("throttling", com.google.gson.JsonParser.parseString("{\"userFailures\": 1000, \"addressFailures\": 1000}")));
  static final OAuthClient client = new OAuthClient(server);

  static Map<String, String> authorizeQuery() {
    return params("response_type", "code", "client_id", CONFIDENTIAL, "redirect_uri", CONFIDENTIAL_REDIRECT,
        "state", "st", "code_challenge", OAuthClient.challenge(OAuthClient.newVerifier()),
        "code_challenge_method", "S256");
  }

  /** 29 wrong passwords and the right one posted to one page in parallel, page after page. */
  @Test
  void parallelFormsGetAtMostFivePasswordsChecked() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(30);
    try {
      for (int round = 0; round < 6; round++) {
        OAuthClient.ApprovalPage page = client.authorize(authorizeQuery());
        List<String> passwords = new ArrayList<>();
        for (int i = 0; i < 29; i++) {
          passwords.add("guess-" + round + "-" + i);
        }
        int right = round * 5 % 30;
        passwords.add(right, PASSWORD);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        for (String password : passwords) {
          answers.add(pool.submit(() -> {
            go.await();
            return client.decide(page, "approve", USER, password);
          }));
        }
        go.countDown();
        int wrongPasswordPages = 0;
        int redirects = 0;
        int spent = 0;
        StringBuilder seen = new StringBuilder();
        for (int i = 0; i < answers.size(); i++) {
          HttpResponse<String> answer = answers.get(i).get();
          seen.append(i == right ? "*" : "").append(answer.statusCode()).append(' ');
          switch (answer.statusCode()) {
            case 401 -> wrongPasswordPages++;
            case 302 -> redirects++;
            case 400 -> spent++;
            default -> throw new AssertionError("unexpected " + answer.statusCode() + ": " + answer.body());
          }
        }
        // Each checked password is either a 401 retry, or the one 302 that ends the page (a code
        // for the right password, access_denied for the fifth wrong one); the rest were never checked.
        assertTrue(wrongPasswordPages <= ATTEMPTS - 1, "round " + round + ": " + seen);
        assertEquals(1, redirects, "round " + round + ": " + seen);
        assertEquals(30, wrongPasswordPages + redirects + spent);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void afterFiveWrongPasswordsTheRightOneGetsTheAnswerAWrongOneGets() throws Exception {
    OAuthClient.ApprovalPage page = client.authorize(authorizeQuery());
    for (int i = 1; i < ATTEMPTS; i++) {
      assertEquals(401, client.decide(page, "approve", USER, "guess-" + i).statusCode());
    }
    HttpResponse<String> fifth = client.decide(page, "approve", USER, "guess-5");
    assertEquals("access_denied",
        ItAssertions.assertErrorRedirect(fifth, CONFIDENTIAL_REDIRECT, "access_denied", "st").get("error"));
    HttpResponse<String> rightPassword = client.decide(page, "approve", USER, PASSWORD);
    HttpResponse<String> wrongPassword = client.decide(page, "approve", USER, "guess-6");
    assertEquals(400, rightPassword.statusCode(), rightPassword.body());
    assertEquals(wrongPassword.statusCode(), rightPassword.statusCode());
    assertEquals(wrongPassword.body().replaceAll("nonce-[^']+'|nonce=\"[^\"]+\"", ""),
        rightPassword.body().replaceAll("nonce-[^']+'|nonce=\"[^\"]+\"", ""));
  }
}
