package io.portcullis.bench;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One persistent HTTP/1.1 connection (keep-alive), written and read by hand.
 *
 * <p>The benchmark shares two cores with the server it measures, so the client must cost as
 * little as possible: no selector thread, no futures, no header maps. It writes a request, reads
 * the status line, keeps only {@code Location}, {@code Content-Length}, {@code Transfer-Encoding}
 * and {@code Connection}, and reads the body by length or chunks. It refuses any address that is
 * not loopback: the benchmark never sends traffic off this machine.
 */
final class RawHttp implements AutoCloseable {

  /** A response: status, the {@code Location} header (or null) and the body as text. */
  record Response(int status, String location, String body) {}

  /** One exchange as it went over the wire: the request line, the status, every header line and the body. */
  record Exchange(String requestLine, int status, List<String> headers, String body) {}

  /** When not null, every exchange is appended: what the ceiling ({@link Ceiling}) replays. */
  List<Exchange> transcript;

  private final String host;
  private final int port;
  private final String hostHeader;
  private final int readTimeoutMillis;
  private Socket socket;
  private InputStream in;
  private OutputStream out;
  private final byte[] line = new byte[8192];
  /** Our own read buffer: BufferedInputStream.read() takes a lock per byte on Java 17. */
  private final byte[] buffer = new byte[16 * 1024];
  private int position;
  private int limit;

  RawHttp(URI base, int readTimeoutMillis) {
    this.host = base.getHost();
    this.port = base.getPort() < 0 ? 80 : base.getPort();
    this.hostHeader = host + ":" + port;
    this.readTimeoutMillis = readTimeoutMillis;
  }

