package org.aspd.decoding;

import java.util.Locale;

/**
 * Hyper-parameters of a Llama/Qwen2-architecture decoder, named after the Hugging Face
 * {@code config.json} fields. Validated like the native loader (model/model_config.cpp):
 * sizes positive, {@code numHeads % numKvHeads == 0}, {@code headDim} even (RoPE), eps and theta
 * positive. Qwen2 always has q/k/v biases, so {@code attentionBias} is forced true for "qwen2".
 *
 * @param modelType "llama" or "qwen2"
 * @param headDim D; Hugging Face default is hiddenSize / numHeads
 * @param maxPositions max_position_embeddings: the context length
 * @param tieWordEmbeddings the LM head is the embedding matrix
 * @param attentionBias q/k/v projections carry biases
 */
public record ModelConfig(String modelType, int vocabSize, int hiddenSize, int intermediateSize, int numLayers,
    int numHeads, int numKvHeads, int headDim, int maxPositions, double rmsNormEps, double ropeTheta,
    boolean tieWordEmbeddings, boolean attentionBias) {

  public ModelConfig {
    if (!"llama".equals(modelType) && !"qwen2".equals(modelType)) {
      throw new IllegalArgumentException("modelType must be \"llama\" or \"qwen2\", got " + modelType);
    }
    positive("vocabSize", vocabSize);
    positive("hiddenSize", hiddenSize);
    positive("intermediateSize", intermediateSize);
    positive("numLayers", numLayers);
    positive("numHeads", numHeads);
    positive("numKvHeads", numKvHeads);
    positive("headDim", headDim);
    positive("maxPositions", maxPositions);
    if (numHeads % numKvHeads != 0) {
      throw new IllegalArgumentException("numHeads " + numHeads + " is not a multiple of numKvHeads " + numKvHeads);
    }
    if (headDim % 2 != 0) throw new IllegalArgumentException("headDim " + headDim + " must be even (RoPE)");
    if (!(rmsNormEps > 0) || Double.isInfinite(rmsNormEps)) {
      throw new IllegalArgumentException("rmsNormEps must be positive and finite: " + rmsNormEps);
    }
    if (!(ropeTheta > 1) || Double.isInfinite(ropeTheta)) {
      throw new IllegalArgumentException("ropeTheta must be finite and > 1: " + ropeTheta);
    }
    if ((long) Math.max(vocabSize, Math.max(intermediateSize, (long) numHeads * headDim)) * hiddenSize > (1L << 40)) {
      throw new IllegalArgumentException("weight matrices would exceed 2^40 elements");
    }
    attentionBias = attentionBias || "qwen2".equals(modelType);
  }

  /**
   * A small Qwen2-shaped model for checks whose properties hold for any weights (hidden 64, MLP
   * 128, 2 layers, 4 heads, 2 KV heads, tied embeddings, context 32768).
   */
  public static ModelConfig small(int vocabSize) {
    return new ModelConfig("qwen2", vocabSize, 64, 128, 2, 4, 2, 16, 32768, 1e-6, 1_000_000.0, true, true);
  }

  /** The Hugging Face {@code config.json} text for this configuration. */
  public String toConfigJson() {
    return String.format(Locale.ROOT, """
        {
          "architectures": ["%s"],
          "model_type": "%s",
          "vocab_size": %d,
          "hidden_size": %d,
          "intermediate_size": %d,
          "num_hidden_layers": %d,
          "num_attention_heads": %d,
          "num_key_value_heads": %d,
          "head_dim": %d,
          "max_position_embeddings": %d,
          "rms_norm_eps": %s,
          "rope_theta": %s,
          "tie_word_embeddings": %b,
          "attention_bias": %b,
          "hidden_act": "silu"
        }
        """, "qwen2".equals(modelType) ? "Qwen2ForCausalLM" : "LlamaForCausalLM", modelType, vocabSize, hiddenSize,
        intermediateSize, numLayers, numHeads, numKvHeads, headDim, maxPositions, Double.toString(rmsNormEps),
        Double.toString(ropeTheta), tieWordEmbeddings, attentionBias);
  }

  private static void positive(String name, int value) {
    if (value <= 0) throw new IllegalArgumentException(name + " must be positive: " + value);
  }
}
