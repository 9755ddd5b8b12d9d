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
  private final String template;

  private HtmlTemplate(String name, String template) {
    this.name = name;
    this.template = template;
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
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder(template.length() + 512);
    while (m.find()) {
      Object value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalArgumentException("template " + name + " needs a value for " + m.group(1));
      }
      String markup = value instanceof Html html ? html.markup() : escape(value.toString()).markup();
      m.appendReplacement(out, Matcher.quoteReplacement(markup));
    }
    m.appendTail(out);
    return out.toString();
  }

  static Html escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
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
    return new Html(out.toString());
  }
}
