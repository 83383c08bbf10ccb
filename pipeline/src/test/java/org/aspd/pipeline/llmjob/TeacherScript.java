package org.aspd.pipeline.llmjob;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.aspd.format.TagEscaper;
import org.aspd.teacher.llm.prompt.PromptTemplate;

/**
 * The fake provider's teacher: recognizes the prompt file of each request by its system message and
 * the sample by its answer (rewrite, format and answer judges) or question (independence judge), and
 * replies as a good model would: the sample's annotation in the rewrite reply shape, a pass verdict
 * as JSON for every judge. A {@link Faults} hook answers first and may replace any reply.
 *
 * <p>Every reply carries {@code ref:HASH}, the request body's hash, in a place that does not change
 * what it means (a line before the rewrite's PARALLEL flag, the verdict's reason). A recorded cache
 * entry therefore names the request it answered, so a test can tell which calls had completed.
 */
final class TeacherScript implements FakeProvider.Script {
  enum Prompt { REWRITE, INDEPENDENCE, FORMAT, ANSWER, UNKNOWN }

  /** One request, classified. {@code sample} is null when no sample matches. */
  record Call(FakeProvider.Request request, Prompt prompt, VicunaSamples.Annotated sample) {
    boolean is(Prompt p, String sampleId) {
      return prompt == p && sample != null && sample.id().equals(sampleId);
    }

    int attempt() {
      return request.attempt();
    }

    boolean reask() {
      return request.isReask();
    }
  }

  /** Returns a reply to send instead of the normal one, or null to answer normally. */
  interface Faults {
    FakeProvider.Reply inject(Call call, FakeProvider server);
  }

  static final Faults NONE = (c, s) -> null;

  private static final Map<String, Prompt> SYSTEMS = new HashMap<>();
  private static final String REWRITE_PREFIX;

  static {
    for (Prompt p : List.of(Prompt.REWRITE, Prompt.INDEPENDENCE, Prompt.FORMAT, Prompt.ANSWER)) {
      SYSTEMS.put(PromptTemplate.load(p.name().toLowerCase()).system(), p);
    }
    String rendered = PromptTemplate.load("rewrite").user(Map.of("answer", "\u0000"));
    REWRITE_PREFIX = rendered.substring(0, rendered.indexOf('\u0000'));
  }

  private final List<VicunaSamples.Annotated> samples;
  private final Map<String, VicunaSamples.Annotated> byEscapedAnswer = new HashMap<>();
  private final boolean identifyJudges;
  private final Faults faults;

  /**
   * @param identifyJudges find the sample of judge requests too (a scan over all samples per request:
   *     for fault scripts over a handful of samples, not for benchmarks)
   */
  TeacherScript(List<VicunaSamples.Annotated> samples, boolean identifyJudges, Faults faults) {
    this.samples = List.copyOf(samples);
    this.identifyJudges = identifyJudges;
    this.faults = faults;
    for (VicunaSamples.Annotated a : samples) {
      byEscapedAnswer.put(TagEscaper.escape(a.sample().answer()), a);
    }
  }

  TeacherScript(List<VicunaSamples.Annotated> samples) {
    this(samples, true, NONE);
  }

  @Override
  public FakeProvider.Reply answer(FakeProvider.Request r, FakeProvider server) {
    Call call = classify(r);
    FakeProvider.Reply fault = faults.inject(call, server);
    if (fault != null) {
      return fault;
    }
    if (call.prompt() == Prompt.UNKNOWN || (call.prompt() == Prompt.REWRITE && call.sample() == null)) {
      return FakeProvider.status(400, "{\"error\":\"the fake teacher does not know this request\"}", Map.of());
    }
    return call.prompt() == Prompt.REWRITE
        ? server.chat(rewriteReply(call.sample().annotated(), r.bodyHash()))
        : server.chat(verdict("pass", "ok ref:" + r.bodyHash()));
  }

  Call classify(FakeProvider.Request r) {
    Prompt prompt = SYSTEMS.getOrDefault(r.system(), Prompt.UNKNOWN);
    List<JsonNode> messages = r.messages();
    VicunaSamples.Annotated sample = null;
    if (prompt == Prompt.REWRITE && messages.size() >= 2) {
      String user = messages.get(1).path("content").asText();
      if (user.startsWith(REWRITE_PREFIX)) {
        sample = byEscapedAnswer.get(user.substring(REWRITE_PREFIX.length()));
      }
    } else if (prompt != Prompt.UNKNOWN && identifyJudges && messages.size() >= 2) {
      String user = messages.get(1).path("content").asText();
      for (VicunaSamples.Annotated a : samples) {
        boolean match = prompt == Prompt.INDEPENDENCE
            ? user.contains("User: " + a.sample().question())
            : user.contains(a.sample().answer());
        if (match) {
          sample = a;
          break;
        }
      }
    }
    return new Call(r, prompt, sample);
  }

  /** The reply shape of prompts/rewrite.txt, with the request's ref on a line before the flag. */
  static String rewriteReply(String annotated, String ref) {
    return "ref: " + ref + "\nPARALLEL: yes\n<<<ANNOTATED>>>\n" + annotated + "\n<<<END>>>";
  }

  static String verdict(String verdict, String reason) {
    return "{\"verdict\": \"" + verdict + "\", \"reason\": \"" + reason + "\"}";
  }
}
