package org.aspd.pipeline.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.PipelineResult;
import org.aspd.decoding.Model;
import org.aspd.decoding.ModelConfig;
import org.aspd.format.SpecialTokens;
import org.aspd.pipeline.CliRun;
import org.aspd.pipeline.JobRunner;
import org.aspd.pipeline.bench.Checkpoint;
import org.aspd.testing.ByteLevelTokenizerJson;
import org.aspd.testing.TiktokenTokenizerJson;
import org.aspd.tokens.HfTokenizer;
import org.aspd.tokens.TokenizerCache;
import org.aspd.tokens.TokenizerConfigFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job with a model's tokenizer.json as its target tokenizer. The file is cl100k_base written
 * in the Hugging Face format without the markers, so every row must equal, id for id, the row of
 * the same job with the built-in cl100k_base; the run folder then holds the tokenizer.json with the
 * markers, which validate reads (bench: BenchCommandTest).
 */
class TokenizerJsonJobTest {
  private static final String ANSWER = "Three independent tips:\n\n"
      + "1. **Sleep**: keep a regular schedule and aim for seven to nine hours every single night. A dark, cool and"
      + " quiet bedroom helps, and so does putting the phone away an hour before going to bed.\n\n"
      + "2. **Reserved**: the text <|endoftext|>, <|branch|> and <|/para|> is text, never a control token. A"
      + " tokenizer that matched it would corrupt the labels, the mask and the positions of the whole row.\n\n"
      + "3. **Walks**: a short walk after meals helps digestion and clears the mind for the afternoon. Twenty"
      + " minutes at an easy pace is enough, and a walk with a friend is easier to keep up.\n\n"
      + "Small habits add up over time.";

  private static final String CHATML_TEMPLATE = "{%- for m in messages %}{{- '<|im_start|>' + m.role + '\\n'"
      + " + m.content + '<|im_end|>\\n' }}{%- endfor %}";
  private static final String CHATML_CONFIG = "{\"tokenizer_class\": \"PreTrainedTokenizerFast\", \"eos_token\":"
      + " \"<|endoftext|>\", \"added_tokens_decoder\": {\"100257\": {\"content\": \"<|endoftext|>\", \"lstrip\":"
      + " false, \"normalized\": false, \"rstrip\": false, \"single_word\": false, \"special\": true}}}";

  @TempDir static Path tmp;
  static Path model;
  static Path builtIn;
  static Path fromJson;

  @BeforeAll
  static void runBoth() throws IOException {
    model = tmp.resolve("model");
    Files.createDirectories(model);
    TiktokenTokenizerJson.write(model.resolve("tokenizer.json"), "cl100k_base");
    Files.writeString(model.resolve(TokenizerConfigFiles.CONFIG), CHATML_CONFIG);
    Files.writeString(model.resolve("chat_template.jinja"), CHATML_TEMPLATE);
    Path extra = tmp.resolve("reserved.jsonl");
    Files.writeString(extra, "{\"id\": \"reserved-text\", \"question\": \"Tips?\", \"answer\": "
        + new ObjectMapper().writeValueAsString(ANSWER) + "}\n");
    List<String> inputs = List.of(Path.of(System.getProperty("aspd.home", "..")).resolve("datasets/vicuna-bench")
        .toString(), extra.toString());
    builtIn = tmp.resolve("built-in");
    fromJson = tmp.resolve("from-json");
    assertEquals(PipelineResult.State.DONE, JobRunner.run(inputs, builtIn, "--tokenizer=cl100k_base"));
    assertEquals(PipelineResult.State.DONE, JobRunner.run(inputs, fromJson, "--tokenizer=" + model));
  }

  @Test
  void everyRowHasTheIdsOfTheSameVocabularyBuiltIn() throws IOException {
    Map<String, GenericRecord> expected = JobRunner.rows(builtIn);
    Map<String, GenericRecord> actual = JobRunner.rows(fromJson);
    assertEquals(expected.keySet(), actual.keySet());
    assertEquals(81, actual.size());
    String name = actual.values().iterator().next().get("tokenizer").toString();
    assertTrue(name.startsWith(HfTokenizer.NAME_PREFIX), name);
    int parallel = 0;
    for (GenericRecord want : expected.values()) {
      GenericRecord got = actual.get(want.get("id").toString());
      for (String field : List.of("input_ids", "position_ids", "group_ids", "branch_ids", "status", "aspd_text",
          "original_tokens", "response_tokens", "steps_aspd", "theoretical_speedup", "title_tokens")) {
        assertEquals(want.get(field), got.get(field), want.get("id") + " " + field);
      }
      assertEquals("cl100k_base+aspd", want.get("tokenizer").toString());
      assertEquals(name, got.get("tokenizer").toString());
      if ((Boolean) got.get("parallel")) parallel++;
    }
    assertTrue(parallel > 40, parallel + " parallel rows");
    // The literal markers and <|endoftext|> in an answer are text: none of their ids is in the row.
    List<?> ids = (List<?>) actual.get("reserved-text").get("input_ids");
    assertFalse(ids.contains(100257), "no <|endoftext|> id");
    GenericRecord reserved = actual.get("reserved-text");
    assertTrue((Boolean) reserved.get("parallel"), reserved.get("status") + " " + reserved.get("candidates"));
    long markers = ids.stream().filter(id -> (Integer) id >= 100277).count();
    // Each branch: its title's pair and its own pair; each group: <|para|> and <|/para|>.
    assertEquals(4L * (Integer) reserved.get("n_branches") + 2L * (Integer) reserved.get("n_groups"), markers,
        "only the serializer's markers");
  }

