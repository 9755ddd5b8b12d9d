package io.portcullis.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 exchange written byte for byte over a {@link Socket}, for requests that
 * {@code java.net.http} would not send as written (two headers of one name, raw bytes).
 */
final class RawHttp {

  private RawHttp() {}

  /** A response: status, headers by lower-case name (every value kept), body as UTF-8. */
  record Response(int status, Map<String, List<String>> headers, String body) {
    List<String> header(String name) {
      return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    String firstHeader(String name) {
      List<String> values = header(name);
      return values.isEmpty() ? null : values.get(0);
    }
  }

  /**
   * Sends {@code head} (request line and header lines, each without CRLF; {@code Host}, unless
   * {@code head} has one, and {@code Connection: close} are added) and {@code body}, and reads the response to the end.
   */
  static Response exchange(PortcullisServer server, List<String> head, String body) throws IOException {
    return exchange(server.port(), head, body);
  }

  /** {@link #exchange(PortcullisServer, List, String)} with a server on {@code port} of this machine. */
  static Response exchange(int port, List<String> head, String body) throws IOException {
    byte[] bodyBytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    return send(port, head, body == null ? null : "Content-Length: " + bodyBytes.length, bodyBytes);
  }

  /** Like {@link #exchange} with the body sent chunked, so no length is declared up front. */
  static Response exchangeChunked(PortcullisServer server, List<String> head, List<String> chunks) throws IOException {
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    for (String chunk : chunks) {
      byte[] bytes = chunk.getBytes(StandardCharsets.UTF_8);
      body.writeBytes((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      body.writeBytes(bytes);
      body.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }
    body.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    return send(server.port(), head, "Transfer-Encoding: chunked", body.toByteArray());
  }

  /**
   * Sends {@code head}, the {@code framing} header line and {@code body} exactly as given (a
   * broken chunked body, say) to a server on {@code port}; the answer, or {@code null} when the
   * server closed the connection without one.
   */
  static Response exchangeFramed(int port, List<String> head, String framing, byte[] body) throws IOException {
    try {
      return send(port, head, framing, body);
    } catch (NoAnswer none) {
      return null;
    }
  }

  /** The connection ended before the head of an answer. */
  static final class NoAnswer extends IOException {
    NoAnswer(String message) {
      super(message);
    }
  }

  private static Response send(int port, List<String> head, String framing, byte[] body)
      throws IOException {
    StringBuilder request = new StringBuilder();
    for (String line : head) {
      request.append(line).append("\r\n");
    }
    if (head.stream().noneMatch(line -> line.regionMatches(true, 0, "Host:", 0, 5))) {
      request.append("Host: 127.0.0.1:").append(port).append("\r\n");
    }
    request.append("Connection: close\r\n");
    if (framing != null) {
      request.append(framing).append("\r\n");
    }
    request.append("\r\n");
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      try {
        out.write(body);
        out.flush();
      } catch (java.net.SocketException e) {
        // The server may answer and close before reading a body it refuses; its answer is still there to read.
      }
      return parse(socket.getInputStream().readAllBytes());
    }
  }

  private static Response parse(byte[] raw) throws IOException {
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      throw text.isEmpty() ? new NoAnswer("the connection ended without an answer")
          : new IOException("no complete response head in: " + text);
    }
    String[] lines = text.substring(0, end).split("\r\n");
    String[] statusLine = lines[0].split(" ", 3);
    int status = Integer.parseInt(statusLine[1]);
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(lines[i].substring(colon + 1).trim());
    }
    byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
    List<String> encoding = headers.getOrDefault("transfer-encoding", List.of());
    if (encoding.stream().anyMatch(e -> e.equalsIgnoreCase("chunked"))) {
      body = dechunk(body);
    }
    return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
  }

  private static byte[] dechunk(byte[] chunked) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InputStream in = new java.io.ByteArrayInputStream(chunked);
    while (true) {
      StringBuilder sizeLine = new StringBuilder();
      int c;
      while ((c = in.read()) != '\n') {
        if (c < 0) {
          throw new IOException("truncated chunked body");
        }
        if (c != '\r') {
          sizeLine.append((char) c);
        }
      }
      int semicolon = sizeLine.indexOf(";");
      int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).toString().trim(), 16);
      if (size == 0) {
        return out.toByteArray();
      }
      out.write(in.readNBytes(size));
      in.readNBytes(2);
    }
  }
}
