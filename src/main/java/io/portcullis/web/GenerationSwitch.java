package io.portcullis.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * What the container registers: a servlet and a filter that pass each request on to the one of
 * that name in the request's {@link Generation} — pinned by the first of them the request meets,
 * so a reload in the middle of a request changes nothing for it.
 */
final class GenerationSwitch {
  private GenerationSwitch() {}

  static final class Servlet extends HttpServlet {
    private final String name;
    private final transient Supplier<Generation> current;

    Servlet(String name, Supplier<Generation> current) {
      this.name = name;
      this.current = current;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
        throws ServletException, IOException {
      Generation.pin(request, current.get()).servlet(name).service(request, response);
    }
  }

  static final class Filter extends HttpFilter {
    private final String name;
    private final transient Supplier<Generation> current;

    Filter(String name, Supplier<Generation> current) {
      this.name = name;
      this.current = current;
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
        throws IOException, ServletException {
      Generation.pin(request, current.get()).filter(name).doFilter(request, response, chain);
    }
  }
}
