package io.portcullis.web;

import io.portcullis.oauth.RequestContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The first filter: gives every request an id, answered as {@code X-Request-Id} and named by
 * every log line about the request. A proxy's id is kept when it is a safe token (1 to 64 of
 * letters, digits and {@code .:_-}: nothing that could forge a log line or a header); otherwise a
 * new one is made. Also pins the request to the config generation in force ({@link Generation}).
 */
final class RequestIdFilter extends HttpFilter {

  static final String HEADER = "X-Request-Id";
  static final String ATTRIBUTE = "portcullis.request_id";
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

  private final transient Supplier<Generation> current;

  RequestIdFilter(Supplier<Generation> current) {
    this.current = current;
  }

  @Override
  protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    String id = idOf(request);
    request.setAttribute(ATTRIBUTE, id);
    response.setHeader(HEADER, id);
    Generation generation = Generation.pin(request, current.get());
    String before = RequestContext.enter(id);
    try {
      UnreadBody.Watched watched = new UnreadBody.Watched(response);
      chain.doFilter(request, watched);
      // A body nobody read, to a route, a refusal or a page: not left for the container to
      // swallow on a worker thread while a slow client sends it.
      UnreadBody.drainAfterAnswer(request, watched, generation.config().transport().requestBodyTimeout());
    } finally {
      RequestContext.leave(before);
    }
  }

  /** The request's id, as {@link RequestIdFilter} gave it; {@code null} when it did not run. */
  static String of(jakarta.servlet.ServletRequest request) {
    return request.getAttribute(ATTRIBUTE) instanceof String id ? id : null;
  }

  /** Sets the header again on a response that was reset. */
  static void answerWith(jakarta.servlet.ServletRequest request, HttpServletResponse response) {
    String id = of(request);
    if (id != null) {
      response.setHeader(HEADER, id);
    }
  }

  private static String idOf(HttpServletRequest request) {
    String given = request.getHeader(HEADER);
    if (given != null && SAFE.matcher(given).matches()) {
      return given;
    }
    byte[] random = new byte[12];
    ThreadLocalRandom.current().nextBytes(random);
    return HexFormat.of().formatHex(random);
  }
}
