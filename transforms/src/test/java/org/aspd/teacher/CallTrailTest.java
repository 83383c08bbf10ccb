package org.aspd.teacher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.aspd.model.LlmCall;
import org.junit.jupiter.api.Test;

class CallTrailTest {
  @Test
  void collectsTheCallsOfItsWorkWithWhatTheyJudged() throws Exception {
    CallTrail.Collected<String> c = CallTrail.collect(() -> {
      CallTrail.record("rewrite", 0, "k0");
      CallTrail.about(1, 2);
      CallTrail.record("independence", 2, "k1");
      CallTrail.about(1, -1);
      CallTrail.record("format", 0, "k2");
      return "done";
    });
    assertEquals("done", c.value());
    assertEquals(List.of(new LlmCall("rewrite", -1, -1, 0, "k0"), new LlmCall("independence", 1, 2, 2, "k1"),
        new LlmCall("format", 1, -1, 0, "k2")), c.calls());
  }

  @Test
  void callsOutsideACollectionGoNowhereAndANestedOneKeepsItsOwn() throws Exception {
    CallTrail.record("rewrite", 0, "lost");
    CallTrail.Collected<List<LlmCall>> outer = CallTrail.collect(() -> {
      CallTrail.record("rewrite", 0, "outer");
      List<LlmCall> inner = CallTrail.collect(() -> {
        CallTrail.record("answer", 1, "inner");
        return null;
      }).calls();
      CallTrail.record("format", 0, "outer-again");
      return inner;
    });
    assertEquals(List.of("inner"), outer.value().stream().map(LlmCall::key).toList());
    assertEquals(List.of("outer", "outer-again"), outer.calls().stream().map(LlmCall::key).toList());
  }

  @Test
  void aFailedWorkLeavesNoTrailBehind() throws Exception {
    assertThrows(TeacherException.class, () -> CallTrail.collect(() -> {
      CallTrail.record("rewrite", 0, "k");
      throw new TeacherException("provider down");
    }));
    assertEquals(List.of(), CallTrail.collect(() -> null).calls());
    CallTrail.record("rewrite", 0, "after"); // no trail left set on this thread: must not throw
  }
}
