package io.portcullis.it;

import static io.portcullis.it.ConfigJson.PASSWORD;
import static io.portcullis.it.ConfigJson.REFRESHING;
import static io.portcullis.it.ConfigJson.REFRESHING_REDIRECT;
import static io.portcullis.it.ConfigJson.REFRESHING_SECRET;
import static io.portcullis.it.ConfigJson.USER;
import static io.portcullis.it.OAuthClient.TOKEN;
import static io.portcullis.it.OAuthClient.basic;
import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.portcullis.it.Grants.Caller;
import io.portcullis.testing.Concurrently;
import io.portcullis.testing.RedisServer;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two Portcullis nodes — two embedded Jetty servers with the real WAR — on one redis-server the
 * test starts: a user's flow may cross from node to node at every step, single-use steps hold
 * across both, and what one node revokes the other refuses at once.
 */
class TwoNodesIT {

  // Redis first: the nodes' config names its port.
  @Order(1) @RegisterExtension static final RedisServer redis = new RedisServer();
  @Order(2) @RegisterExtension static final PortcullisServer a = PortcullisServer.deploy(TwoNodesIT::config);
  @Order(3) @RegisterExtension static final PortcullisServer b = PortcullisServer.deploy(TwoNodesIT::config);
  static final OAuthClient onA = new OAuthClient(a);
  static final OAuthClient onB = new OAuthClient(b);
  static final Caller APP = Caller.confidential(REFRESHING, REFRESHING_SECRET, REFRESHING_REDIRECT);
  static final ExecutorService pool = Executors.newFixedThreadPool(32);

  /** One config for both nodes: the shared store. */
  static ConfigJson config() {
    JsonObject store = new JsonObject();
    store.addProperty("type", "redis");
    store.addProperty("uri", redis.uri());
    return ConfigJson.grants().set("store", store);
  }

  @AfterAll
  static void stopPool() {
    pool.shutdownNow();
  }

  static Map<String, String> query(String verifier) {
    return params("response_type", "code", "client_id", REFRESHING, "redirect_uri", REFRESHING_REDIRECT,
        "code_challenge", OAuthClient.challenge(verifier), "code_challenge_method", "S256");
  }

  static HttpResponse<String> exchange(OAuthClient node, String code, String verifier) throws Exception {
    return node.postForm(TOKEN, params("grant_type", "authorization_code", "code", code,
        "redirect_uri", REFRESHING_REDIRECT, "code_verifier", verifier),
        "Authorization", basic(REFRESHING, REFRESHING_SECRET));
  }

  static <T> List<T> atOnce(List<Callable<T>> calls) throws Exception {
    return Concurrently.atOnce(pool, calls);
  }

  /** The answers' statuses counted; a failure shows every unexpected answer's body. */
  static void assertStatuses(Map<Integer, Long> expected, List<HttpResponse<String>> answers) {
    Map<Integer, Long> counted = answers.stream()
        .collect(Collectors.groupingBy(HttpResponse::statusCode, TreeMap::new, Collectors.counting()));
    String unexpected = answers.stream().filter(r -> !expected.containsKey(r.statusCode()))
        .map(r -> r.statusCode() + " " + r.body()).distinct().collect(Collectors.joining("; "));
    assertEquals(new TreeMap<>(expected), counted, unexpected);
  }

  @Test
  void aFlowCrossesFromNodeToNodeAtEveryStep() throws Exception {
    String verifier = OAuthClient.newVerifier();
    OAuthClient.ApprovalPage page = onA.authorize(query(verifier));       // the page from A
    HttpResponse<String> approved = onB.decide(page, "approve", USER, PASSWORD); // approved on B
    assertEquals(302, approved.statusCode(), approved.body());
    String code = OAuthClient.redirectParameters(approved).get("code");
    Grants.Tokens tokens = Grants.issued(exchange(onA, code, verifier));  // the token from A
    new Grants(onB).assertPasses(tokens.access());                         // used on B
    Grants.Tokens refreshed = Grants.issued(new Grants(onB).refresh(APP, tokens.refresh(), null)); // refreshed on B
    new Grants(onA).assertPasses(refreshed.access());
    assertEquals(200, new Grants(onA).revoke(Grants.REVOKE, APP, refreshed.access(), null).statusCode()); // revoked on A
    new Grants(onB).assertRefused(refreshed.access());                     // refused on B at once
  }

  @Test
  void aCodeRedeemedOnBothNodesAtOnceBuysExactlyOneToken() throws Exception {
    String verifier = OAuthClient.newVerifier();
    String code = onA.approve(query(verifier), USER, PASSWORD).get("code");
    List<Callable<HttpResponse<String>>> redemptions = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      OAuthClient node = i % 2 == 0 ? onA : onB;
      redemptions.add(() -> exchange(node, code, verifier));
    }
    List<HttpResponse<String>> answers = atOnce(redemptions);
    assertStatuses(Map.of(200, 1L, 400, 99L), answers);
    // The replays revoked what the one redemption issued (RFC 6749 §4.1.2).
    String issued = OAuthClient.json(answers.stream().filter(r -> r.statusCode() == 200).findFirst().orElseThrow())
        .get("access_token").getAsString();
    new Grants(onA).assertRefused(issued);
    new Grants(onB).assertRefused(issued);
  }

  @Test
  void aRefreshTokenRotatedOnBothNodesAtOnceYieldsOnePairAndTheReuseRevokesTheGrant() throws Exception {
    Grants.Tokens tokens = new Grants(onA).authorize(APP, "email");
    List<Callable<HttpResponse<String>>> rotations = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Grants node = new Grants(i % 2 == 0 ? onA : onB);
      rotations.add(() -> node.refresh(APP, tokens.refresh(), null));
    }
    List<HttpResponse<String>> answers = atOnce(rotations);
    assertStatuses(Map.of(200, 1L, 400, 49L), answers);
    Grants.Tokens rotated = Grants.issued(answers.stream().filter(r -> r.statusCode() == 200).findFirst()
        .orElseThrow());
    // The reuse revoked the whole grant: the original and the new pair alike, on both nodes.
    for (OAuthClient node : List.of(onA, onB)) {
      new Grants(node).assertRefused(tokens.access());
      new Grants(node).assertRefused(rotated.access());
    }
    assertEquals(400, new Grants(onB).refresh(APP, rotated.refresh(), null).statusCode());
  }

  @Test
  void aNodeRestartedUsesTokensIssuedBefore() throws Exception {
    Grants.Tokens tokens = new Grants(onA).authorize(APP, "email");
    try (PortcullisServer restarted = PortcullisServer.start(config().write(redis.dir(), "restarted.json"))) {
      OAuthClient onRestarted = new OAuthClient(restarted);
      new Grants(onRestarted).assertPasses(tokens.access());
      Grants.Tokens refreshed = Grants.issued(new Grants(onRestarted).refresh(APP, tokens.refresh(), null));
      assertTrue(refreshed.access().matches("[0-9a-f]{64}"));
    }
  }
}
