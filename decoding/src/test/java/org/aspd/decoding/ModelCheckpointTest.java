package org.aspd.decoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.aspd.decoding.SafetensorsWriter.Dtype;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints written by the test (config.json + model.safetensors): round trips and rejections. */
class ModelCheckpointTest {
  @TempDir
  Path tmp;

  @Test
  void roundTripInF32F16Bf16() throws IOException {
    TinyModels.Packed p = TinyModels.sample(3, 2, 4);
    for (ModelConfig config : new ModelConfig[] {TinyModels.QWEN2, TinyModels.LLAMA}) {
      try (Model original = Model.random(config, 17, 2)) {
        float[] want = original.forward(p.ids(), p.positions(), p.groupId(), p.branchId());
        for (Dtype dtype : Dtype.values()) {
          Path dir = tmp.resolve(config.modelType() + "-" + dtype);
          SafetensorsWriter.writeCheckpoint(original, dir, dtype);
          try (Model loaded = Model.load(dir, 2)) {
            assertEquals(config, loaded.config());
            assertEquals(original.tensorNames(), loaded.tensorNames());
            for (String name : original.tensorNames()) {
              float[] values = original.tensor(name);
              float[] expected = new float[values.length];
              for (int i = 0; i < values.length; i++) expected[i] = SafetensorsWriter.rounded(values[i], dtype);
              assertArrayEquals(expected, loaded.tensor(name), dtype + " " + name);
            }
            float[] got = loaded.forward(p.ids(), p.positions(), p.groupId(), p.branchId());
            double max = 0;
            for (int i = 0; i < got.length; i++) max = Math.max(max, Math.abs(got[i] - want[i]));
            if (dtype == Dtype.F32) {
              assertEquals(0.0, max, "an F32 checkpoint reproduces the model exactly");
            } else {
              // Rounded weights: logits move, but stay close to the fp32 model's.
              assertTrue(max > 0 && max < (dtype == Dtype.BF16 ? 0.5 : 0.05), dtype + " max |diff| " + max);
            }
          }
        }
      }
    }
  }

  @Test
  void tiedCheckpointMayCarryLmHead() throws IOException {
    try (Model model = Model.random(TinyModels.QWEN2, 1, 1)) {
      Path dir = write("tied-extra", model, w -> w.add("lm_head.weight", Dtype.F32, new long[] {300, 64},
          model.tensor("model.embed_tokens.weight")));
      try (Model loaded = Model.load(dir, 1)) {
        assertTrue(loaded.config().tieWordEmbeddings());
      }
    }
  }

