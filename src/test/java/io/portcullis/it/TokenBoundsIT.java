package io.portcullis.it;

import static io.portcullis.it.ConfigJson.RESOURCE;
import static io.portcullis.it.ConfigJson.RESOURCE_SECRET;
import static io.portcullis.it.Grants.REVOKE;
import static io.portcullis.it.OAuthClient.TOKEN;
import static io.portcullis.it.OAuthClient.basic;
import static io.portcullis.it.OAuthClient.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.portcullis.it.Grants.Caller;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Over real HTTP: one client looping over client credentials gets its quota of live tokens and
 * then 429, however many requests it sends at once, while other clients go on; and a grant's
 * tokens end with the grant ({@code maxGrantLifetimeSeconds}).
 */
class TokenBoundsIT {

  static final String GREEDY = "greedy-service";
  static final String GREEDY_SECRET = "greedy-service-secret";

  @RegisterExtension static final PortcullisServer server = PortcullisServer.deploy(ConfigJson.grants()
      .set("maxGrantLifetimeSeconds", 120)
      .client(ConfigJson.Client.confidential(GREEDY, GREEDY_SECRET).withoutRedirectUris()
          .scopes("email").grantTypes("client_credentials").set("maxLiveTokens", new JsonPrimitive(10))));
  static final OAuthClient client = new OAuthClient(server);
  static final Grants grants = new Grants(client);

  static HttpResponse<String> greedyToken() throws Exception {
    return client.postForm(TOKEN, params("grant_type", "client_credentials"),
        "Authorization", basic(GREEDY, GREEDY_SECRET));
  }

  @Test
  void aClientInALoopGetsItsQuotaAndNoMore() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(32);
    List<Future<HttpResponse<String>>> answers = new ArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    for (int i = 0; i < 80; i++) {
      answers.add(pool.submit(() -> {
        go.await();
        return greedyToken();
      }));
    }
    go.countDown();
    List<String> issued = new ArrayList<>();
    int refused = 0;
    for (Future<HttpResponse<String>> answer : answers) {
      HttpResponse<String> response = answer.get();
      if (response.statusCode() == 200) {
        issued.add(OAuthClient.json(response).get("access_token").getAsString());
      } else {
        assertEquals(429, response.statusCode(), response.body());
        assertEquals("temporarily_unavailable", OAuthClient.json(response).get("error").getAsString());
        refused++;
      }
    }
    pool.shutdown();
    assertEquals(10, issued.size());
    assertEquals(70, refused);
    // Everyone else is served.
    HttpResponse<String> other = client.postForm(TOKEN, params("grant_type", "client_credentials"),
        "Authorization", basic(RESOURCE, RESOURCE_SECRET));
    assertEquals(200, other.statusCode(), other.body());
    // A revoked token gives its place back.
    assertEquals(200, client.postForm(REVOKE, params("token", issued.get(0)),
        "Authorization", basic(GREEDY, GREEDY_SECRET)).statusCode());
    assertEquals(200, greedyToken().statusCode());
    assertEquals(429, greedyToken().statusCode());
  }

  @Test
  void aGrantsTokensEndWithTheGrant() throws Exception {
    Caller app = Caller.confidential(ConfigJson.REFRESHING, ConfigJson.REFRESHING_SECRET,
        ConfigJson.REFRESHING_REDIRECT);
    Grants.Tokens tokens = grants.authorize(app, "email");
    JsonObject refresh = grants.introspection(app, tokens.refresh());
    long lifetime = refresh.get("exp").getAsLong() - refresh.get("iat").getAsLong();
    assertTrue(lifetime <= 120, "the refresh token lives " + lifetime + " s, past the 120 s grant");
    Grants.Tokens rotated = Grants.issued(grants.refresh(app, tokens.refresh(), null));
    JsonObject access = grants.introspection(app, rotated.access());
    assertTrue(access.get("exp").getAsLong() - refresh.get("iat").getAsLong() <= 120,
        "an access token bought by a refresh ends with the grant: " + access);
  }
}
