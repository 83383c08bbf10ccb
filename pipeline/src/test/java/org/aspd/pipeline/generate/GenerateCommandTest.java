package org.aspd.pipeline.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.aspd.decoding.Model;
import org.aspd.decoding.ModelConfig;
import org.aspd.decoding.SampleLayout;
import org.aspd.decoding.SampleLayouter;
import org.aspd.decoding.SpecialTokenIds;
import org.aspd.format.SpecialTokens;
import org.aspd.pipeline.CliRun;
import org.aspd.pipeline.bench.Checkpoint;
import org.aspd.testing.ByteLevelTokenizerJson;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code aspd generate} on a checkpoint directory: random Qwen2 weights written as safetensors,
 * with a byte-level BPE tokenizer.json read by the Hugging Face tokenizers library.
 */
class GenerateCommandTest {
  /** Added tokens: ChatML's, then the six markers (ids 264-269 after 256 bytes and 5 merges). */
  private static final List<String> ADDED = new ArrayList<>(List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>"));
  private static final int FIRST_ADDED = 256 + ByteLevelTokenizerJson.MERGES.size();
  private static final int IM_START = FIRST_ADDED + 1, IM_END = FIRST_ADDED + 2;

  static {
    ADDED.addAll(SpecialTokens.ALL);
  }

  @TempDir
  static Path tmp;
  private static Path checkpoint;
  private static int vocab;

  @BeforeAll
  static void writeCheckpoint() throws IOException {
    checkpoint = tmp.resolve("ckpt");
    Files.createDirectories(checkpoint);
    vocab = ByteLevelTokenizerJson.write(checkpoint.resolve("tokenizer.json"), ADDED);
    ModelConfig config = new ModelConfig("qwen2", vocab, 64, 96, 2, 4, 2, 16, 4096, 1e-6, 10000, false, true);
    try (Model model = Model.random(config, 11, 1)) {
      Checkpoint.write(model, checkpoint);
    }
  }

  private static CliRun generate(String... args) {
    GenerateCommand command = new GenerateCommand();
    return CliRun.of(command, (out, err) -> {
      command.out = out;
      command.err = err;
    }, args);
  }

  private static SpecialTokenIds markers() {
    int b = FIRST_ADDED + 3; // branch, /branch, title, /title, para, /para as SpecialTokens.ALL
    return new SpecialTokenIds(b, b + 1, b + 2, b + 3, b + 4, b + 5);
  }

  private static int[] ints(JsonNode array) {
    return IntStream.range(0, array.size()).map(i -> array.get(i).asInt()).toArray();
  }

  @Test
  void everyAnswerParsesUnderTheFormatGrammarAndSomeHaveGroups() throws IOException {
    int withGroups = 0;
    try (SampleLayouter layouter = new SampleLayouter(markers(), vocab)) {
      for (int seed = 0; seed < 24; seed++) {
        Path json = tmp.resolve("out" + seed + ".json");
        CliRun r = generate("--model", checkpoint.toString(), "--prompt", "Name two colours.", "--max-new-tokens", "64",
            "--temperature", "1.5", "--top-k", "0", "--top-p", "1", "--seed", String.valueOf(seed), "--threads", "1",
            "--json", json.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode result = new ObjectMapper().readTree(json.toFile());
        int[] prompt = ints(result.get("prompt_ids")), response = ints(result.get("response_ids"));
        int[] all = IntStream.concat(IntStream.of(prompt), IntStream.of(response)).toArray();
        SampleLayout layout = layouter.layout(all); // throws MalformedSampleException off the grammar
        assertEquals(result.get("groups").asInt(), layout.groupCount(), "seed " + seed);
        String text = result.get("text").asText();
        assertEquals(layout.groupCount() > 0, text.contains(SpecialTokens.PARA), "seed " + seed + ": " + text);
        assertEquals(text + System.lineSeparator(), r.out(), "stdout holds the answer");
        assertTrue(r.err().contains("forward passes"), r.err());
        if (layout.groupCount() > 0) {
          withGroups++;
          assertTrue(result.get("forward_passes").asLong() < response.length,
              "a group's branches share forward passes: " + result);
        }
      }
    }
    assertTrue(withGroups > 0, "some of 24 sampled answers hold a parallel group");
  }

  @Test
  void thePromptIsWrappedInTheCheckpointsChatTemplateUnlessRaw() throws IOException {
    Path chat = tmp.resolve("chat.json"), raw = tmp.resolve("raw.json");
    assertEquals(0, generate("--model", checkpoint.toString(), "--prompt", "hi", "--greedy", "--max-new-tokens", "4",
        "--json", chat.toString()).exit());
    assertEquals(0, generate("--model", checkpoint.toString(), "--prompt", "hi", "--greedy", "--max-new-tokens", "4",
        "--raw", "--json", raw.toString()).exit());
    int[] chatIds = ints(new ObjectMapper().readTree(chat.toFile()).get("prompt_ids"));
    // <|im_start|> "user" "\n" "hi" <|im_end|> "\n" <|im_start|> "assistant" "\n", one token per byte here.
    assertEquals(IM_START, chatIds[0]);
    assertEquals(IM_END, chatIds[1 + "user\nhi".length()]);
    assertEquals('\n', chatIds[chatIds.length - 1]);
    assertArrayEquals(new int[] {'h', 'i'}, ints(new ObjectMapper().readTree(raw.toFile()).get("prompt_ids")));
  }

  @Test
  void aTokenizerWithoutTheMarkersIsRefusedByName() throws IOException {
    Path dir = tmp.resolve("no-para-end");
    Files.createDirectories(dir);
    Files.copy(checkpoint.resolve("config.json"), dir.resolve("config.json"));
    Files.copy(checkpoint.resolve("model.safetensors"), dir.resolve("model.safetensors"));
    ByteLevelTokenizerJson.write(dir.resolve("tokenizer.json"), ADDED.subList(0, ADDED.size() - 1));
    CliRun r = generate("--model", dir.toString(), "--prompt", "hi");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("but not [" + SpecialTokens.PARA_END + "]") && r.err().contains("trained for ASPD"), r.err());
  }

  @Test
  void usageErrorsSayWhatIsWrong() throws IOException {
    Path empty = tmp.resolve("empty");
    Files.createDirectories(empty);
    CliRun missing = generate("--model", empty.toString(), "--prompt", "hi");
    assertEquals(2, missing.exit());
    assertTrue(missing.err().contains("tokenizer.json") && missing.err().contains("does not exist"), missing.err());

    CliRun reserved = generate("--model", checkpoint.toString(), "--prompt", "say " + SpecialTokens.BRANCH);
    assertEquals(2, reserved.exit());
    assertTrue(reserved.err().contains("reserved text"), reserved.err());

    Path garbage = tmp.resolve("garbage");
    Files.createDirectories(garbage);
    Files.writeString(garbage.resolve("tokenizer.json"), "{ not json");
    CliRun unreadable = generate("--model", garbage.toString(), "--prompt", "hi");
    assertEquals(2, unreadable.exit());
    assertTrue(unreadable.err().contains("tokenizer.json"), unreadable.err());

    assertEquals(2, generate("--model", checkpoint.toString(), "--prompt", "hi", "--top-p", "0").exit());
    assertEquals(2, generate("--model", checkpoint.toString(), "--prompt", "hi", "--max-new-tokens", "0").exit());
  }
}