  /** Refuses any base URL that is not plain http on a loopback address. */
  static URI loopbackOnly(String url) {
    URI uri = URI.create(url);
    if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("--url must be http://HOST:PORT[/context], not " + url);
    }
    try {
      if (!java.net.InetAddress.getByName(uri.getHost()).isLoopbackAddress()) {
        throw new IllegalArgumentException("--url must point at this machine's loopback address, not " + url);
      }
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("unknown host in --url " + url);
    }
    return uri;
  }

  String hostHeader() {
    return hostHeader;
  }

  private void connect() throws IOException {
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.setSoTimeout(readTimeoutMillis);
    s.connect(new InetSocketAddress(host, port), readTimeoutMillis);
    socket = s;
    in = s.getInputStream();
    out = s.getOutputStream();
    position = 0;
    limit = 0;
  }

  /** Builds the bytes of a request; callers that repeat one request build it once. */
  byte[] request(String method, String pathAndQuery, String contentType, String body, String... headers) {
    StringBuilder text = new StringBuilder(256);
    text.append(method).append(' ').append(pathAndQuery).append(" HTTP/1.1\r\nHost: ").append(hostHeader)
        .append("\r\n");
    for (int i = 0; i + 1 < headers.length; i += 2) {
      text.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    byte[] bodyBytes = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
    if (bodyBytes != null) {
      text.append("Content-Type: ").append(contentType).append("\r\nContent-Length: ")
          .append(bodyBytes.length).append("\r\n");
    }
    text.append("\r\n");
    byte[] head = text.toString().getBytes(StandardCharsets.UTF_8);
    if (bodyBytes == null) {
      return head;
    }
    byte[] all = new byte[head.length + bodyBytes.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(bodyBytes, 0, all, head.length, bodyBytes.length);
    return all;
  }

  Response send(String method, String pathAndQuery, String contentType, String body, String... headers)
      throws IOException {
    return send(request(method, pathAndQuery, contentType, body, headers), true);
  }

  /**
   * Sends prepared request bytes and reads the whole response.
   *
   * @param keepBody false to read and drop the body (only the status is wanted)
   */
  Response send(byte[] request, boolean keepBody) throws IOException {
    if (socket == null) {
      connect();
    }
    out.write(request);
    int status = statusLine();
    List<String> headerLines = transcript == null ? null : new ArrayList<>();
    String location = null;
    long contentLength = -1;
    boolean chunked = false;
    boolean close = false;
    while (true) {
      int n = readLine();
      if (n == 0) {
        break;
      }
      int colon = indexOf(line, n, (byte) ':');
      if (colon <= 0) {
        continue;
      }
      if (headerLines != null) {
        headerLines.add(new String(line, 0, n, StandardCharsets.ISO_8859_1));
      }
      String name = new String(line, 0, colon, StandardCharsets.ISO_8859_1);
      if (name.equalsIgnoreCase("Content-Length")) {
        contentLength = Long.parseLong(value(colon, n));
      } else if (name.equalsIgnoreCase("Location")) {
        location = value(colon, n);
      } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
        chunked = value(colon, n).toLowerCase(Locale.ROOT).contains("chunked");
      } else if (name.equalsIgnoreCase("Connection")) {
        close = value(colon, n).toLowerCase(Locale.ROOT).contains("close");
      }
    }
    ByteArrayOutputStream body = keepBody ? new ByteArrayOutputStream(1024) : null;
    if (chunked) {
      while (true) {
        int n = readLine();
        String size = new String(line, 0, n, StandardCharsets.ISO_8859_1);
        int semicolon = size.indexOf(';');
        long chunk = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
        if (chunk == 0) {
          while (readLine() != 0) {
            // trailers
          }
          break;
        }
        copy(chunk, body);
        readLine();
      }
    } else if (contentLength >= 0) {
      copy(contentLength, body);
    } else if (status >= 200 && status != 204 && status != 304) {
      // No length: the body runs to the end of the connection.
      copy(Long.MAX_VALUE, body);
      close = true;
    }
    if (close) {
      close();
    }
    Response response = new Response(status, location, body == null ? null : body.toString(StandardCharsets.UTF_8));
    if (headerLines != null) {
      int end = 0;
      while (end < request.length && request[end] != '\r') {
        end++;
      }
      transcript.add(new Exchange(new String(request, 0, end, StandardCharsets.ISO_8859_1), status,
          List.copyOf(headerLines), response.body()));
    }
    return response;
  }

  private int statusLine() throws IOException {
    int n = readLine();
    // "HTTP/1.1 200 OK"
    if (n < 12 || line[0] != 'H') {
      throw new IOException("not an HTTP response: " + new String(line, 0, Math.min(n, 40), StandardCharsets.ISO_8859_1));
    }
    return (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  }

  private String value(int colon, int n) {
    return new String(line, colon + 1, n - colon - 1, StandardCharsets.ISO_8859_1).trim();
  }

  /** Reads one CRLF-terminated line into {@link #line}; returns its length without the CRLF. */
  private int readLine() throws IOException {
    int n = 0;
    while (true) {
      if (position == limit && !fill()) {
        throw new EOFException("the server closed the connection");
      }
      byte b = buffer[position++];
      if (b == '\n') {
        return n > 0 && line[n - 1] == '\r' ? n - 1 : n;
      }
      if (n == line.length) {
        throw new IOException("response header line longer than " + line.length + " bytes");
      }
      line[n++] = (byte) b;
    }
  }

  private boolean fill() throws IOException {
    int n = in.read(buffer, 0, buffer.length);
    if (n < 0) {
      return false;
    }
    position = 0;
    limit = n;
    return true;
  }

  private void copy(long length, ByteArrayOutputStream body) throws IOException {
    long left = length;
    while (left > 0) {
      if (position == limit && !fill()) {
        if (length == Long.MAX_VALUE) {
          return;
        }
        throw new EOFException("the server closed the connection mid-body");
      }
      int n = (int) Math.min(limit - position, left);
      if (body != null) {
        body.write(buffer, position, n);
      }
      position += n;
      left -= n;
    }
  }

  private static int indexOf(byte[] bytes, int n, byte b) {
    for (int i = 0; i < n; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // nothing to do: the connection is gone either way
      }
      socket = null;
      in = null;
      out = null;
    }
  }
}
