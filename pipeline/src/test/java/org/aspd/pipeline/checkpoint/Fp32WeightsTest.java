package org.aspd.pipeline.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.aspd.decoding.Model;
import org.aspd.decoding.ModelConfig;
import org.aspd.pipeline.bench.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parameter count known before a model is built equals the tensors the built model holds. */
class Fp32WeightsTest {
  @TempDir
  Path tmp;

  private static long tensorElements(Model model) {
    long n = 0;
    for (String name : model.tensorNames()) {
      long size = 1;
      for (long d : model.tensorShape(name)) size *= d;
      n += size;
    }
    return n;
  }

  @Test
  void countFromTheConfigMatchesTheBuiltModel() {
    ModelConfig tiedQwen = ModelConfig.small(300);
    ModelConfig untiedLlama = new ModelConfig("llama", 300, 32, 48, 3, 4, 1, 12, 128, 1e-6, 10_000.0, false, false);
    for (ModelConfig c : new ModelConfig[] {tiedQwen, untiedLlama}) {
      try (Model model = Model.random(c, 1, 1)) {
        assertEquals(tensorElements(model), Fp32Weights.parameters(c), c.toString());
      }
    }
  }

  @Test
  void countFromACheckpointHeaderMatchesItsTensors() throws Exception {
    try (Model model = Model.random(ModelConfig.small(300), 1, 1)) {
      Path dir = Checkpoint.write(model, tmp.resolve("ck"));
      assertEquals(tensorElements(model), Fp32Weights.parameters(dir));
    }
    Files.createDirectories(tmp.resolve("bad"));
    Files.write(tmp.resolve("bad/model.safetensors"), new byte[] {1, 2, 3});
    assertEquals(-1, Fp32Weights.parameters(tmp.resolve("bad")), "an unreadable header leaves the check to the loader");
    assertEquals(-1, Fp32Weights.parameters(tmp.resolve("missing")));
  }
}
