package io.portcullis.it;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client of a running Portcullis over real HTTP, as a REST client or a browser form would be.
 * Redirects are never followed, so tests see every 302.
 */
public final class OAuthClient {

  public static final String AUTHORIZE = "/invoke/pub.apigateway.oauth2/authorize";
  public static final String TOKEN = "/invoke/pub.apigateway.oauth2/getAccessToken";

  private static final Pattern HIDDEN = Pattern.compile(
      "<input type=\"hidden\" name=\"([a-z_]+)\" value=\"([^\"]*)\">");
  private static final Pattern ACTION = Pattern.compile("<form method=\"post\" action=\"([^\"]*)\"");

  /**
   * {@code http://host:port/context}, without a trailing slash; asked at each request, because a
   * {@link PortcullisServer} registered as an extension has no port yet when a field initializer
   * builds its client.
   */
  private final Supplier<String> baseUrl;
  private final HttpClient http = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(10))
      .build();

  /** A client of the server wherever it runs once started; it need not be started yet. */
  public OAuthClient(PortcullisServer server) {
    this.baseUrl = server::baseUrl;
  }

  /** A client of any running deployment, e.g. in a real Tomcat: {@code http://127.0.0.1:port/context}. */
  public OAuthClient(String baseUrl) {
    this.baseUrl = () -> baseUrl;
  }

  public String url(String pathAndQuery) {
    return baseUrl.get() + pathAndQuery;
  }

  public HttpClient http() {
    return http;
  }

  public HttpResponse<String> get(String pathAndQuery, String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(pathAndQuery))).GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> post(String path, String contentType, String body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> postForm(String path, Map<String, String> form, String... headers)
      throws IOException, InterruptedException {
    return post(path, "application/x-www-form-urlencoded", formEncode(form), headers);
  }

  public HttpResponse<String> postJson(String path, String json, String... headers)
      throws IOException, InterruptedException {
    return post(path, "application/json", json, headers);
  }

  /** The approval page of {@code GET authorize?query}, asserting it is one. */
  public ApprovalPage authorize(Map<String, String> query) throws IOException, InterruptedException {
    HttpResponse<String> page = get(AUTHORIZE + "?" + formEncode(query));
    if (page.statusCode() != 200) {
      throw new AssertionError("expected the approval page, got " + page.statusCode() + " "
          + page.headers().firstValue("Location").orElse("") + "\n" + page.body());
    }
    return ApprovalPage.parse(page.body());
  }

  /** Submits the approval page with a decision and credentials; returns the raw response. */
  public HttpResponse<String> decide(ApprovalPage page, String decision, String username, String password)
      throws IOException, InterruptedException {
    Map<String, String> form = new LinkedHashMap<>(page.hidden());
    if (username != null) {
      form.put("username", username);
    }
    if (password != null) {
      form.put("password", password);
    }
    form.put("decision", decision);
    String action = page.action();
    String path = action.substring(baseUrl.get().replaceFirst("^http://[^/]+", "").length());
    return postForm(path, form);
  }

  /**
   * The whole front channel: the approval page of {@code GET authorize?query}, approved with these
   * credentials; returns the parameters of the redirect, asserting it carries a code.
   */
  public Map<String, String> approve(Map<String, String> query, String username, String password)
      throws IOException, InterruptedException {
    HttpResponse<String> redirect = decide(authorize(query), "approve", username, password);
    if (redirect.statusCode() != 302) {
      throw new AssertionError("expected a 302 with a code, got " + redirect.statusCode() + "\n" + redirect.body());
    }
    Map<String, String> parameters = redirectParameters(redirect);
    if (!parameters.containsKey("code")) {
      throw new AssertionError("the redirect has no code: " + redirect.headers().firstValue("Location").orElse(""));
    }
    return parameters;
  }

  /** An ordered map from name/value pairs, for queries and forms. */
  public static Map<String, String> params(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("names and values come in pairs");
    }
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return map;
  }

  /** The query parameters of a 302's Location. */
  public static Map<String, String> redirectParameters(HttpResponse<String> response) {
    String location = response.headers().firstValue("Location")
        .orElseThrow(() -> new AssertionError("no Location header; status " + response.statusCode()));
    Map<String, String> parameters = new LinkedHashMap<>();
    int q = location.indexOf('?');
    if (q < 0) {
      return parameters;
    }
    for (String pair : location.substring(q + 1).split("&")) {
      int eq = pair.indexOf('=');
      parameters.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return parameters;
  }

  public static JsonObject json(HttpResponse<String> response) {
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  public static String basic(String clientId, String secret) {
    return "Basic " + Base64.getEncoder().encodeToString(
        (URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":" + URLEncoder.encode(secret, StandardCharsets.UTF_8))
            .getBytes(StandardCharsets.UTF_8));
  }

  public static String formEncode(Map<String, String> form) {
    StringBuilder body = new StringBuilder();
    form.forEach((name, value) -> {
      if (body.length() > 0) {
        body.append('&');
      }
      body.append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    });
    return body.toString();
  }

  /** A verifier like the vendor helper's: 64 hex characters (the seed's sample is one). */
  public static String newVerifier() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    StringBuilder hex = new StringBuilder();
    for (byte b : bytes) {
      hex.append(String.format("%02x", b));
    }
    return hex.toString();
  }

  /** RFC 7636 §4.2 S256, computed here rather than by the code under test. */
  public static String challenge(String verifier) {
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
          .digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The approval page's form, as a browser sees it. */
  public record ApprovalPage(String action, Map<String, String> hidden, String html) {
    static ApprovalPage parse(String html) {
      Matcher action = ACTION.matcher(html);
      if (!action.find()) {
        throw new AssertionError("no <form method=\"post\"> on the page:\n" + html);
      }
      Map<String, String> hidden = new LinkedHashMap<>();
      Matcher m = HIDDEN.matcher(html);
      while (m.find()) {
        hidden.put(m.group(1), m.group(2));
      }
      return new ApprovalPage(action.group(1), hidden, html);
    }
  }
}
