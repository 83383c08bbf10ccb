package org.aspd.teacher.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.aspd.model.Sample;
import org.aspd.teacher.llm.config.LlmStage;
import org.aspd.teacher.llm.config.LlmTeacherConfig;
import org.aspd.teacher.llm.config.ModelSettings;
import org.aspd.teacher.llm.config.Provider;
import org.junit.jupiter.api.Test;

/** The estimate counts calls the stages would make, prices them, and needs no endpoint at all. */
class DryRunEstimatorTest {
  @Test
  void countsCallsAndTokensOfLongAnswersOnlyAndPricesThem() {
    ModelSettings m = new ModelSettings(Provider.OPENAI, "http://127.0.0.1:9/v1", "big", 1.0, null, null, null,
        null, 2.0, 8.0, null, null, null);
    LlmTeacherConfig config = LlmTeacherConfig.single(m);
    Sample longOne = new Sample("a", "", "", "", "", List.of(), "Explain.", "word ".repeat(300));
    Sample shortOne = new Sample("b", "", "", "", "", List.of(), "Yes?", "Yes.");

    List<DryRunEstimator.StageEstimate> e = new DryRunEstimator(config, DryRunEstimator.Assumptions.defaults())
        .estimate(List.of(longOne, shortOne));

    assertEquals(List.of(3L, 9L, 9L, 9L), e.stream().map(DryRunEstimator.StageEstimate::calls).toList());
    DryRunEstimator.StageEstimate rewrite = e.get(0);
    assertEquals(LlmStage.REWRITE, rewrite.stage());
    assertTrue(rewrite.inputTokens() > 3 * 300, "prompt plus the 300-token answer, three times");
    int answerTokens = org.aspd.tokens.TokenizerCache.get("o200k_base").countText(longOne.answer());
    assertEquals(3 * Math.round(answerTokens * 1.15), rewrite.outputTokens());
    assertEquals((rewrite.inputTokens() * 2.0 + rewrite.outputTokens() * 8.0) / 1e6, rewrite.costUsd(), 1e-12);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DryRunEstimator.print(e, new PrintStream(out, true, StandardCharsets.UTF_8));
    String table = out.toString(StandardCharsets.UTF_8);
    assertTrue(table.contains("independence") && table.lines().anyMatch(l -> l.startsWith("total")), table);
  }
}
