package io.portcullis.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import redis.clients.jedis.Jedis;

/**
 * What a {@code redis-server} on loopback did, for the benchmarks: {@code INFO} figures, its
 * process id (for its CPU time), and every command it received while some work ran.
 *
 * <p>{@code INFO stats total_commands_processed} and {@code INFO commandstats} also count the
 * commands a Lua script runs inside Redis, so they are not round trips. {@link #count} therefore
 * also listens with {@code MONITOR}, which marks those commands {@code [0 lua]}: a line from a
 * client address is one round trip. The work is bracketed by two {@code ECHO} marks sent on this
 * object's own connection, so nothing before or after is counted.
 */
final class RedisStats implements AutoCloseable {

  /** What kind of entry a key holds, from its hash tag: {@code portcullis:{a:<hash>}}. */
  private static final Pattern KIND = Pattern.compile("\\{([a-z]):");
  /** What each hash-tag kind of RedisTokenStore stands for, for the report. */
  static final Map<String, String> KINDS = Map.of(
      "p", "pending approval", "c", "code or spent-code marker", "a", "access token", "r", "refresh token",
      "g", "revoked grant", "l", "client's live-token count", "f", "failure counter");

  private final int port;
  private final Jedis jedis;

  RedisStats(int port) {
    this.port = port;
    this.jedis = new Jedis("127.0.0.1", port);
  }

