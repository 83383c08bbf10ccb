package org.aspd.pipeline.bench;

import org.aspd.decoding.ModelConfig;

/** Model shapes for random-weight benchmarks (the speed of a forward depends on the shape only). */
enum ModelShape {
  /** hidden 64, 2 layers (ModelConfig.small): fast enough for every row on a CPU. */
  tiny,
  /** Qwen2.5-0.5B: hidden 896, MLP 4864, 24 layers, 14 heads, 2 KV heads, tied embeddings. */
  qwen2_5_0_5b,
  /** Qwen2.5-7B: hidden 3584, MLP 18944, 28 layers, 28 heads, 4 KV heads (~30 GB in fp32). */
  qwen2_5_7b;

  static ModelShape parse(String name) {
    return switch (name) {
      case "tiny" -> tiny;
      case "qwen2.5-0.5b" -> qwen2_5_0_5b;
      case "qwen2.5-7b" -> qwen2_5_7b;
      default -> throw new IllegalArgumentException("unknown shape '" + name + "' (tiny | qwen2.5-0.5b | qwen2.5-7b)");
    };
  }

  String label() {
    return switch (this) {
      case tiny -> "tiny";
      case qwen2_5_0_5b -> "qwen2.5-0.5b";
      case qwen2_5_7b -> "qwen2.5-7b";
    };
  }

  ModelConfig config(int vocabSize) {
    return switch (this) {
      case tiny -> ModelConfig.small(vocabSize);
      case qwen2_5_0_5b -> new ModelConfig("qwen2", vocabSize, 896, 4864, 24, 14, 2, 64, 32768, 1e-6, 1_000_000.0,
          true, true);
      case qwen2_5_7b -> new ModelConfig("qwen2", vocabSize, 3584, 18944, 28, 28, 4, 128, 32768, 1e-6, 1_000_000.0,
          false, true);
    };
  }
}
