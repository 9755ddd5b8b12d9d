package io.portcullis.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTML page from a template resource with {@code {{name}}} placeholders. Every value is escaped
 * here, the only place HTML is escaped; a value that is already markup must be an {@link Html},
 * which only this class's {@link #escape} and {@link Html#join} make.
 */
final class HtmlTemplate {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-zA-Z_]+)}}");

  /** Markup that is safe to insert as it is. */
  record Html(String markup) {
    static Html join(Iterable<Html> parts) {
      StringBuilder all = new StringBuilder();
      parts.forEach(p -> all.append(p.markup()));
      return new Html(all.toString());
    }
  }

  private final String name;
  /**
   * The template compiled once: literal text at even indexes, placeholder names at odd ones, so
   * that rendering is a walk over the parts, with no pattern matching per page.
   */
  private final String[] parts;
  private final int literalLength;

  private HtmlTemplate(String name, String template) {
    this.name = name;
    java.util.List<String> compiled = new java.util.ArrayList<>();
    Matcher m = PLACEHOLDER.matcher(template);
    int at = 0;
    int literal = 0;
    while (m.find()) {
      compiled.add(template.substring(at, m.start()));
      literal += m.start() - at;
      compiled.add(m.group(1));
      at = m.end();
    }
    compiled.add(template.substring(at));
    literal += template.length() - at;
    this.parts = compiled.toArray(String[]::new);
    this.literalLength = literal;
  }

  static HtmlTemplate load(String resource) {
    try (InputStream in = HtmlTemplate.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("template " + resource + " is missing from the WAR");
      }
      return new HtmlTemplate(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("template " + resource + " cannot be read", e);
    }
  }

  /** Values are {@link String}s (escaped) or {@link Html} (inserted as is). */
  String render(Map<String, ?> values) {
    StringBuilder out = new StringBuilder(literalLength + 1024);
    for (int i = 0; i < parts.length; i++) {
      if (i % 2 == 0) {
        out.append(parts[i]);
        continue;
      }
      Object value = values.get(parts[i]);
      if (value == null) {
        throw new IllegalArgumentException("template " + name + " needs a value for " + parts[i]);
      }
      if (value instanceof Html html) {
        out.append(html.markup());
      } else {
        escapeInto(out, value.toString());
      }
    }
    return out.toString();
  }

  static Html escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    escapeInto(out, text);
    return new Html(out.toString());
  }

  private static void escapeInto(StringBuilder out, String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
  }
}
