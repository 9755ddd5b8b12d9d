package io.portcullis.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Redis Cluster of three masters, made by the test: three {@code redis-server
 * --cluster-enabled yes} on free ports (and their bus ports, +10000), joined by
 * {@code redis-cli --cluster create}. A JUnit 5 extension for a static field, like
 * {@link RedisServer}; fails, never skips, without redis-server and redis-cli.
 */
public final class RedisCluster implements BeforeAllCallback, AfterAllCallback {

  private final List<RedisServer> masters = new ArrayList<>();

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    for (int i = 0; i < 3; i++) {
      masters.add(new RedisServer(freeClusterPort(), "--cluster-enabled", "yes",
          "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000").start());
    }
    List<String> create = new ArrayList<>(List.of(redisCli(), "--cluster", "create"));
    masters.forEach(m -> create.add("127.0.0.1:" + m.port()));
    create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
    Process process = new ProcessBuilder(create).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("redis-cli --cluster create failed:\n" + output);
    }
    awaitClusterOk();
  }

  /**
   * Every master must say so: each learns the others' slots on its own, and a command sent to one
   * that has not yet is answered CLUSTERDOWN (seen once in a full run when only the first was asked).
   */
  private void awaitClusterOk() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    for (RedisServer master : masters) {
      while (true) {
        Process info = new ProcessBuilder(redisCli(), "-p", Integer.toString(master.port()), "cluster", "info")
            .redirectErrorStream(true).start();
        String output = new String(info.getInputStream().readAllBytes());
        info.waitFor(10, TimeUnit.SECONDS);
        if (output.contains("cluster_state:ok") && output.contains("cluster_slots_ok:16384")) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the cluster did not become ok on port " + master.port() + ":\n" + output);
        }
        Thread.sleep(100);
      }
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    masters.forEach(RedisServer::close);
  }

  /** The seed nodes, {@code redis://127.0.0.1:port}. */
  public List<String> nodes() {
    return masters.stream().map(RedisServer::uri).toList();
  }

  private static String redisCli() {
    if (!java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/redis-cli"))) {
      throw new IllegalStateException("the Redis Cluster test needs redis-cli: bin/test installs it, or run "
          + "apt-get install -y redis-tools");
    }
    return "/usr/bin/redis-cli";
  }

  /** A free port whose cluster bus port (+10000) is free too. */
  private static int freeClusterPort() throws IOException {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = RedisServer.freePort();
      if (port + 10_000 > 65_535) {
        continue;
      }
      try (ServerSocket bus = new ServerSocket(port + 10_000)) {
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free port pair for a cluster node");
  }
}
