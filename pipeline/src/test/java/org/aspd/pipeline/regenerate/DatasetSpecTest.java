package org.aspd.pipeline.regenerate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.aspd.stages.StageConfig;
import org.aspd.testing.ByteLevelTokenizerJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spec file: defaults, relative paths, and errors that name the key at fault. */
class DatasetSpecTest {
  @TempDir
  Path dir;

  @Test
  void defaultsAndPathsRelativeToTheSpec() throws Exception {
    DatasetSpec spec = DatasetSpec.load(Datasets.writeSpec(dir.resolve("conf/dataset.yaml"),
        "inputs: [../data/, gs://bucket/answers/*.jsonl]\noutput: out\nstages: {maxTokens: 4000}\n"));
    assertEquals(List.of(dir.resolve("data").toString(), "gs://bucket/answers/*.jsonl"), spec.inputs());
    assertEquals(dir.resolve("conf/out"), spec.output());
    assertEquals("rules", spec.teacher());
    assertEquals(4000, spec.stages().maxTokens());
    assertEquals(StageConfig.defaults().candidates(), spec.stages().candidates());
    assertEquals(1, spec.numShards());
    assertTrue(spec.pipelineArgs("x").contains("--runner=DirectRunner"));
  }

  @Test
  void aTokenizerJsonIsAPathRelativeToTheSpecAndCountsByItsContent() throws Exception {
    Path model = dir.resolve("models/m");
    Files.createDirectories(model);
    ByteLevelTokenizerJson.write(model.resolve("tokenizer.json"), List.of("<|im_end|>"));
    Path specFile = Datasets.writeSpec(dir.resolve("conf/dataset.yaml"),
        "inputs: [a]\noutput: out\nstages: {tokenizer: ../models/m}\n");
    DatasetSpec spec = DatasetSpec.load(specFile);
    assertEquals(model.toString(), spec.stages().tokenizer());
    String before = ConfigFingerprint.of(spec, "v", "c", "{}").sha256();
    assertEquals(before, ConfigFingerprint.of(DatasetSpec.load(specFile), "v", "c", "{}").sha256());
    // The same content elsewhere is the same configuration; other content is another one.
    Path moved = dir.resolve("elsewhere/tokenizer.json");
    Files.createDirectories(moved.getParent());
    Files.copy(model.resolve("tokenizer.json"), moved);
    DatasetSpec movedSpec = DatasetSpec.load(Datasets.writeSpec(dir.resolve("conf/moved.yaml"),
        "inputs: [a]\noutput: out\nstages: {tokenizer: ../elsewhere/tokenizer.json}\n"));
    assertEquals(before, ConfigFingerprint.of(movedSpec, "v", "c", "{}").sha256());
    ByteLevelTokenizerJson.write(moved, List.of("<|im_end|>", "<|endoftext|>"));
    Path changedCopy = dir.resolve("changed/tokenizer.json"); // a new path: the cache holds one per path
    Files.createDirectories(changedCopy.getParent());
    Files.copy(moved, changedCopy);
    DatasetSpec changed = DatasetSpec.load(Datasets.writeSpec(dir.resolve("conf/changed.yaml"),
        "inputs: [a]\noutput: out\nstages: {tokenizer: ../changed}\n"));
    assertNotEquals(before, ConfigFingerprint.of(changed, "v", "c", "{}").sha256());
    assertError("inputs: [a]\noutput: o\nstages: {tokenizer: nope}\n",
        "'stages.tokenizer' must be o200k_base, cl100k_base or a tokenizer.json");
  }

  @Test
  void errorsNameTheKey() throws Exception {
    assertError("inputs: []\noutput: o\n", "'inputs' must be a non-empty list");
    assertError("inputs: [a]\n", "'output' must be the releases root");
    assertError("inputs: [a]\noutput: gs://b/r\n", "'output' must be a local or mounted");
    assertError("inputs: [a]\noutput: o\nstage: {}\n", "unknown key 'stage' (known: inputs, keepReleases,");
    assertError("inputs: [a]\noutput: o\nstages: {candidate: 2}\n", "unknown key 'stages.candidate'");
    assertError("inputs: [a]\noutput: o\nstages: {candidates: two}\n", "'candidates' must be an integer >= 1");
    assertError("inputs: [a]\noutput: o\nstages: {independenceVotes: 1}\n", "stages: need 1 <= indep.accept <= indep.votes");
    assertError("inputs: [a]\noutput: o\nteacher: gpt\n", "unknown teacher 'gpt'");
    assertError("inputs: [a]\noutput: o\nllm: {model: m}\n", "'llm' settings need an LLM teacher");
    // Set in pipelineOptions, the model or server would change the answers without changing the fingerprint.
    assertError("inputs: [a]\noutput: o\nteacher: openai\nllm: {model: m}\npipelineOptions: [--model=other]\n",
        "pipelineOptions may not set --model");
    assertError("inputs: [a]\noutput: o\nteacher: openai\npipelineOptions: [--llmCache=/tmp/c]\n",
        "pipelineOptions may not set --llmCache");
    assertError("inputs: [a]\noutput: o\npipelineOptions: [--llmReplay=true]\n", "pipelineOptions may not set --llmReplay");
    assertError("inputs: [a]\noutput: o\npipelineOptions: [--candidates=5]\n", "may not set --candidates");
    assertError("inputs: [a]\noutput: o\npipelineOptions: [--limit=5]\n", "may not set --limit: a release holds every");
    assertError("inputs: [a]\noutput: o\npipelineOptions: [runner=flink]\n", "must look like --name=value");
    assertError("inputs: [a\n", "not valid YAML");
  }

  private void assertError(String yaml, String expected) throws Exception {
    Path file = Datasets.writeSpec(dir.resolve("bad.yaml"), yaml);
    DatasetSpec.SpecException e = assertThrows(DatasetSpec.SpecException.class, () -> DatasetSpec.load(file));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(e.getMessage().startsWith(file.toString()), "names the file: " + e.getMessage());
  }
}