  @Test
  void theRunFolderHoldsTheTokenizerWithTheMarkersAndStatsNameIt() throws IOException {
    Path saved = fromJson.resolve(TokenizerCache.RUN_FILE);
    assertTrue(Files.isRegularFile(saved));
    assertFalse(Files.exists(builtIn.resolve(TokenizerCache.RUN_FILE)), "a built-in tokenizer needs no file");
    try (HfTokenizer reloaded = HfTokenizer.load(saved, HfTokenizer.Markers.REQUIRE)) {
      assertEquals(100277, reloaded.specialId(SpecialTokens.BRANCH));
      assertEquals(100282, reloaded.specialId(SpecialTokens.PARA_END));
      String rowsName = JobRunner.rows(fromJson).values().iterator().next().get("tokenizer").toString();
      assertEquals(rowsName, reloaded.name());
      assertEquals(rowsName, new ObjectMapper().readTree(fromJson.resolve("stats.json").toFile())
          .path("run").path("tokenizer").asText());
    }
  }

  /** What transformers' AutoTokenizer.from_pretrained(run folder) reads: the source's configs, markers added. */
  @Test
  void theRunFolderHoldsTheSourcesTransformersConfigsWithTheMarkers() throws IOException {
    JsonNode config = new ObjectMapper().readTree(fromJson.resolve(TokenizerConfigFiles.CONFIG).toFile());
    assertEquals("<|endoftext|>", config.path("eos_token").asText());
    JsonNode decoder = config.path("added_tokens_decoder");
    assertEquals("<|endoftext|>", decoder.path("100257").path("content").asText());
    for (int i = 0; i < SpecialTokens.ALL.size(); i++) {
      assertEquals(SpecialTokens.ALL.get(i), decoder.path(Integer.toString(100277 + i)).path("content").asText());
    }
    assertEquals(CHATML_TEMPLATE, Files.readString(fromJson.resolve("chat_template.jinja")));
    assertFalse(Files.exists(builtIn.resolve(TokenizerConfigFiles.CONFIG)), "a built-in tokenizer has no config");
  }

