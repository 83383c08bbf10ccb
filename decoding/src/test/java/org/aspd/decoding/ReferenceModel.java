package org.aspd.decoding;

/**
 * Float64 forward of the Llama/Qwen2 architecture, written from the Hugging Face formulas
 * (RMSNorm, rotate-half RoPE, GQA softmax attention with the §5 rule as an explicit mask, SwiGLU)
 * and fed the weights of a native {@link Model}: the oracle for the native float32 forward.
 */
final class ReferenceModel {
  private ReferenceModel() {}

  /** Logits [T][V]. */
  static double[][] forward(Model model, int[] ids, int[] pos, int[] group, int[] branch) {
    ModelConfig c = model.config();
    int t = ids.length, e = c.hiddenSize(), h = c.numHeads(), hkv = c.numKvHeads(), d = c.headDim();
    float[] embed = model.tensor("model.embed_tokens.weight");
    double[][] x = new double[t][e];
    for (int i = 0; i < t; i++) for (int k = 0; k < e; k++) x[i][k] = embed[ids[i] * e + k];
    for (int l = 0; l < c.numLayers(); l++) {
      String p = "model.layers." + l + ".";
      double[][] hn = rmsNorm(x, model.tensor(p + "input_layernorm.weight"), c.rmsNormEps());
      double[][] q = linear(hn, model.tensor(p + "self_attn.q_proj.weight"), h * d, bias(model, p + "self_attn.q_proj.bias"));
      double[][] k = linear(hn, model.tensor(p + "self_attn.k_proj.weight"), hkv * d, bias(model, p + "self_attn.k_proj.bias"));
      double[][] v = linear(hn, model.tensor(p + "self_attn.v_proj.weight"), hkv * d, bias(model, p + "self_attn.v_proj.bias"));
      rope(q, pos, h, d, c.ropeTheta());
      rope(k, pos, hkv, d, c.ropeTheta());
      double[][] a = new double[t][h * d];
      for (int i = 0; i < t; i++) {
        for (int head = 0; head < h; head++) {
          int kvh = head / (h / hkv);
          double[] s = new double[t];
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j <= i; j++) {
            boolean visible = !(group[i] >= 0 && group[i] == group[j] && branch[i] != branch[j]);
            if (!visible) {
              s[j] = Double.NEGATIVE_INFINITY;
              continue;
            }
            double dot = 0;
            for (int u = 0; u < d; u++) dot += q[i][head * d + u] * k[j][kvh * d + u];
            s[j] = dot / Math.sqrt(d);
            max = Math.max(max, s[j]);
          }
          double sum = 0;
          for (int j = 0; j <= i; j++) sum += s[j] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(s[j] - max);
          for (int j = 0; j <= i; j++) {
            if (s[j] == Double.NEGATIVE_INFINITY) continue;
            double w = Math.exp(s[j] - max) / sum;
            for (int u = 0; u < d; u++) a[i][head * d + u] += w * v[j][kvh * d + u];
          }
        }
      }
      add(x, linear(a, model.tensor(p + "self_attn.o_proj.weight"), e, null));
      double[][] hm = rmsNorm(x, model.tensor(p + "post_attention_layernorm.weight"), c.rmsNormEps());
      double[][] gate = linear(hm, model.tensor(p + "mlp.gate_proj.weight"), c.intermediateSize(), null);
      double[][] up = linear(hm, model.tensor(p + "mlp.up_proj.weight"), c.intermediateSize(), null);
      for (int i = 0; i < t; i++) {
        for (int u = 0; u < gate[i].length; u++) gate[i][u] = gate[i][u] / (1 + Math.exp(-gate[i][u])) * up[i][u];
      }
      add(x, linear(gate, model.tensor(p + "mlp.down_proj.weight"), e, null));
    }
    double[][] out = rmsNorm(x, model.tensor("model.norm.weight"), c.rmsNormEps());
    float[] head = model.tensor(c.tieWordEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight");
    return linear(out, head, c.vocabSize(), null);
  }

  private static float[] bias(Model model, String name) {
    return model.tensorNames().contains(name) ? model.tensor(name) : null;
  }

  private static double[][] linear(double[][] x, float[] w, int out, float[] b) {
    int in = x[0].length;
    double[][] y = new double[x.length][out];
    for (int i = 0; i < x.length; i++) {
      for (int o = 0; o < out; o++) {
        double s = b == null ? 0 : b[o];
        for (int k = 0; k < in; k++) s += x[i][k] * w[o * in + k];
        y[i][o] = s;
      }
    }
    return y;
  }

  private static double[][] rmsNorm(double[][] x, float[] w, double eps) {
    double[][] y = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      double ms = 0;
      for (double v : x[i]) ms += v * v;
      double inv = 1 / Math.sqrt(ms / x[i].length + eps);
      y[i] = new double[x[i].length];
      for (int k = 0; k < x[i].length; k++) y[i][k] = w[k] * x[i][k] * inv;
    }
    return y;
  }

  private static void rope(double[][] x, int[] pos, int heads, int d, double theta) {
    int half = d / 2;
    for (int i = 0; i < x.length; i++) {
      for (int head = 0; head < heads; head++) {
        for (int u = 0; u < half; u++) {
          double angle = pos[i] * Math.pow(theta, -2.0 * u / d);
          double a = x[i][head * d + u], b = x[i][head * d + u + half];
          x[i][head * d + u] = a * Math.cos(angle) - b * Math.sin(angle);
          x[i][head * d + u + half] = b * Math.cos(angle) + a * Math.sin(angle);
        }
      }
    }
  }

  private static void add(double[][] x, double[][] y) {
    for (int i = 0; i < x.length; i++) for (int k = 0; k < x[i].length; k++) x[i][k] += y[i][k];
  }
}
