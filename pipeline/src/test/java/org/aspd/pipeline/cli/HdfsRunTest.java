package org.aspd.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code aspd run} with its inputs and output on a real HDFS (a NameNode and a DataNode started in
 * this JVM): the bundled FastChat folder and a gzip JSONL with a broken line are read from hdfs://,
 * shards, dead letters, statistics and card are written there, and every row equals the row of the
 * same run on local folders.
 */
class HdfsRunTest {
  @TempDir Path tmp;

  @Test
  void aRunOnHdfsWritesTheRowsOfTheSameRunOnLocalFolders() throws Exception {
    Path local = tmp.resolve("in");
    copyFolder(Path.of(DefaultDataset.path()), local.resolve("vicuna-bench"));
    writeGzip(local.resolve("extra/answers.jsonl.gz"),
        "{\"id\":\"x1\",\"prompt\":\"Name three primary colors.\",\"response\":\"Red, yellow and blue.\"}\n{broken\n");

    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("hdfs").toString());
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    try {
      cluster.waitActive();
      FileSystem hdfs = cluster.getFileSystem();
      String root = "hdfs://localhost:" + cluster.getNameNodePort();
      hdfs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.toUri()), new org.apache.hadoop.fs.Path("/data/in"));

      String out = captureStdout(() -> assertEquals(0, AspdCli.execute("run", "--input", root + "/data/in",
          "--output", root + "/data/out", "--hdfsConfiguration=[{\"fs.defaultFS\": \"" + root + "\"}]")));
      FileStatus[] dead = hdfs.globStatus(new org.apache.hadoop.fs.Path("/data/out/dead_letters/*.jsonl"));
      assertEquals(1, dead.length);
      String deadText = new String(hdfs.open(dead[0].getPath()).readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(out.contains("rows 81 (parallel "), out + deadText);
      assertTrue(out.contains("shards: " + root + "/data/out/data/"), out);
      assertEquals(0, AspdCli.execute("run", "--input", local.toString(), "--output", tmp.resolve("out").toString()));

      JsonNode hdfsStats = new ObjectMapper().readTree(hdfs.open(new org.apache.hadoop.fs.Path("/data/out/stats.json")));
      JsonNode localStats = new ObjectMapper().readTree(tmp.resolve("out/stats.json").toFile());
      assertEquals(82, hdfsStats.get("rows_in").asInt(), "80 answers, x1 and the broken line");
      for (String key : new String[] {"samples_total", "samples_parallel", "dead_letters", "ppd", "dp", "abn"}) {
        assertEquals(localStats.get(key), hdfsStats.get(key), key);
      }
      assertTrue(hdfs.exists(new org.apache.hadoop.fs.Path("/data/out/README.md")));
      assertTrue(deadText.contains("\"source\":\"" + root + "/data/in/extra/answers.jsonl.gz:2\""), deadText);

      Map<String, String> hdfsRows = rows(HadoopInputFile.fromPath(
          hdfs.globStatus(new org.apache.hadoop.fs.Path("/data/out/data/*.parquet"))[0].getPath(), conf));
      Map<String, String> localRows = rows(HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(
          tmp.resolve("out/data/train-00000-of-00001.parquet").toUri()), new Configuration()));
      assertEquals(81, hdfsRows.size());
      assertEquals(localRows, hdfsRows, "aspd_text and input_ids of every row");
    } finally {
      cluster.shutdown();
    }
  }

  /** id to the row's aspd_text and token ids. */
  private static Map<String, String> rows(org.apache.parquet.io.InputFile file) throws IOException {
    Map<String, String> rows = new TreeMap<>();
    try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(file).build()) {
      for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
        rows.put(r.get("id").toString(), r.get("aspd_text") + "|" + r.get("input_ids"));
      }
    }
    return rows;
  }

  private static void copyFolder(Path from, Path to) throws IOException {
    try (var files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) Files.createDirectories(target); else Files.copy(f, target);
      }
    }
  }

  private static void writeGzip(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static String captureStdout(Runnable r) {
    PrintStream saved = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      r.run();
    } finally {
      System.setOut(saved);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
