package org.aspd.decoding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Shard rows built by hand (the §5 toy) and by the random sample generator pass; deliberately
 * corrupted rows fail with the right check and token index, both with every check on and with the
 * numerical checks alone (to show that they catch the corruption by themselves).
 */
class ShardValidatorTest {
  static final SpecialTokenIds ST = new SpecialTokenIds(100, 101, 102, 103, 104, 105);
  private static final int VOCAB = TinyModels.VOCAB;
  private static final int IM_END = 250; // a chat-template control id, reserved
  static final Set<ValidationCheck> NUMERICS_ONLY =
      EnumSet.of(ValidationCheck.BRANCH_ALONE, ValidationCheck.SEES_BRANCHES);
  private static Model model;

  private int[] ids, pos, group, branch;

  @BeforeAll
  static void openModel() {
    model = Model.random(TinyModels.QWEN2, 13, 2);
  }

  @AfterAll
  static void closeModel() {
    model.close();
  }

  /** The §5/§6 toy as a response row: 26 tokens, one group of two branches (12-17, 18-22). */
  @BeforeEach
  void toyRow() throws Exception {
    GoldenToy toy = GoldenToy.load();
    ids = toy.ids(ST);
    pos = toy.positions.get(PositionMode.SAME_SEQ).clone();
    group = toy.groupId.clone();
    branch = toy.branchId.clone();
  }

  private static ShardValidator.Builder validator() {
    return ShardValidator.builder(ST, VOCAB).model(model).reservedIds(IM_END);
  }

  private ValidationResult validate(ShardValidator.Builder b) {
    try (ShardValidator v = b.build()) {
      return v.validate(ids, pos, group, branch);
    }
  }

  static void assertFails(ValidationResult r, ValidationCheck check, int token) {
    assertFalse(r.passed(), "expected " + check + " to fail");
    assertEquals(check, r.failedCheck(), r.toString());
    assertEquals(token, r.tokenIndex(), r.toString());
    assertTrue(r.reason().contains("token " + token), r.toString());
  }

  @Test
  void toyRowPassesWithAndWithoutPrompt() {
    ValidationResult r = validate(validator());
    assertTrue(r.passed(), r.toString());
    r = validate(validator().prompt(1, 2, 3, 4, 5, 6, 7));
    assertTrue(r.passed(), r.toString());
    try (ShardValidator v = ShardValidator.builder(ST, VOCAB).build()) {
      assertEquals(EnumSet.range(ValidationCheck.SHAPE, ValidationCheck.POSITIONS), v.checks(),
          "without a model only the static checks run");
      assertTrue(v.validate(ids, pos, group, branch).passed());
    }
    assertEquals(1e-3, validator().build().tolerance(), "fp32 tolerance of method §8");
  }

  @Test
  void randomRowsWithSeveralGroupsPass() {
    Random rng = new Random(8);
    try (Model llama = Model.random(TinyModels.LLAMA, 2, 2);
        ShardValidator v = ShardValidator.builder(ST, VOCAB).model(llama).prompt(9, 8, 7).rowsAfterGroup(5).build();
        SampleLayouter layouter = new SampleLayouter(ST, VOCAB)) {
      for (int rep = 0; rep < 3; rep++) {
        RandomSamples.Sample s = RandomSamples.generate(rng, ST, VOCAB, 3, 5);
        int[] p = layouter.layout(s.ids()).positions(PositionMode.SAME_SEQ);
        ValidationResult r = v.validate(s.ids(), p, s.groupId(), s.branchId());
        assertTrue(r.passed(), "sample " + rep + ": " + r);
      }
    }
  }

  /** The CPU model reporting bf16, its logits rounded to bf16: the validator's bf16 rule without a GPU. */
  private record Bf16Logits(Model cpu) implements LogitsModel {
    @Override
    public ModelConfig config() {
      return cpu.config();
    }

    @Override
    public String computeDType() {
      return "bf16";
    }

    @Override
    public float[] forwardRows(int[] ids, int[] positions, int[] groupIds, int[] branchIds, int[] rows) {
      float[] x = cpu.forwardRows(ids, positions, groupIds, branchIds, rows);
      for (int i = 0; i < x.length; i++) x[i] = Float.intBitsToFloat((Float.floatToIntBits(x[i]) + 0x8000) & 0xffff0000);
      return x;
    }
  }

  @Test
  void bf16ModelsJudgeEqualityByTheArgmaxRule() {
    try (ShardValidator v = ShardValidator.builder(ST, VOCAB).model(new Bf16Logits(model)).reservedIds(IM_END).build()) {
      assertTrue(v.usesArgmaxRule());
      assertEquals(0.05, v.tolerance(), "bf16 default tolerance (for logits that must differ)");
      assertTrue(v.validate(ids, pos, group, branch).passed());
      double[] deltas = v.equalDeltas();
      assertEquals(11.0, deltas[2], "rows compared by branch_alone: the two branches of the toy (6 + 5)");
      assertTrue(deltas[0] < 0.05 && deltas[1] <= deltas[0], Arrays.toString(deltas));
      group[23] = 0; // <|/para|> no longer sees branch 1: caught by sees_branches under the bf16 tolerance
      branch[23] = 2;
      assertFails(v.validate(ids, pos, group, branch), ValidationCheck.LABELS, 23);
    }
    try (ShardValidator v = ShardValidator.builder(ST, VOCAB).model(new Bf16Logits(model)).checks(NUMERICS_ONLY).build()) {
      assertFails(v.validate(ids, pos, group, branch), ValidationCheck.SEES_BRANCHES, 23);
    }
    assertFalse(validator().build().usesArgmaxRule(), "fp32 keeps the 1e-3 tolerance");
  }

