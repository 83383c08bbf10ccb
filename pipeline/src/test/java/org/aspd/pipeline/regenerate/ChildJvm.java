package org.aspd.pipeline.regenerate;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A {@link RegenerateChild} process on the test classpath, stopped at a phase and killable with SIGKILL. */
final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final BufferedReader stdout;
  private final Path stderr;

  private ChildJvm(Process process, Path stderr) {
    this.process = process;
    this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.stderr = stderr;
  }

  static ChildJvm start(RegenerationListener.Phase haltAt, Path spec, Path logDir) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> cmd = new ArrayList<>(List.of(java.toString(), "-Xmx1g", "-XX:TieredStopAtLevel=1",
        "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
        RegenerateChild.class.getName(), haltAt.name(), "--spec", spec.toString()));
    Files.createDirectories(logDir);
    Path stderr = Files.createTempFile(logDir, "child-", ".err");
    Process p = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
    return new ChildJvm(p, stderr);
  }

  long pid() {
    return process.pid();
  }

  /** Waits until the child announces {@code phase}; fails if it exits first or takes over a minute. */
  void awaitPhase(RegenerationListener.Phase phase) throws Exception {
    CompletableFuture<Boolean> seen = CompletableFuture.supplyAsync(() -> {
      try {
        String line;
        while ((line = stdout.readLine()) != null) {
          if (line.equals(RegenerateChild.REACHED + phase)) {
            return true;
          }
        }
        return false;
      } catch (IOException e) {
        return false;
      }
    });
    try {
      if (!seen.get(60, TimeUnit.SECONDS)) {
        fail("the child exited before " + phase + ":\n" + Files.readString(stderr));
      }
    } catch (TimeoutException e) {
      fail("the child did not reach " + phase + " in 60 s:\n" + Files.readString(stderr));
    }
  }

  /** SIGKILL: no shutdown hook, no finally block runs, as in a power cut or an OOM kill. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
