package org.aspd.pipeline.regenerate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.generic.GenericRecord;
import org.aspd.pipeline.cli.AspdCli;
import org.aspd.pipeline.write.Schemas;
import org.aspd.pipeline.write.ShardFiles;
import org.aspd.pipeline.write.ShardFooter;
import org.aspd.pipeline.write.WriteShards;
import org.aspd.testing.ByteLevelTokenizerJson;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code aspd regenerate} in-process, as a user calls it: a first release, an unchanged rerun, an
 * incremental rerun checked against a full one, a configuration change, the lock, and bad specs.
 */
class RegenerateCommandTest {
  private static final String MALFORMED = "{\"id\": \"broken\", \"prompt\": ";

  @TempDir
  Path dir;
  Path root;
  Path answers;
  Path spec;
  Map<String, ObjectNode> records;

  @BeforeEach
  void dataset() throws Exception {
    root = dir.resolve("releases-root");
    answers = dir.resolve("in/answers.jsonl");
    records = Datasets.vicuna(24);
    writeAnswers(records.values().stream().limit(20).toList());
    spec = Datasets.writeSpec(dir.resolve("dataset.yaml"), """
        inputs: [in/]
        output: releases-root
        teacher: rules
        stages: {candidates: 3}
        numShards: 2
        """);
  }

  /** A malformed line and a second q1 first (fixed positions), then the answers. */
  private void writeAnswers(List<ObjectNode> rows) throws Exception {
    ObjectNode duplicate = records.get("q1").deepCopy();
    duplicate.put("response", "A different answer for the same id.");
    List<ObjectNode> all = new ArrayList<>();
    all.add(duplicate);
    all.addAll(rows);
    Files.createDirectories(answers.getParent());
    StringBuilder text = new StringBuilder(MALFORMED).append('\n');
    for (ObjectNode r : all) {
      text.append(new ObjectMapper().writeValueAsString(r)).append('\n');
    }
    Files.writeString(answers, text, StandardCharsets.UTF_8);
  }

  @Test
  void firstRunPublishesAValidatedReleaseAndAnUnchangedRerunSaysSo() throws Exception {
    Run first = regenerate();
    assertEquals(0, first.code, first.err);
    Path release = Datasets.latestRelease(root);
    JsonNode manifest = Datasets.manifest(release);
    assertEquals(22, manifest.at("/counts/input_records").asLong(), "20 answers, a duplicate id, a malformed line");
    Map<String, byte[]> rows = Datasets.rowBytes(release);
    List<JsonNode> dead = Datasets.deadLetters(release);
    assertEquals(22, rows.size() + dead.size(), "rows in = rows out + dead letters");
    assertEquals(manifest.at("/counts/rows").asLong(), rows.size());
    assertEquals(20, rows.size() + dead.stream().filter(d -> !d.get("reason").asText().equals("duplicate_id")
        && !d.get("stage").asText().equals("ReadSamples")).count());
    assertEquals(0, manifest.at("/counts/carried_rows").asLong());
    assertEquals(2, manifest.get("shards").size());
    assertEquals(1, manifest.get("inputs").size());
    assertEquals(64, manifest.get("config_fingerprint").asText().length());
    assertEquals(org.aspd.teacher.rules.RulesTeacher.VERSION, manifest.at("/config/teacher_version").asText());
    assertTrue(Files.isRegularFile(release.resolve("stats.json")) && Files.isRegularFile(release.resolve("README.md")));
    assertFalse(Files.exists(release.resolve(RegenerationPipeline.COUNTS_FILE)));
    assertTrue(first.out.contains("published"), first.out);

    Set<String> before = Datasets.releaseNames(root);
    Run second = regenerate();
    assertEquals(0, second.code, second.err);
    assertTrue(second.out.contains("nothing changed"), second.out);
    assertTrue(second.err.contains("nothing changed since release " + release.getFileName()), second.err);
    assertEquals(before, Datasets.releaseNames(root), "an unchanged run writes no release");
  }