  /** {@code INFO section} as name → value. */
  Map<String, String> info(String section) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String line : jedis.info(section).split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        values.put(line.substring(0, colon), line.substring(colon + 1).trim());
      }
    }
    return values;
  }

  long usedMemory() {
    return Long.parseLong(info("memory").get("used_memory"));
  }

  /**
   * {@code used_memory} less what the connections' buffers take ({@code mem_clients_normal} and
   * {@code mem_clients_slaves}, where MONITOR's output is): what the data took, without the noise of
   * a buffer that happened to be full.
   */
  long dataMemory() {
    Map<String, String> memory = info("memory");
    return Long.parseLong(memory.get("used_memory")) - Long.parseLong(memory.get("mem_clients_normal"))
        - Long.parseLong(memory.getOrDefault("mem_clients_slaves", "0"));
  }

  long pid() {
    return Long.parseLong(info("server").get("process_id"));
  }

  long keys() {
    return jedis.dbSize();
  }

  /** Bytes Redis reports for one key and its value ({@code MEMORY USAGE key SAMPLES 0}: exact). */
  long memoryUsage(String key) {
    Object answer = jedis.sendCommand(redis.clients.jedis.Protocol.Command.MEMORY, "USAGE", key, "SAMPLES", "0");
    return answer == null ? -1 : (Long) answer;
  }

  /** Calls per command since start or {@code CONFIG RESETSTAT}, from {@code INFO commandstats}. */
  Map<String, Long> commandCalls() {
    Map<String, Long> calls = new TreeMap<>();
    for (Map.Entry<String, String> e : info("commandstats").entrySet()) {
      String value = e.getValue();
      int start = value.indexOf("calls=") + "calls=".length();
      int end = value.indexOf(',', start);
      calls.put(e.getKey().replaceFirst("^cmdstat_", "").toUpperCase(Locale.ROOT),
          Long.parseLong(value.substring(start, end < 0 ? value.length() : end)));
    }
    return calls;
  }

  /** What Redis did during one piece of work. */
  record Tally(
      /** Commands received from clients (round trips), by command and key kind, e.g. "EVAL f". */
      Map<String, Long> sent,
      /** Commands run inside Lua scripts, by command and key kind. */
      Map<String, Long> inScripts,
      /** INFO commandstats difference (client and script commands together), the counter's own left out. */
      Map<String, Long> executed,
      /** {@link #dataMemory()} before and after. */
      long dataMemoryBefore,
      long dataMemoryAfter,
      long keysBefore,
      long keysAfter) {

    long roundTrips() {
      return sent.values().stream().mapToLong(Long::longValue).sum();
    }

    long scriptCommands() {
      return inScripts.values().stream().mapToLong(Long::longValue).sum();
    }

    long executedCommands() {
      return executed.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** Work to count; may throw. */
  interface Work {
    void run() throws Exception;
  }

  /** Runs {@code work} and returns what Redis received meanwhile, and its memory and keys before and after. */
  Tally count(Work work) throws Exception {
    String mark = "portcullis-bench-mark-" + System.nanoTime();
    Map<String, Long> sent = new TreeMap<>();
    Map<String, Long> inScripts = new TreeMap<>();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch ended = new CountDownLatch(1);
    AtomicLong unparsed = new AtomicLong();
    try (Socket monitor = new Socket("127.0.0.1", port)) {
      OutputStream out = monitor.getOutputStream();
      out.write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(monitor.getInputStream(), StandardCharsets.ISO_8859_1));
      String ok = in.readLine();
      if (!"+OK".equals(ok)) {
        throw new IOException("MONITOR answered " + ok);
      }
      Thread reader = new Thread(() -> {
        boolean counting = false;
        try {
          for (String line; (line = in.readLine()) != null; ) {
            int close = line.indexOf("] \"");
            int open = line.indexOf('[');
            if (close < 0 || open < 0) {
              unparsed.incrementAndGet();
              continue;
            }
            int nameEnd = line.indexOf('"', close + 3);
            String command = line.substring(close + 3, nameEnd).toUpperCase(Locale.ROOT);
            String rest = line.substring(nameEnd + 1);
            if (command.equals("ECHO") && rest.contains(mark)) {
              if (!counting) {
                counting = true;
                started.countDown();
                continue;
              }
              ended.countDown();
              return;
            }
            if (!counting) {
              continue;
            }
            Matcher kind = KIND.matcher(rest);
            String label = command + (kind.find() ? " " + kind.group(1) : "");
            boolean script = line.substring(open, close).endsWith(" lua");
            (script ? inScripts : sent).merge(label, 1L, Long::sum);
          }
        } catch (IOException e) {
          // the socket was closed: done
        }
      }, "redis-monitor");
      reader.setDaemon(true);
      reader.start();

      Map<String, Long> callsBefore = commandCalls();
      long memoryBefore = dataMemory();
      long keysBefore = keys();
      jedis.echo(mark);
      if (!started.await(10, TimeUnit.SECONDS)) {
        throw new IOException("MONITOR did not show the start mark");
      }
      work.run();
      jedis.echo(mark);
      if (!ended.await(30, TimeUnit.SECONDS)) {
        throw new IOException("MONITOR did not show the end mark within 30 s");
      }
      long memoryAfter = dataMemory();
      long keysAfter = keys();
      Map<String, Long> executed = new TreeMap<>();
      for (Map.Entry<String, Long> e : commandCalls().entrySet()) {
        long calls = e.getValue() - callsBefore.getOrDefault(e.getKey(), 0L);
        if (calls > 0 && !Set.of("INFO", "ECHO", "DBSIZE", "MONITOR").contains(e.getKey())) {
          executed.put(e.getKey(), calls);
        }
      }
      if (unparsed.get() > 0) {
        System.err.println("RedisStats: " + unparsed.get() + " MONITOR line(s) not understood");
      }
      // The reader wrote both maps before it counted down "ended": they are safe to read here.
      return new Tally(new TreeMap<>(sent), new TreeMap<>(inScripts), executed, memoryBefore, memoryAfter,
          keysBefore, keysAfter);
    }
  }

  /** "EVAL f ×12.0, GET a ×1.0": counts per operation, most first. */
  static String perOperation(Map<String, Long> counts, long operations) {
    return String.join(", ", counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .map(e -> String.format(Locale.ROOT, "%s ×%s", e.getKey(), decimal((double) e.getValue() / operations)))
        .toList());
  }

  /** 12, 1.5, 0.0004: as many decimals as the figure needs, up to four significant ones. */
  static String decimal(double value) {
    if (value == Math.rint(value)) {
      return String.format(Locale.ROOT, "%.0f", value);
    }
    if (value >= 1) {
      return String.format(Locale.ROOT, "%.2f", value);
    }
    return new java.math.BigDecimal(value).round(new java.math.MathContext(2)).stripTrailingZeros().toPlainString();
  }

  @Override
  public void close() {
    jedis.close();
  }
}