  @Test
  void aSourceConfigThatContradictsTheTokenizerFailsBeforeTheJobStarts() throws IOException {
    Path bad = tmp.resolve("bad-config");
    Files.createDirectories(bad);
    ByteLevelTokenizerJson.write(bad.resolve("tokenizer.json"), List.of("<|endoftext|>"));
    Files.writeString(bad.resolve(TokenizerConfigFiles.CONFIG), "{\"added_tokens_decoder\": [] }");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> JobRunner.run(List.of(tmp.resolve("reserved.jsonl").toString()), tmp.resolve("never-bad"),
            "--tokenizer=" + bad));
    assertEquals(bad.resolve(TokenizerConfigFiles.CONFIG) + ": added_tokens_decoder is not an object", e.getMessage());
    assertFalse(Files.exists(tmp.resolve("never-bad").resolve("data")));
  }

  @Test
  void validateReadsTheRunsTokenizer() {
    CliRun validated = ValidateCommandTest.validate(fromJson.toString(), "--sample", "1");
    assertEquals(0, validated.exit(), validated.out() + validated.err());
    assertTrue(validated.out().contains("81 passed, 0 failed"), validated.out());
  }

  /**
   * The whole path for a model of one's own: a base checkpoint (tokenizer.json without the markers,
   * random Qwen2 weights), the job in its tokens, and validate's numerical checks (packed training
   * forward against each branch alone) with that checkpoint's weights.
   */
  @Test
  void rowsInACheckpointsTokensPassValidationWithItsWeights() throws IOException {
    Path ckpt = tmp.resolve("base-ckpt");
    Files.createDirectories(ckpt);
    int vocab = ByteLevelTokenizerJson.write(ckpt.resolve("tokenizer.json"),
        List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>"));
    // Room for the six markers the job adds after the largest id, as Qwen2.5's embedding has.
    try (Model model = Model.random(ModelConfig.small(vocab + 8), 5, 1)) {
      Checkpoint.write(model, ckpt);
    }
    Path out = tmp.resolve("ckpt-job");
    assertEquals(PipelineResult.State.DONE, JobRunner.run(List.of(tmp.resolve("reserved.jsonl").toString()), out,
        "--tokenizer=" + ckpt));
    GenericRecord row = JobRunner.rows(out).get("reserved-text");
    assertTrue((Boolean) row.get("parallel"), row.get("status") + " " + row.get("candidates"));
    try (HfTokenizer saved = HfTokenizer.load(out.resolve(TokenizerCache.RUN_FILE), HfTokenizer.Markers.REQUIRE)) {
      assertEquals(vocab, saved.specialId(SpecialTokens.BRANCH));
      assertEquals(vocab + 6, saved.vocabSize());
    }
    CliRun r = ValidateCommandTest.validate(out.toString(), "--model", ckpt.toString(), "--device", "cpu", "--sample", "1");
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("1 rows (1 with numerical checks), 1 passed, 0 failed"), r.out());

    // The same weights with another tokenizer.json: refused, not checked on ids it reads otherwise.
    ByteLevelTokenizerJson.write(ckpt.resolve("tokenizer.json"), List.of("<|im_start|>", "<|im_end|>"));
    CliRun other = ValidateCommandTest.validate(out.toString(), "--model", ckpt.toString(), "--device", "cpu",
        "--sample", "1");
    assertEquals(2, other.exit(), other.out() + other.err());
    assertTrue(other.err().contains("is not the rows' tokenizer"), other.err());
  }

  /**
   * A vocabulary that holds a control token's string as an ordinary piece (SentencePiece's
   * {@code </s>}) yields its id even with special-token matching off: that sample is a dead letter
   * with its reason, counted in the stats, and the others go on (method §1).
   */
  @Test
  void anAnswerThatEncodesToAControlIdIsADeadLetter() throws IOException {
    Path tokenizer = tmp.resolve("sp-like.json");
    Files.writeString(tokenizer, """
        {"version": "1.0", "truncation": null, "padding": null, "normalizer": null,
         "pre_tokenizer": {"type": "WhitespaceSplit"}, "post_processor": null, "decoder": null,
         "added_tokens": [
           {"id": 3, "content": "<unk>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
           {"id": 4, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
         "model": {"type": "BPE", "dropout": null, "unk_token": "<unk>", "continuing_subword_prefix": null,
           "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false, "ignore_merges": true,
           "vocab": {"a": 0, "b": 1, "c": 2, "<unk>": 3, "</s>": 4}, "merges": []}}
        """);
    Path input = tmp.resolve("control.jsonl");
    Files.writeString(input, "{\"id\": \"plain\", \"question\": \"q\", \"answer\": \"a b c\"}\n"
        + "{\"id\": \"eos-text\", \"question\": \"q\", \"answer\": \"a </s> b\"}\n");
    Path out = tmp.resolve("control-job");
    assertEquals(PipelineResult.State.DONE, JobRunner.run(List.of(input.toString()), out, "--tokenizer=" + tokenizer));
    assertEquals(List.of("plain"), List.copyOf(JobRunner.rows(out).keySet()));
    var dead = JobRunner.deadLetters(out);
    assertEquals(1, dead.size());
    assertEquals("eos-text", dead.get(0).get("id").asText());
    assertEquals("reserved_text", dead.get(0).get("reason").asText());
    assertTrue(dead.get(0).get("detail").asText().contains("control id 4"), dead.get(0).toString());
    assertEquals(1, new ObjectMapper().readTree(out.resolve("stats.json").toFile()).get("dead_letters").asInt());
  }

  @Test
  void aTokenizerFileChangedAfterTheRunIsRefused() throws IOException {
    Path copy = tmp.resolve("changed");
    Files.createDirectories(copy.resolve("data"));
    try (var shards = Files.list(fromJson.resolve("data"))) {
      for (Path shard : shards.toList()) Files.copy(shard, copy.resolve("data").resolve(shard.getFileName()));
    }
    Files.writeString(copy.resolve(TokenizerCache.RUN_FILE),
        Files.readString(fromJson.resolve(TokenizerCache.RUN_FILE)) + "\n");
    CliRun r = ValidateCommandTest.validate(copy.toString(), "--sample", "0");
    assertEquals(2, r.exit(), r.out() + r.err());
    assertTrue(r.err().contains("changed after the run"), r.err());
  }

  @Test
  void aMissingTokenizerFailsBeforeTheJobStarts() {
    Path absent = tmp.resolve("no-such-model");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> JobRunner.run(List.of(tmp.resolve("reserved.jsonl").toString()), tmp.resolve("never"),
            "--tokenizer=" + absent));
    assertTrue(e.getMessage().contains("no tokenizer.json at " + absent), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("never").resolve("data")));
  }
}
