package io.portcullis.bench;

import io.portcullis.config.PortcullisConfig;
import io.portcullis.oauth.RandomValues;
import io.portcullis.store.AccessToken;
import io.portcullis.store.CaffeineTokenStore;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import javax.management.ObjectName;

/**
 * How much heap one million live access tokens take in the real {@link CaffeineTokenStore}.
 *
 * <p>The store is built as {@code PortcullisBootstrap} builds it: from a loaded config (the
 * benchmark config, whose {@code store} bounds are the defaults, 2,000,000 tokens) and the
 * system clock. Each token is made as {@code TokenService} makes it: 64 hex characters from
 * {@link RandomValues#token()}, a random grant id, the config's client id and user, scope
 * {@code "email"}, issued now and expiring after the client's TTL, saved with
 * {@code saveAccessToken}. The figure is the heap in use after several full collections with the
 * store filled, minus the same before the store was built.
 *
 * <pre>
 *   java -Xmx400m -cp ... io.portcullis.bench.TokenMemory [--tokens 1000000] [--histogram 12]
 * </pre>
 *
 * Run it with {@code -Xmx400m} to show that the tokens fit: it then either completes or dies with
 * {@link OutOfMemoryError}.
 */
public final class TokenMemory {

  private TokenMemory() {}

  public static void main(String[] args) throws Exception {
    int count = 1_000_000;
    int histogram = 0;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--tokens" -> count = Integer.parseInt(args[i + 1]);
        case "--histogram" -> histogram = Integer.parseInt(args[i + 1]);
        default -> {
          System.err.println("usage: TokenMemory [--tokens N] [--histogram TOP_CLASSES]");
          System.exit(2);
        }
      }
    }
    if (args.length % 2 != 0 || count < 1) {
      System.err.println("usage: TokenMemory [--tokens N] [--histogram TOP_CLASSES]");
      System.exit(2);
    }

    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.out.println("JVM " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
        + ", flags " + ManagementFactory.getRuntimeMXBean().getInputArguments()
        + ", max heap " + mb(memory.getHeapMemoryUsage().getMax()) + " MB, GC "
        + ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).toList());

    PortcullisConfig config = BenchConfig.load(null);
    String clientId = BenchConfig.CLIENT_ID;
    String username = config.user(BenchConfig.FAST_USER).orElseThrow().username();
    long ttl = config.client(clientId).orElseThrow().accessTokenTtl().getSeconds();
    Clock clock = Clock.systemUTC();
    RandomValues random = new RandomValues();
    random.token(); // seed the SecureRandom before the baseline
    System.out.println("store bounds " + config.store() + "; " + count + " tokens of client " + clientId
        + ", user " + username + ", scope " + BenchConfig.SCOPE + ", TTL " + ttl + " s");

    long before = settledHeap(memory);
    CaffeineTokenStore store = new CaffeineTokenStore(config.store(), clock);
    String[] samples = new String[Math.min(100, count)];
    int stride = count / samples.length;
    long started = System.nanoTime();
    for (int i = 0; i < count; i++) {
      String token = random.token();
      Instant now = clock.instant();
      store.saveAccessToken(token, new AccessToken(random.grantId(), clientId, username, BenchConfig.SCOPE,
          now.getEpochSecond(), now.getEpochSecond() + ttl));
      if (i % stride == 0 && i / stride < samples.length) {
        samples[i / stride] = token; // kept to check afterwards that the store finds them
      }
    }
    double fillSeconds = (System.nanoTime() - started) / 1e9;
    store.cleanUp();
    long after = settledHeap(memory);

    long live = store.accessTokenCount();
    int found = 0;
    for (String sample : samples) {
      if (sample != null && store.findAccessToken(sample).isPresent()) {
        found++;
      }
    }
    long used = after - before;
    System.out.printf(Locale.ROOT, "filled %d tokens in %.1f s; %d live in the store; %d of %d sampled tokens found%n",
        count, fillSeconds, live, found, samples.length);
    System.out.printf(Locale.ROOT, "heap before %.1f MB, after %.1f MB (max %.0f MB)%n",
        mbd(before), mbd(after), mbd(memory.getHeapMemoryUsage().getMax()));
    System.out.printf(Locale.ROOT, "RESULT tokens=%d heap_used_by_store=%.1f MB (%.1f MiB) bytes_per_token=%.1f%n",
        count, used / 1e6, used / 1048576.0, (double) used / count);
    if (histogram > 0) {
      printHistogram(histogram);
    }
    boolean ok = live == count && found == samples.length;
    Reference.reachabilityFence(store);
    Reference.reachabilityFence(samples);
    if (!ok) {
      System.err.println("TokenMemory: the store does not hold every token (evicted or expired); the figure is not valid");
      System.exit(1);
    }
  }

  /** Heap in use after full collections, once it stops shrinking. */
  private static long settledHeap(MemoryMXBean memory) throws InterruptedException {
    long previous = Long.MAX_VALUE;
    long used = 0;
    for (int i = 0; i < 10; i++) {
      System.gc();
      Thread.sleep(100);
      used = memory.getHeapMemoryUsage().getUsed();
      if (i >= 3 && Math.abs(previous - used) < 64 * 1024) {
        break;
      }
      previous = used;
    }
    return used;
  }

  /** The classes holding most of the heap, from the JVM's own class histogram (GC.class_histogram). */
  private static void printHistogram(int top) throws Exception {
    String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
        new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
        new Object[] {new String[0]}, new String[] {String[].class.getName()});
    List<String> lines = text.lines().toList();
    System.out.println("largest classes on the heap (GC.class_histogram):");
    for (int i = 0; i < Math.min(lines.size(), top + 2); i++) {
      System.out.println("  " + lines.get(i));
    }
  }

  private static long mb(long bytes) {
    return bytes / 1_000_000;
  }

  private static double mbd(long bytes) {
    return bytes / 1e6;
  }
}