  @Test
  void argmaxRuleLooksOnlyWhereTheReferenceLeadsClearly() {
    float[] ref = {0f, 2f, 1.6f, -1f};  // leads by 0.4 < 0.5: no requirement
    assertTrue(ShardValidator.sameArgmaxWhereClear(new float[] {0f, 1f, 3f, 0f}, ref, 0, 4));
    float[] clear = {0f, 2f, 1.4f, -1f, /* second row */ 5f, 0f, 0f, 0f};  // leads by 0.6 (row 0), 5 (row 1)
    assertFalse(ShardValidator.sameArgmaxWhereClear(new float[] {0f, 1f, 3f, 0f}, clear, 0, 4));
    assertTrue(ShardValidator.sameArgmaxWhereClear(new float[] {0f, 9f, 1f, 0f}, clear, 0, 4));
    float[] both = {0f, 0f, 0f, 0f, 4f, 1f, 0f, 0f};
    assertTrue(ShardValidator.sameArgmaxWhereClear(both, clear, 4, 4), "rows are read at their offset");
    assertFalse(ShardValidator.sameArgmaxWhereClear(new float[] {Float.NaN, 2f, 1f, 0f}, ref, 0, 4), "NaN fails");
  }

  @Test
  void shiftedBranchPositions() {
    for (int i = 18; i <= 22; i++) pos[i] += 1; // branch 2 starts at 13 instead of p + 1 = 12
    assertFails(validate(validator()), ValidationCheck.POSITIONS, 18);
    assertFails(validate(validator().checks(NUMERICS_ONLY)), ValidationCheck.BRANCH_ALONE, 18);
  }

  @Test
  void positionsShiftedAfterTheGroup() {
    pos[24] += 2;
    assertFails(validate(validator()), ValidationCheck.POSITIONS, 24);
  }

  /** A uniform shift leaves every RoPE score unchanged: only the static check can see it. */
  @Test
  void uniformlyShiftedPositionsAreCaughtStatically() {
    for (int i = 0; i < pos.length; i++) pos[i] += 1;
    assertFails(validate(validator()), ValidationCheck.POSITIONS, 0);
    assertTrue(validate(validator().checks(NUMERICS_ONLY)).passed(), "RoPE is relative: numerics cannot see this");
  }

  @Test
  void branchThatSeesItsSibling() {
    for (int i = 18; i <= 22; i++) branch[i] = 1; // both branches share branch id 1
    assertFails(validate(validator()), ValidationCheck.LABELS, 18);
    assertFails(validate(validator().checks(NUMERICS_ONLY)), ValidationCheck.BRANCH_ALONE, 18);
  }

  @Test
  void mainTokenAfterGroupThatDoesNotSeeABranch() {
    group[23] = 0; // <|/para|> labelled as part of branch 2: it no longer sees branch 1
    branch[23] = 2;
    assertFails(validate(validator()), ValidationCheck.LABELS, 23);
    ValidationResult r = validate(validator().checks(NUMERICS_ONLY));
    assertFails(r, ValidationCheck.SEES_BRANCHES, 23);
    assertTrue(r.reason().contains("branch at token 12"), r.toString());
  }

  @Test
  void markupThatDoesNotClose() {
    ids = Arrays.copyOf(ids, 23);
    pos = Arrays.copyOf(pos, 23);
    group = Arrays.copyOf(group, 23);
    branch = Arrays.copyOf(branch, 23);
    assertFails(validate(validator()), ValidationCheck.MARKUP, 23);
  }

  @Test
  void markerInsideContent() {
    ids[15] = ST.title(); // a1 -> <|title|> inside branch 1
    assertFails(validate(validator()), ValidationCheck.CONTROL_ID, 15);
  }

  @Test
  void markerInsideTitle() {
    ids[9] = ST.para(); // title B -> <|para|>
    assertFails(validate(validator()), ValidationCheck.CONTROL_ID, 9);
  }

  @Test
  void reservedIdInsideContent() {
    ids[21] = IM_END;
    assertFails(validate(validator()), ValidationCheck.CONTROL_ID, 21);
  }

  @Test
  void shapeRangeAndLength() {
    ValidationResult r;
    try (ShardValidator v = validator().build()) {
      r = v.validate(ids, Arrays.copyOf(pos, 5), group, branch);
      assertEquals(ValidationCheck.SHAPE, r.failedCheck(), r.toString());
      r = v.validate(new int[0], new int[0], new int[0], new int[0]);
      assertEquals(ValidationCheck.SHAPE, r.failedCheck(), r.toString());
      assertEquals(ValidationCheck.SHAPE, v.validate(null, pos, group, branch).failedCheck());
    }
    ids[4] = VOCAB;
    assertFails(validate(validator()), ValidationCheck.TOKEN_RANGE, 4);
    ids[4] = 7;
    assertFails(validate(ShardValidator.builder(ST, VOCAB).maxLength(20).prompt(1, 2)), ValidationCheck.LENGTH, 18);
    try (Model small = Model.random(new ModelConfig("llama", VOCAB, 16, 16, 1, 2, 1, 8, 24, 1e-6, 1e4, true, false), 1, 1)) {
      assertFails(validate(ShardValidator.builder(ST, VOCAB).model(small)), ValidationCheck.LENGTH, 24);
    }
    assertThrows(IllegalArgumentException.class, () -> validator().prompt(ST.para()));
    try (Model tiny = Model.random(new ModelConfig("llama", 50, 16, 16, 1, 2, 1, 8, 64, 1e-6, 1e4, true, false), 1, 1)) {
      assertThrows(IllegalArgumentException.class, () -> ShardValidator.builder(ST, VOCAB).model(tiny));
    }
  }
}
