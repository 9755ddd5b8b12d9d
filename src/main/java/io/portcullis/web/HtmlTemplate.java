package io.portcullis.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
  /** The literal parts, {@code parts[2 * i]}, encoded once: a page is built as the bytes it is sent as. */
  private final byte[][] literals;
  private final int literalBytes;

  private HtmlTemplate(String name, String template) {
    this.name = name;
    java.util.List<String> compiled = new java.util.ArrayList<>();
    Matcher m = PLACEHOLDER.matcher(template);
    int at = 0;
    while (m.find()) {
      compiled.add(template.substring(at, m.start()));
      compiled.add(m.group(1));
      at = m.end();
    }
    compiled.add(template.substring(at));
    this.parts = compiled.toArray(String[]::new);
    this.literals = new byte[(parts.length + 1) / 2][];
    int bytes = 0;
    for (int i = 0; i < parts.length; i += 2) {
      literals[i / 2] = parts[i].getBytes(StandardCharsets.UTF_8);
      bytes += literals[i / 2].length;
    }
    this.literalBytes = bytes;
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

  /** The page in UTF-8. Values are {@link String}s (escaped) or {@link Html} (inserted as is). */
  byte[] render(Map<String, ?> values) {
    byte[] out = new byte[literalBytes + 1024];
    int length = 0;
    for (int i = 0; i < parts.length; i++) {
      byte[] part;
      if (i % 2 == 0) {
        part = literals[i / 2];
      } else {
        Object value = values.get(parts[i]);
        if (value == null) {
          throw new IllegalArgumentException("template " + name + " needs a value for " + parts[i]);
        }
        String text = value instanceof Html html ? html.markup() : escape(value.toString()).markup();
        part = text.getBytes(StandardCharsets.UTF_8);
      }
      if (length + part.length > out.length) {
        out = Arrays.copyOf(out, Math.max(2 * out.length, length + part.length));
      }
      System.arraycopy(part, 0, out, length, part.length);
      length += part.length;
    }
    return length == out.length ? out : Arrays.copyOf(out, length);
  }

  static Html escape(String text) {
    if (!needsEscaping(text)) {
      return new Html(text); // most values: ids, URIs, scopes
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    escapeInto(out, text);
    return new Html(out.toString());
  }

  private static boolean needsEscaping(String text) {
    for (int i = 0; i < text.length(); i++) {
      switch (text.charAt(i)) {
        case '&', '<', '>', '"', '\'' -> {
          return true;
        }
        default -> {
          // plain
        }
      }
    }
    return false;
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