  @Test
  void missingFilesAreIoErrors() throws IOException {
    Files.createDirectories(tmp.resolve("empty"));
    NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Model.load(tmp.resolve("empty")));
    assertTrue(e.getMessage().contains("config.json"), e.getMessage());
    Files.writeString(tmp.resolve("empty/config.json"), TinyModels.QWEN2.toConfigJson());
    Files.writeString(tmp.resolve("empty/model.safetensors.index.json"), "{}");
    e = assertThrows(NoSuchFileException.class, () -> Model.load(tmp.resolve("empty")));
    assertTrue(e.getMessage().contains("sharded"), e.getMessage());
  }

  @Test
  void corruptSafetensorsAreRejected() throws IOException {
    try (Model model = Model.random(TinyModels.QWEN2, 1, 1)) {
      Path good = write("good", model, w -> w);
      byte[] bytes = Files.readAllBytes(good.resolve("model.safetensors"));

      rejects(withWeights(good, "truncated", Arrays.copyOf(bytes, bytes.length - 3)), "truncated");
      rejects(withWeights(good, "tiny", Arrays.copyOf(bytes, 5)), "8-byte");
      byte[] longHeader = bytes.clone();
      longHeader[4] = 1; // header length ~ 2^32
      rejects(withWeights(good, "header-len", longHeader), "header length");
      byte[] badJson = bytes.clone();
      badJson[8] = '[';
      rejects(withWeights(good, "json", badJson), "not valid JSON");

      String q0 = "model.layers.0.self_attn.q_proj.weight";
      rejects(rewrite(model, "missing", q0, null), "missing tensor \"" + q0 + "\"");
      rejects(rewrite(model, "shape", q0, (w) -> w.add(q0, Dtype.F32, new long[] {32, 64}, new float[32 * 64])),
          "has shape [32, 64], config.json implies [64, 64]");
      rejects(rewrite(model, "dtype", q0, (w) -> w.addRaw(q0, "F8_E9M9", new long[] {64, 64}, new byte[64 * 64])),
          "unknown dtype \"F8_E9M9\"");
      rejects(rewrite(model, "i32", q0, (w) -> w.addRaw(q0, "I32", new long[] {64, 64}, new byte[64 * 64 * 4])),
          "dtype I32 (supported: F32, F16, BF16)");
      rejects(rewrite(model, "bytes", q0, (w) -> w.addRaw(q0, "F32", new long[] {64, 64}, new byte[64 * 64 * 2])),
          "need 16384");
      float[] q0Nan = model.tensor(q0);
      q0Nan[70] = Float.NaN;
      rejects(rewrite(model, "nan", q0, (w) -> w.add(q0, Dtype.F32, new long[] {64, 64}, q0Nan)),
          "tensor \"" + q0 + "\": element 70 is NaN");
      float[] q0Inf = model.tensor(q0);
      q0Inf[5] = Float.NEGATIVE_INFINITY;
      rejects(rewrite(model, "inf", q0, (w) -> w.add(q0, Dtype.BF16, new long[] {64, 64}, q0Inf)),
          "element 5 is infinite");
      rejects(write("extra", model, w -> w.add("model.layers.9.mlp.up_proj.weight", Dtype.F32, new long[] {1}, new float[1])),
          "unexpected tensor \"model.layers.9.mlp.up_proj.weight\"");
    }
    try (Model llama = Model.random(TinyModels.LLAMA, 1, 1)) {
      rejects(write("llama-bias", llama, w -> w.add("model.layers.0.self_attn.q_proj.bias", Dtype.F32, new long[] {48},
          new float[48])), "unexpected tensor \"model.layers.0.self_attn.q_proj.bias\" for a llama config (attention_bias = false");
      rejects(rewrite(llama, "no-head", "lm_head.weight", null), "missing tensor \"lm_head.weight\"");
    }
  }

  @Test
  void badConfigsAreRejected() throws IOException {
    try (Model model = Model.random(TinyModels.QWEN2, 1, 1)) {
      Path good = write("cfg", model, w -> w);
      String json = TinyModels.QWEN2.toConfigJson();
      rejectsConfig(good, json.replace("\"vocab_size\": 300,", ""), "missing required field \"vocab_size\"");
      rejectsConfig(good, json.replace("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 3"),
          "not a multiple of num_key_value_heads 3");
      rejectsConfig(good, json.replace("\"hidden_size\": 64", "\"hidden_size\": -64"), "outside [1, 2^31 - 1]");
      rejectsConfig(good, json.replace("\"hidden_size\": 64", "\"hidden_size\": 64.5"), "must be an integer");
      rejectsConfig(good, json.replace("\"hidden_size\": 64", "\"hidden_size\": \"64\""), "must be an integer");
      rejectsConfig(good, json.replace("\"rms_norm_eps\": 1.0E-6", "\"rms_norm_eps\": 0"), "rms_norm_eps must be positive");
      rejectsConfig(good, json.replace("\"model_type\": \"qwen2\"", "\"model_type\": \"gpt2\""), "not supported");
      rejectsConfig(good, json.replace("\"silu\"", "\"gelu\""), "hidden_act");
      rejectsConfig(good, json.replace("\"hidden_act\"", "\"rope_scaling\": {\"type\": \"yarn\"}, \"hidden_act\""),
          "rope_scaling");
      rejectsConfig(good, json.replace("\"head_dim\": 16", "\"head_dim\": 15"), "must be even");
      rejectsConfig(good, json.substring(0, json.length() - 3), "not valid JSON");
      rejectsConfig(good, "[1, 2]", "top level must be an object");
      // A consistent config that disagrees with the weights: the tensors are checked against it.
      rejectsConfig(good, json.replace("\"intermediate_size\": 96", "\"intermediate_size\": 100"),
          "config.json implies [100, 64]");
    }
  }

  private Path write(String name, Model model, UnaryOperator<SafetensorsWriter> extra) throws IOException {
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), model.config().toConfigJson());
    SafetensorsWriter w = new SafetensorsWriter();
    for (String n : model.tensorNames()) w.add(n, Dtype.F32, model.tensorShape(n), model.tensor(n));
    extra.apply(w).write(dir.resolve("model.safetensors"));
    return dir;
  }

  /** A checkpoint of {@code model} with tensor {@code name} dropped (replacement null) or replaced. */
  private Path rewrite(Model model, String dirName, String name, UnaryOperator<SafetensorsWriter> replacement)
      throws IOException {
    Path dir = tmp.resolve(dirName);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), model.config().toConfigJson());
    SafetensorsWriter w = new SafetensorsWriter();
    for (String n : model.tensorNames()) {
      if (!n.equals(name)) w.add(n, Dtype.F32, model.tensorShape(n), model.tensor(n));
    }
    if (replacement != null) replacement.apply(w);
    w.write(dir.resolve("model.safetensors"));
    return dir;
  }

  private Path withWeights(Path good, String name, byte[] weights) throws IOException {
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir);
    Files.copy(good.resolve("config.json"), dir.resolve("config.json"));
    Files.write(dir.resolve("model.safetensors"), weights);
    return dir;
  }

  private void rejectsConfig(Path good, String json, String expected) throws IOException {
    Path dir = tmp.resolve("cfg-" + Integer.toHexString(json.hashCode()));
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), json);
    Files.copy(good.resolve("model.safetensors"), dir.resolve("model.safetensors"));
    ModelFormatException e = rejects(dir, expected);
    assertTrue(e.getMessage().contains("config.json"), e.getMessage());
  }

  private static ModelFormatException rejects(Path dir, String expected) {
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> Model.load(dir, 1));
    assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    return e;
  }
}