  @Test
  void incrementalRunCarriesUnchangedRowsByteForByteAndEqualsAFullRun() throws Exception {
    assertEquals(0, regenerate().code);
    Path v1 = Datasets.latestRelease(root);
    Map<String, byte[]> v1Rows = Datasets.rowBytes(v1);
    Map<String, String> v1Files = Datasets.treeHashes(v1);

    // q2 changes in place, q20 (the last) is removed, q21 and q22 are new.
    List<ObjectNode> v2 = new ArrayList<>(records.values().stream().limit(22).toList());
    v2.remove(records.get("q20"));
    v2.get(v2.indexOf(records.get("q2"))).put("response", records.get("q2").get("response").asText()
        + "\n\nIn short: plan, rest, and ask for help early.");
    writeAnswers(v2);
    Run incremental = regenerate();
    assertEquals(0, incremental.code, incremental.err);
    Path release = Datasets.latestRelease(root);
    JsonNode counts = Datasets.manifest(release).get("counts");
    assertEquals(v1.getFileName().toString(), Datasets.manifest(release).get("previous_release").asText());
    Map<String, byte[]> rows = Datasets.rowBytes(release);

    Set<String> expectCarried = new TreeSet<>(v1Rows.keySet());
    expectCarried.removeAll(Set.of("q2", "q20"));
    assertEquals(expectCarried.size(), counts.get("carried_rows").asLong(), counts.toString());
    assertEquals(3, counts.get("computed_samples").asLong(), "q2, q21, q22: " + counts);
    assertEquals(2, counts.get("new_ids").asLong(), counts.toString());
    assertEquals(1, counts.get("changed_ids").asLong(), counts.toString());
    assertEquals(1, counts.get("removed_ids").asLong(), counts.toString());
    for (String id : expectCarried) {
      assertArrayEquals(v1Rows.get(id), rows.get(id), "row " + id + " carried byte for byte");
    }
    assertFalse(rows.containsKey("q20"), "a removed input's row disappears");
    assertFalse(java.util.Arrays.equals(v1Rows.get("q2"), rows.get("q2")), "a changed input's row is recomputed");
    assertEquals(v1Files, Datasets.treeHashes(v1), "the previous release is immutable");

    Run full = regenerate("--full");
    assertEquals(0, full.code, full.err);
    Path fullRelease = Datasets.latestRelease(root);
    assertEquals(0, Datasets.manifest(fullRelease).at("/counts/carried_rows").asLong());
    Map<String, byte[]> fullRows = Datasets.rowBytes(fullRelease);
    assertEquals(fullRows.keySet(), rows.keySet());
    fullRows.forEach((id, bytes) -> assertArrayEquals(bytes, rows.get(id), "incremental = full for " + id));
    assertEquals(deadLetterKeys(fullRelease), deadLetterKeys(release));
    assertClose(stripRun(fullRelease), stripRun(release), "stats.json");
  }

  @Test
  void statisticsEqualThoseOfAspdRun() throws Exception {
    assertEquals(0, regenerate().code);
    Path out = dir.resolve("run-out");
    assertEquals(0, AspdCli.execute("run", "--input", dir.resolve("in").toString(), "--output", out.toString()));
    assertClose(stripRun(out), stripRun(Datasets.latestRelease(root)), "stats.json");
    Map<String, byte[]> runRows = new java.util.HashMap<>();
    Datasets.rowBytes(out).forEach(runRows::put);
    Datasets.rowBytes(Datasets.latestRelease(root))
        .forEach((id, bytes) -> assertArrayEquals(runRows.get(id), bytes, "row " + id + " as aspd run writes it"));
  }

  @Test
  void aConfigurationChangeRecomputesEveryRowAndKeepReleasesPrunesTheOldest() throws Exception {
    assertEquals(0, regenerate().code);
    Files.writeString(spec, Files.readString(spec).replace("candidates: 3", "candidates: 2") + "keepReleases: 1\n");
    Run changed = regenerate();
    assertEquals(0, changed.code, changed.err);
    assertTrue(changed.err.contains("configuration changed"), changed.err);
    JsonNode counts = Datasets.manifest(Datasets.latestRelease(root)).get("counts");
    assertEquals(0, counts.get("carried_rows").asLong());
    assertEquals(20, counts.get("computed_samples").asLong());
    assertEquals(Set.of(Datasets.latest(root)), Datasets.releaseNames(root), "only LATEST is kept");
  }

