package org.aspd.pipeline.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.PipelineResult;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.aspd.pipeline.AspdOptions;
import org.aspd.pipeline.AspdPipeline;
import org.aspd.testing.TiktokenTokenizerJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job on a real Flink 1.19 standalone cluster (JobManager and TaskManager JVMs started by
 * {@code pipeline/cluster/flink-cluster.sh}, the job shipped as {@code target/aspd-job.jar}) writes
 * the same rows as the DirectRunner, submitted both ways a user would; a TaskManager killed
 * mid-job loses and duplicates nothing; and a tokenizer.json target tokenizer works there.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FlinkClusterIT {
  /** Copies of the 80 bundled samples in the kill test: enough for a job of several seconds. */
  private static final int COPIES = 10;
  /** The DirectRunner as ./aspd runs it: element checks are FlinkRunnerTest's business, not this one's. */
  private static final String[] DIRECT_FAST = {"--enforceImmutability=false", "--enforceEncodability=false"};

  private static final Path HOME = Path.of(System.getProperty("aspd.home", ".."));
  private static final Path DATASET = HOME.resolve("datasets/vicuna-bench");
  private static final Path JOB_JAR = Path.of(System.getProperty("aspd.jobJar", "target/aspd-job.jar"));
  private static final Path SCRIPT = Path.of(System.getProperty("aspd.clusterScript", "cluster/flink-cluster.sh"));
  private static final Path CLUSTER_DIR = Path.of(System.getProperty("aspd.clusterDir", "target/flink-cluster-it"));

  @TempDir
  static Path work;

  private static FlinkCluster cluster;
  private static Path directOutput;

  @BeforeAll
  static void startCluster() throws Exception {
    assertTrue(Files.isRegularFile(JOB_JAR), JOB_JAR + " is missing: build it with mvn package (without -DskipJobJar)");
    FlinkCluster.stop(SCRIPT, CLUSTER_DIR); // whatever an interrupted earlier run left behind
    // A test JVM that is killed (a build timeout) must not leave the cluster's JVMs running.
    Runtime.getRuntime().addShutdownHook(new Thread(FlinkClusterIT::stopQuietly));
    long start = System.nanoTime();
    cluster = FlinkCluster.start(SCRIPT, CLUSTER_DIR);
    report("cluster up at %s in %.1f s (logs in %s/log)", cluster.master(), seconds(start), CLUSTER_DIR);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    } else {
      FlinkCluster.stop(SCRIPT, CLUSTER_DIR);
    }
  }

  @Test
  @Order(1)
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void jobSubmittedWithFlinkMasterMatchesDirectRunnerRecordByRecord() throws Exception {
    Path direct = directOutput();
    Path out = work.resolve("cluster");
    Set<String> before = cluster.jobIds();
    long start = System.nanoTime();
    assertEquals(PipelineResult.State.DONE, runInProcess(List.of(DATASET.toString()), out, clusterArgs()));
    reportJob("--flinkMaster submission", start, before);

    Outputs.assertSameRows(Outputs.rows(direct), Outputs.rows(out), "cluster vs DirectRunner");
    assertEquals(Outputs.stats(direct).get("ppd"), Outputs.stats(out).get("ppd"));
    assertEquals(Files.readString(direct.resolve("README.md")).replace("DirectRunner", "FlinkRunner"),
        Files.readString(out.resolve("README.md")));
    assertTrue(Files.isRegularFile(out.resolve("plots/dp.png")), "the card's plots are written on the cluster");
  }

  @Test
  @Order(2)
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void jobJarRunByFlinksOwnCliMatchesDirectRunnerRecordByRecord() throws Exception {
    Path direct = directOutput();
    Path out = work.resolve("flink-run");
    Path log = work.resolve("flink-run.log");
    Set<String> before = cluster.jobIds();
    long start = System.nanoTime();
    Process flink = cluster.flinkCli(List.of("run", "-p", "2", "-c", "org.aspd.pipeline.AspdPipeline",
        JOB_JAR.toString(), "--runner=FlinkRunner", "--input=" + DATASET, "--output=" + out), log);
    assertTrue(flink.waitFor(3, TimeUnit.MINUTES), "flink run did not finish; log: " + log);
    assertEquals(0, flink.exitValue(), () -> "flink run failed:\n" + tail(log));
    reportJob("flink run -c org.aspd.pipeline.AspdPipeline", start, before);

    Outputs.assertSameRows(Outputs.rows(direct), Outputs.rows(out), "flink run vs DirectRunner");
  }

  /**
   * SIGKILLs the TaskManager while the job runs and starts a replacement. The job must either
   * recover through the configured restart strategy and write every row exactly once, or fail
   * cleanly with no shard in place; a rerun into the same folder must then write exactly the rows
   * of an uninterrupted run.
   */
  @Test
  @Order(3)
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void killedTaskManagerLosesAndDuplicatesNothing() throws Exception {
    Path input = work.resolve("copies.jsonl");
    List<String> ids = Outputs.writeCopies(DATASET, COPIES, input);
    Path uninterrupted = work.resolve("copies-direct");
    long directStart = System.nanoTime();
    assertEquals(PipelineResult.State.DONE, runInProcess(List.of(input.toString()), uninterrupted, DIRECT_FAST));
    report("DirectRunner on %d samples: %.1f s", ids.size(), seconds(directStart));
    Map<String, String> expected = Outputs.rows(uninterrupted);
    assertEquals(new TreeSet<>(ids), expected.keySet());

    Path out = work.resolve("copies-cluster");
    Set<String> before = cluster.jobIds();
    Process client = submitWithJobJar(input, out, work.resolve("killed-client.log"));
    String job = cluster.awaitNewJob(before, Duration.ofMinutes(2));
    cluster.awaitRunningTasks(job, Duration.ofMinutes(2));
    Thread.sleep(2000);
    assertEquals("RUNNING", cluster.job(job).path("state").asText(),
        "the job must still run when its TaskManager is killed; raise COPIES");
    List<ProcessHandle> taskManagers = cluster.taskManagers();
    assertFalse(taskManagers.isEmpty(), "no live TaskManager to kill");
    for (ProcessHandle tm : taskManagers) {
      assertTrue(tm.destroyForcibly(), "SIGKILL of TaskManager pid " + tm.pid());
      tm.onExit().get(30, TimeUnit.SECONDS);
    }
    long killed = System.nanoTime();
    cluster.addTaskManager();

    String state = cluster.awaitTerminal(job, Duration.ofMinutes(4));
    assertTrue(client.waitFor(1, TimeUnit.MINUTES), "the client did not return after the job ended");
    JsonNode detail = cluster.job(job);
    int failures = cluster.rest("/jobs/" + job + "/exceptions").path("exceptionHistory").path("entries").size();
    report("TaskManager killed mid-job: job %s %.1f s after the kill, %d failure(s) in its history",
        state, seconds(killed), failures);
    if (state.equals("FINISHED")) {
      assertEquals(0, client.exitValue(), () -> "the client failed although the job finished:\n"
          + tail(work.resolve("killed-client.log")));
      assertTrue(detail.path("timestamps").path("RESTARTING").asLong() > 0, "the job never restarted");
      Outputs.assertSameRows(expected, Outputs.rows(out), "recovered run vs uninterrupted run");
    } else {
      assertTrue(state.equals("FAILED") || state.equals("CANCELED"), state);
      assertNotEquals(0, client.exitValue(), "the client reported success for a failed job");
      assertEquals(List.of(), Outputs.finishedShards(out), "a failed run left shards in place");
    }

    // A finished run is replaced only on request; a failed one left no run to protect.
    Process rerun = submitWithJobJar(input, out, work.resolve("rerun-client.log"), "--overwrite");
    assertTrue(rerun.waitFor(3, TimeUnit.MINUTES), "the rerun did not finish");
    assertEquals(0, rerun.exitValue(), () -> "the rerun failed:\n" + tail(work.resolve("rerun-client.log")));
    Outputs.assertSameRows(expected, Outputs.rows(out), "rerun after the kill vs uninterrupted run");
  }

  /**
   * A model's tokenizer.json as the target tokenizer: the tokenizers library's native part loads on
   * the TaskManagers from the job jar, twice in a row in the same TaskManager JVMs (each job has its
   * own class loader, and a native library is bound to the first one that loads it), and the rows
   * equal the DirectRunner's with the same file.
   */
  @Test
  @Order(4)
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void aTokenizerJsonJobRunsTwiceOnTheSameTaskManagers() throws Exception {
    Path model = work.resolve("cl100k-model");
    Files.createDirectories(model);
    TiktokenTokenizerJson.write(model.resolve("tokenizer.json"), "cl100k_base");
    Path direct = work.resolve("json-direct");
    assertEquals(PipelineResult.State.DONE, runInProcess(List.of(DATASET.toString()), direct,
        "--enforceImmutability=false", "--enforceEncodability=false", "--tokenizer=" + model));
    Map<String, String> expected = Outputs.rows(direct);
    for (int run = 1; run <= 2; run++) {
      Path out = work.resolve("json-flink-run-" + run);
      Path log = work.resolve("json-flink-run-" + run + ".log");
      Set<String> before = cluster.jobIds();
      long start = System.nanoTime();
      Process flink = cluster.flinkCli(List.of("run", "-p", "2", "-c", "org.aspd.pipeline.AspdPipeline",
          JOB_JAR.toString(), "--runner=FlinkRunner", "--input=" + DATASET, "--output=" + out,
          "--tokenizer=" + model), log);
      assertTrue(flink.waitFor(3, TimeUnit.MINUTES), "flink run did not finish; log: " + log);
      assertEquals(0, flink.exitValue(), () -> "flink run failed:\n" + tail(log));
      reportJob("flink run with a tokenizer.json, job " + run, start, before);
      Outputs.assertSameRows(expected, Outputs.rows(out), "tokenizer.json job " + run + " vs DirectRunner");
      assertEquals(Files.readString(direct.resolve("tokenizer.json")), Files.readString(out.resolve("tokenizer.json")));
    }
  }

  /**
   * Inputs and output on a real HDFS (a NameNode and a DataNode in this JVM, on 127.0.0.1), the job
   * on the cluster's TaskManagers: they list and read the FastChat folder and write shards, dead
   * letters and card through hdfs://, and the rows equal the DirectRunner's on the local folder.
   */
  @Test
  @Order(5)
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void aJobOnTheClusterReadsAndWritesHdfs() throws Exception {
    Path direct = directOutput();
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, work.resolve("hdfs").toString());
    MiniDFSCluster hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    try {
      hdfs.waitActive();
      String root = "hdfs://localhost:" + hdfs.getNameNodePort();
      FileSystem fs = hdfs.getFileSystem();
      fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(DATASET.toUri()), new org.apache.hadoop.fs.Path("/in/vicuna-bench"));
      List<String> args = new ArrayList<>(List.of(clusterArgs()));
      args.add("--hdfsConfiguration=[{\"fs.defaultFS\": \"" + root + "\"}]");
      Set<String> before = cluster.jobIds();
      long start = System.nanoTime();
      assertEquals(PipelineResult.State.DONE,
          runInProcess(List.of(root + "/in/vicuna-bench"), root + "/out", args.toArray(String[]::new)));
      reportJob("--flinkMaster submission, hdfs:// in and out", start, before);

      Path copy = work.resolve("hdfs-out");
      List<String> written = new ArrayList<>();
      for (var it = fs.listFiles(new org.apache.hadoop.fs.Path("/out"), true); it.hasNext(); ) {
        org.apache.hadoop.fs.Path file = it.next().getPath();
        String relative = file.toUri().getPath().substring("/out/".length());
        written.add(relative);
        Path target = copy.resolve(relative);
        Files.createDirectories(target.getParent());
        try (var in = fs.open(file)) {
          Files.copy(in, target);
        }
      }
      assertTrue(written.stream().anyMatch(f -> f.startsWith("data/") && f.endsWith(".parquet")),
          () -> written + "\n" + readQuietly(copy.resolve("stats.json")));
      Map<String, String> rows = new TreeMap<>();
      String hdfsDataset = root + "/in/vicuna-bench";
      Outputs.rows(copy).forEach((id, row) -> rows.put(id, row.replace(hdfsDataset, DATASET.toString())));
      Outputs.assertSameRows(Outputs.rows(direct), rows, "cluster on hdfs:// vs DirectRunner on the local folder");
      assertEquals(Outputs.stats(direct).get("ppd"), Outputs.stats(copy).get("ppd"));
      assertTrue(Files.isRegularFile(copy.resolve("README.md")) && Files.isRegularFile(copy.resolve("plots/dp.png")));
    } finally {
      hdfs.shutdown();
    }
  }

  private static void stopQuietly() {
    try {
      FlinkCluster.stop(SCRIPT, CLUSTER_DIR);
    } catch (Exception e) {
      System.err.println("FlinkClusterIT: could not stop the cluster in " + CLUSTER_DIR + ": " + e);
    }
  }

  private static synchronized Path directOutput() {
    if (directOutput == null) {
      Path out = work.resolve("direct");
      long start = System.nanoTime();
      assertEquals(PipelineResult.State.DONE, runInProcess(List.of(DATASET.toString()), out, DIRECT_FAST));
      report("DirectRunner on the bundled dataset: %.1f s", seconds(start));
      directOutput = out;
    }
    return directOutput;
  }

  private static String[] clusterArgs() {
    return new String[] {"--runner=FlinkRunner", "--flinkMaster=" + cluster.master(), "--parallelism=2",
        "--filesToStage=" + JOB_JAR.toAbsolutePath()};
  }

  private static PipelineResult.State runInProcess(List<String> inputs, Path output, String... extra) {
    return runInProcess(inputs, output.toString(), extra);
  }

  private static PipelineResult.State runInProcess(List<String> inputs, String output, String... extra) {
    List<String> args = new ArrayList<>();
    inputs.forEach(i -> args.add("--input=" + i));
    args.add("--output=" + output);
    args.addAll(List.of(extra));
    AspdOptions options = PipelineOptionsFactory.fromArgs(args.toArray(String[]::new))
        .withValidation().as(AspdOptions.class);
    return AspdPipeline.run(options).waitUntilFinish();
  }

  /** {@code java -cp aspd-job.jar:<Flink jars> org.aspd.pipeline.cli.AspdCli run --runner flink ...}. */
  private static Process submitWithJobJar(Path input, Path output, Path log, String... extra) throws IOException {
    Path flinkLib = Path.of(System.getenv().getOrDefault("ASPD_FLINK_LIB",
        SCRIPT.toAbsolutePath().getParent().resolve("target/lib").toString()));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx1g", "-Djava.awt.headless=true",
        "-cp", JOB_JAR.toAbsolutePath() + ":" + flinkLib + "/*", "org.aspd.pipeline.cli.AspdCli",
        "run", "--runner", "flink", "--input", input.toString(), "--output", output.toString(),
        "--flinkMaster=" + cluster.master(), "--parallelism=2", "--filesToStage=" + JOB_JAR.toAbsolutePath()));
    command.addAll(List.of(extra));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /** Prints how long a cluster job took: in all, from submission to the end on the cluster. */
  private static void reportJob(String how, long start, Set<String> before) throws Exception {
    double all = seconds(start);
    String job = cluster.awaitNewJob(before, Duration.ofSeconds(10));
    JsonNode detail = cluster.job(job);
    report("%s: %.1f s in all, of which %.1f s on the cluster", how, all, detail.path("duration").asLong() / 1e3);
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static void report(String format, Object... args) {
    System.out.printf("FlinkClusterIT: " + format + "%n", args);
  }
}
