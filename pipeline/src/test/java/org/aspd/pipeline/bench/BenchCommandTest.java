package org.aspd.pipeline.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.aspd.decoding.GpuAttention;
import org.aspd.pipeline.AspdOptions;
import org.aspd.pipeline.AspdPipeline;
import org.aspd.pipeline.CliRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aspd bench} on the real job's shards: the token-rows export and the no-GPU contract. */
class BenchCommandTest {
  @TempDir
  static Path tmp;
  private static Path job;

  @BeforeAll
  static void runJob() {
    Path dataset = Path.of(System.getProperty("aspd.home", "..")).resolve("datasets/vicuna-bench");
    job = tmp.resolve("job");
    AspdOptions options = PipelineOptionsFactory.fromArgs("--input=" + dataset, "--output=" + job)
        .withValidation().as(AspdOptions.class);
    assertEquals(PipelineResult.State.DONE, AspdPipeline.run(options).waitUntilFinish());
  }

  private static CliRun bench(String... args) {
    BenchCommand command = new BenchCommand();
    return CliRun.of(command, (out, err) -> {
      command.out = out;
      command.err = err;
    }, args);
  }

  @Test
  void exportWritesEveryParallelRowWithTheTokenizersSpecialIds() throws IOException {
    Path file = tmp.resolve("rows.txt");
    CliRun r = bench(job.toString(), "--export-rows", file.toString(), "--sample", "0");
    assertEquals(0, r.exit(), r.out() + r.err());
    List<String> lines = Files.readAllLines(file);
    // o200k_base + the six aspd tokens at 200019..200024; ": " is two tokens.
    assertTrue(lines.get(0).startsWith("# special 200019 200020 200021 200022 200023 200024 sep "), lines.get(0));
    assertEquals(50, lines.size() - 1, "the default job has 50 parallel rows");
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(" ");
      int prompt = Integer.parseInt(f[2]), response = Integer.parseInt(f[3]);
      assertEquals(4 + prompt + response, f.length, "row " + f[0] + " holds its prompt and response ids");
      assertTrue(Double.parseDouble(f[1]) > 1.0, "a parallel row's theoretical speed-up exceeds 1: " + line);
      assertTrue(line.contains(" 200023 "), "a parallel row holds <|para|>");
    }
    assertTrue(r.out().contains("50 parallel rows written"), r.out());
  }

  @Test
  void benchWritesJsonPlotsAndOneCardSectionPerRun() throws IOException {
    for (int run = 0; run < 2; run++) {
      CliRun r = bench(job.toString(), "--sample", "1");
      assertEquals(0, r.exit(), r.out() + r.err());
      assertTrue(r.out().contains("realized speed-up"), r.out());
    }
    Path benchDir = job.resolve("bench");
    assertTrue(Files.readString(benchDir.resolve("bench.json")).contains("\"mean_realized_speedup\""));
    for (String png : List.of("speedup.png", "step_time.png")) {
      byte[] bytes = Files.readAllBytes(benchDir.resolve(png));
      assertTrue(bytes.length > 1000 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G', png + " is a PNG");
    }
    String card = Files.readString(job.resolve("README.md"));
    assertEquals(1, card.split(BenchReport.CARD_BEGIN, -1).length - 1, "the bench section replaces itself on reruns");
    assertTrue(card.contains("## Decoding benchmark") && card.contains("bench/speedup.png"), card);
    assertTrue(card.contains("## Statistics"), "the job's own card is kept");
  }

  @Test
  void cardSectionIsAppendedOnceAndReplaced() {
    String card = "# card\n\ntext\n";
    String once = BenchReport.withSection(card, "A\n");
    String twice = BenchReport.withSection(once, "B\n");
    assertTrue(once.startsWith(card) && once.contains("A\n"), once);
    assertEquals(once.replace("A\n", "B\n"), twice);
  }

  @Test
  void cudaWithoutAGpuIsAUsageErrorNotACrash() {
    assumeTrue(GpuAttention.unavailableReason().isPresent(), "a GPU is present");
    CliRun r = bench(job.toString(), "--device", "cuda", "--sample", "1");
    assertEquals(2, r.exit(), r.out() + r.err());
    assertTrue(r.err().contains("cannot bench") && r.err().toLowerCase().contains("gpu"), r.err());
  }
}