  @Test
  void aChangedChatTemplateWritesANewReleaseThatCarriesEveryRow() throws Exception {
    Path model = dir.resolve("model");
    Files.createDirectories(model);
    ByteLevelTokenizerJson.write(model.resolve("tokenizer.json"), List.of("<|im_end|>"));
    Files.writeString(model.resolve("tokenizer_config.json"), "{\"eos_token\": \"<|im_end|>\"}");
    Files.writeString(model.resolve("chat_template.jinja"), "{{ messages[0]['content'] }}<|im_end|>");
    Files.writeString(spec, Files.readString(spec).replace("candidates: 3", "candidates: 3, tokenizer: model"));
    assertEquals(0, regenerate().code);
    Path v1 = Datasets.latestRelease(root);
    JsonNode files = Datasets.manifest(v1).get("tokenizer_files");
    assertEquals(Set.of("chat_template.jinja", "tokenizer_config.json"), fieldNames(files));
    assertTrue(regenerate().out.contains("nothing changed"), "the same files: nothing to do");

    String template = "{% for m in messages %}{{ m['content'] }}<|im_end|>{% endfor %}";
    Files.writeString(model.resolve("chat_template.jinja"), template);
    Run changed = regenerate();
    assertEquals(0, changed.code, changed.err);
    assertTrue(changed.err.contains("transformers files changed since release " + v1.getFileName()), changed.err);
    Path v2 = Datasets.latestRelease(root);
    assertFalse(v1.equals(v2), "a new release");
    JsonNode counts = Datasets.manifest(v2).get("counts");
    assertEquals(counts.get("rows").asLong(), counts.get("carried_rows").asLong(), "no id changed: " + counts);
    assertEquals(template, Files.readString(v2.resolve("chat_template.jinja")));
    assertEquals(files.get("tokenizer_config.json"), Datasets.manifest(v2).at("/tokenizer_files/tokenizer_config.json"));
    assertFalse(files.get("chat_template.jinja").equals(Datasets.manifest(v2).at("/tokenizer_files/chat_template.jinja")));
    Map<String, byte[]> v2Rows = Datasets.rowBytes(v2);
    Datasets.rowBytes(v1).forEach((id, bytes) -> assertArrayEquals(bytes, v2Rows.get(id), "row " + id));
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new TreeSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void aShardWhoseFooterDisagreesWithItsRowsStopsThePublication() throws Exception {
    // Between the pipeline's end and validation, shard 0 is rewritten with its own rows and a footer
    // that claims 999 parallel rows.
    RegenerationListener tamper = phase -> {
      if (phase != RegenerationListener.Phase.PIPELINE_FINISHED) {
        return;
      }
      try (var releases = Files.list(root.resolve("releases"))) {
        Path partial = releases.filter(r -> r.getFileName().toString().endsWith(ReleaseStore.PARTIAL)).findFirst()
            .orElseThrow();
        Path shard = partial.resolve("data").resolve(WriteShards.shardName(0, 2));
        List<GenericRecord> rows = ShardFiles.rows(shard);
        assertFalse(rows.isEmpty(), "shard 0 holds rows");
        Map<String, String> footer = new LinkedHashMap<>(ShardFooter.read(ShardFiles.input(shard)));
        footer.put(ShardFooter.FUNNEL, footer.get(ShardFooter.FUNNEL).replaceFirst("\"parallel\":\\d+", "\"parallel\":999"));
        ShardFiles.write(shard, Schemas.shardRow(), rows, footer);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
    ReleaseValidator.InvalidReleaseException e = assertThrows(ReleaseValidator.InvalidReleaseException.class,
        () -> new Regeneration(DatasetSpec.load(spec), tamper, System.err).run(false));
    assertTrue(e.getMessage().contains(WriteShards.shardName(0, 2) + "'s footer counts") && e.getMessage().contains("999"),
        e.getMessage());
    assertFalse(Files.exists(root.resolve("LATEST")), "nothing was published");
  }

  @Test
  void aHeldLockStopsTheRunWithTheHoldersPid() throws Exception {
    try (RegenerationLock held = RegenerationLock.acquire(root, spec)) {
      Run blocked = regenerate();
      assertEquals(RegenerateCommand.LOCKED, blocked.code);
      assertTrue(blocked.err.contains("another regeneration of " + root + " is running (pid "
          + ProcessHandle.current().pid()), blocked.err);
    }
    assertEquals(0, regenerate().code, "the lock is free again");
  }

  @Test
  void anInvalidSpecIsRefusedWithItsProblem() throws Exception {
    Files.writeString(spec, "inputs: [in/]\noutput: x\nstages: {overLimit: keep}\n");
    Run bad = regenerate();
    assertEquals(RegenerateCommand.INVALID_SPEC, bad.code);
    assertTrue(bad.err.contains("'stages.overLimit' must be drop or serial, not 'keep'"), bad.err);
    assertFalse(Files.exists(root));
    // An input that is not there is the spec's fault too: exit 2 and one line (it was 1, with a stack trace).
    Files.writeString(spec, "inputs: [nope/]\noutput: x\n");
    Run missing = regenerate();
    assertEquals(RegenerateCommand.INVALID_SPEC, missing.code, missing.err);
    assertTrue(missing.err.contains("invalid spec: input ") && missing.err.contains("nope matches no file"), missing.err);
    assertFalse(missing.err.contains("\tat "), missing.err);
    // LLM settings for the embedded teacher were ignored and the release published.
    Files.writeString(spec, "inputs: [in/]\noutput: x\npipelineOptions: [--model=gpt-4o]\n");
    Run ignored = regenerate();
    assertEquals(RegenerateCommand.INVALID_SPEC, ignored.code, ignored.err);
    assertTrue(ignored.err.contains("--model is an LLM teacher setting"), ignored.err);
    assertFalse(Files.exists(root.resolve("LATEST")), "nothing published");
  }

  private Set<String> deadLetterKeys(Path release) throws Exception {
    Set<String> keys = new HashSet<>();
    for (JsonNode d : Datasets.deadLetters(release)) {
      keys.add(d.get("id").asText() + "|" + d.get("stage").asText() + "|" + d.get("reason").asText());
    }
    return keys;
  }

  /** Equal JSON, doubles to 1e-12 relative: sums of doubles depend on the order the runner combines them. */
  private static void assertClose(JsonNode expected, JsonNode actual, String path) {
    if (expected.isDouble() && actual.isNumber()) {
      double e = expected.asDouble();
      assertEquals(e, actual.asDouble(), 1e-12 * Math.max(1, Math.abs(e)), path);
    } else if (expected.isContainerNode()) {
      assertEquals(expected.size(), actual.size(), path + ": " + expected + " vs " + actual);
      if (expected.isArray()) {
        for (int i = 0; i < expected.size(); i++) {
          assertClose(expected.get(i), actual.get(i), path + "[" + i + "]");
        }
      } else {
        expected.fieldNames().forEachRemaining(f -> assertClose(expected.get(f), actual.path(f), path + "." + f));
      }
    } else {
      assertEquals(expected, actual, path);
    }
  }

  private static JsonNode stripRun(Path out) throws Exception {
    ObjectNode stats = (ObjectNode) new ObjectMapper().readTree(out.resolve("stats.json").toFile());
    stats.remove("run");
    return stats;
  }

  record Run(int code, String out, String err) {}

  private Run regenerate(String... extra) {
    List<String> args = new ArrayList<>(List.of("--spec", spec.toString()));
    args.addAll(List.of(extra));
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    try {
      int code = new CommandLine(new RegenerateCommand()).execute(args.toArray(String[]::new));
      return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }
}
