package org.aspd.pipeline.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Flink standalone session cluster run by {@code pipeline/cluster/flink-cluster.sh}: one
 * JobManager and one TaskManager JVM on 127.0.0.1, their PIDs and logs in {@link #dir()}. Talks to
 * the cluster through its REST API, as a user or an operator would.
 */
final class FlinkCluster implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path script;
  private final Path dir;
  private final String master;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private FlinkCluster(Path script, Path dir, String master) {
    this.script = script;
    this.dir = dir;
    this.master = master;
  }

  /** Starts a cluster in {@code dir} and returns once a TaskManager has registered free slots. */
  static FlinkCluster start(Path script, Path dir) throws IOException, InterruptedException {
    String out = runScript(script, List.of("start", "--dir", dir.toString()), Duration.ofMinutes(5));
    String master = out.lines().filter(l -> l.startsWith("--flinkMaster=")).findFirst()
        .map(l -> l.substring("--flinkMaster=".length()))
        .orElseThrow(() -> new IllegalStateException("flink-cluster.sh start printed no --flinkMaster:\n" + out));
    return new FlinkCluster(script, dir, master);
  }

  /** {@code 127.0.0.1:PORT}, the value of Beam's {@code --flinkMaster}. */
  String master() {
    return master;
  }

  Path dir() {
    return dir;
  }

  /** Starts one more TaskManager (a replacement for a killed one) and waits for its slots. */
  void addTaskManager() throws IOException, InterruptedException {
    runScript(script, List.of("add-taskmanager", "--dir", dir.toString()), Duration.ofMinutes(2));
  }

  /** The live TaskManager JVMs this cluster's script started, from their PID files. */
  List<ProcessHandle> taskManagers() throws IOException {
    List<ProcessHandle> live = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path pidFile : files.filter(p -> p.getFileName().toString().matches("taskmanager-\\d+\\.pid")).toList()) {
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(live::add);
      }
    }
    return live;
  }

  /** Runs {@code flink-cluster.sh flink ARGS...}: Flink's own CLI against this cluster. */
  Process flinkCli(List<String> args, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of("bash", script.toString(), "flink", "--dir", dir.toString()));
    command.addAll(args);
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  Set<String> jobIds() throws IOException, InterruptedException {
    Set<String> ids = new HashSet<>();
    for (JsonNode job : rest("/jobs/overview").path("jobs")) {
      ids.add(job.path("jid").asText());
    }
    return ids;
  }

  /** The id of the one job that is not in {@code known}, once the JobManager lists it. */
  String awaitNewJob(Set<String> known, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<String> fresh = jobIds().stream().filter(id -> !known.contains(id)).findFirst();
      if (fresh.isPresent()) {
        return fresh.get();
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("no new job on the cluster within " + timeout);
  }

  /** {@code GET /jobs/ID}: state, per-state timestamps, vertices. */
  JsonNode job(String id) throws IOException, InterruptedException {
    return rest("/jobs/" + id);
  }

  /** Waits until job {@code id} is RUNNING with at least one task running. */
  void awaitRunningTasks(String id, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode job = job(id);
      if (job.path("state").asText().equals("RUNNING") && job.path("status-counts").path("RUNNING").asInt() > 0) {
        return;
      }
      if (isTerminal(job.path("state").asText())) {
        throw new IllegalStateException("job " + id + " ended before it ran: " + job.path("state").asText());
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("job " + id + " did not start running within " + timeout);
  }

  /** Waits for a globally terminal state (FINISHED, FAILED, CANCELED) and returns it. */
  String awaitTerminal(String id, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      String state = job(id).path("state").asText();
      if (isTerminal(state)) {
        return state;
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("job " + id + " still not finished after " + timeout);
  }

  static boolean isTerminal(String state) {
    return state.equals("FINISHED") || state.equals("FAILED") || state.equals("CANCELED");
  }

  JsonNode rest(String path) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + master + path))
        .timeout(Duration.ofSeconds(10)).GET().build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (response.statusCode() != 200) {
      throw new IOException("GET " + path + ": HTTP " + response.statusCode() + " " + response.body());
    }
    return JSON.readTree(response.body());
  }

  /** Stops every JVM of this cluster by its PID; the logs stay in {@link #dir()}. */
  @Override
  public void close() throws IOException, InterruptedException {
    runScript(script, List.of("stop", "--dir", dir.toString()), Duration.ofMinutes(1));
  }

  /** Stops whatever the script started in {@code dir}, if anything (for a start that failed half-way). */
  static void stop(Path script, Path dir) throws IOException, InterruptedException {
    runScript(script, List.of("stop", "--dir", dir.toString()), Duration.ofMinutes(1));
  }

  private static String runScript(Path script, List<String> args, Duration timeout)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", script.toString()));
    command.addAll(args);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    // The cluster's JVMs write to their own logs, so the script's output ends when the script does.
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("flink-cluster.sh " + args + " did not finish within " + timeout);
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IllegalStateException("flink-cluster.sh " + args + " exited " + p.exitValue() + ":\n" + text);
    }
    return text;
  }
}
