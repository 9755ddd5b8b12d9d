package io.portcullis.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class RouteEchoServletTest {

  /** What the echo wrote before it was written directly: a Gson tree. */
  static String asGsonWouldWrite(String path, String method, String clientId, String username, Set<String> scopes) {
    JsonObject body = new JsonObject();
    body.addProperty("path", path);
    body.addProperty("method", method);
    if (clientId == null) {
      body.addProperty("public", true);
    } else {
      body.addProperty("client_id", clientId);
      body.addProperty("username", username);
      JsonArray array = new JsonArray();
      new TreeSet<>(scopes).forEach(array::add);
      body.add("scopes", array);
    }
    return new String(body.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
  }

  static String echo(String path, String method, String clientId, String username, Set<String> scopes)
      throws Exception {
    HttpServletRequest request = mock(HttpServletRequest.class);
    when(request.getServletPath()).thenReturn(path);
    when(request.getMethod()).thenReturn(method);
    when(request.getAttribute(BearerTokenFilter.CLIENT_ID)).thenReturn(clientId);
    when(request.getAttribute(BearerTokenFilter.USERNAME)).thenReturn(username);
    when(request.getAttribute(BearerTokenFilter.SCOPES)).thenReturn(scopes);
    ResponsesTest.RecordedResponse recorded = new ResponsesTest.RecordedResponse();
    new RouteEchoServlet().service(request, recorded.proxy());
    assertEquals(200, recorded.status);
    assertEquals(recorded.body.size(), recorded.contentLength);
    return recorded.text();
  }

  @Test
  void answersByteForByteAsTheJsonTreeDid() throws Exception {
    String[][] cases = {
        {"/public/item", "GET", null, null},
        {"/api/orders", "POST", "orders-app", "alice"},
        {"/api/x", "GET", "service-app", null},
        {"/a\"b\\c\u0001\u2028é", "DELETE", "odd\"client\n", "bob\ttab"},
    };
    for (String[] c : cases) {
      Set<String> scopes = Set.of("email", "profile", "a\"b");
      assertEquals(asGsonWouldWrite(c[0], c[1], c[2], c[3], scopes), echo(c[0], c[1], c[2], c[3], scopes));
    }
    assertEquals(asGsonWouldWrite("/x", "GET", "app", "u", Set.of()), echo("/x", "GET", "app", "u", Set.of()));
  }
}
