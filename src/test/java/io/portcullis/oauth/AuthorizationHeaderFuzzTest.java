package io.portcullis.oauth;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;

/**
 * Coverage-guided fuzzing of the two {@code Authorization} header parsers: the bearer filter's
 * (RFC 6750 §2.1) and client authentication's HTTP Basic (RFC 6749 §2.3.1). Whatever the header,
 * the answer is a decision or an {@link OAuthException} with a 4xx status — never another
 * exception, which would be a 500 — and no header unknown to the store passes.
 */
class AuthorizationHeaderFuzzTest {

  /** Throttling out of the way, or after a hundred inputs every secret would be refused unchecked. */
  static final OAuthFixture f = OAuthFixture.withTopLevel("\"throttling\": {\"userFailures\": 1000000, "
      + "\"addressFailures\": 1000000, \"clientFailures\": 1000000},");

  @FuzzTest(maxDuration = "60s")
  void anyBearerHeaderIsADecision(FuzzedDataProvider data) {
    String header = data.consumeString(600);
    String path = data.pickValue(new String[] {"/api/orders", "/health", "/api/admin/x", "/"});
    try {
      assertTrue(f.bearer.check(path, List.of(header)).isEmpty(), "an unknown token passed: " + header);
    } catch (OAuthException refused) {
      assertTrue(refused.status() >= 400 && refused.status() < 500, refused.status() + " " + refused.description());
    }
  }

  @FuzzTest(maxDuration = "60s")
  void anyBasicHeaderIsADecision(FuzzedDataProvider data) {
    String header = data.consumeString(600);
    String bodyClientId = data.consumeBoolean() ? data.consumeString(60) : null;
    String bodySecret = data.consumeBoolean() ? data.consumeString(60) : null;
    List<String> body = new java.util.ArrayList<>();
    if (bodyClientId != null) {
      body.addAll(List.of("client_id", bodyClientId));
    }
    if (bodySecret != null) {
      body.addAll(List.of("client_secret", bodySecret));
    }
    try {
      f.clients.authenticate(header.isEmpty() ? null : header, OAuthFixture.params(body), "198.51.100.1");
    } catch (OAuthException refused) {
      assertTrue(refused.status() >= 400 && refused.status() < 500, refused.status() + " " + refused.description());
    }
  }
}
