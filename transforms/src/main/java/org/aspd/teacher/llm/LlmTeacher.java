package org.aspd.teacher.llm;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.aspd.model.Sample;
import org.aspd.teacher.IndependenceQuery;
import org.aspd.teacher.Teacher;
import org.aspd.teacher.TeacherException;
import org.aspd.teacher.Verdict;
import org.aspd.teacher.llm.cache.CallCache;
import org.aspd.teacher.llm.call.ChatBackend;
import org.aspd.teacher.llm.call.EndpointGuards;
import org.aspd.teacher.llm.call.LangChainBackend;
import org.aspd.teacher.llm.call.LlmReply;
import org.aspd.teacher.llm.call.LlmRequest;
import org.aspd.teacher.llm.call.Message;
import org.aspd.teacher.llm.call.ResilientCaller;
import org.aspd.teacher.llm.config.LlmStage;
import org.aspd.teacher.llm.config.LlmTeacherConfig;
import org.aspd.teacher.llm.parse.JudgeReplyParser;
import org.aspd.teacher.llm.parse.Parsed;
import org.aspd.teacher.llm.parse.RewriteReply;
import org.aspd.teacher.llm.parse.RewriteReplyParser;
import org.aspd.teacher.llm.prompt.PromptTemplate;
import org.aspd.teacher.llm.prompt.Prompts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The teacher that asks LLMs (method §3). Each stage renders its prompt file, sends it through the
 * cache, the endpoint guards and the provider, and reads the reply; a reply it cannot read is said back
 * to the model once with the problem, and still unreadable it becomes an UNPARSABLE verdict (judges) or
 * a null candidate, "unreadable" (rewrite), counted in the {@link UsageLedger}.
 *
 * <p>Votes and their thresholds are the stages' business: a judge call takes the vote index, which is
 * part of the cache key, so votes are distinct calls that are each recorded and replayable.
 */
public final class LlmTeacher implements Teacher {
  /** Bump when code changes what is sent or how replies are read. */
  static final String CODE_VERSION = "llm-teacher/1";
  private static final Logger LOG = LoggerFactory.getLogger(LlmTeacher.class);

  private final LlmTeacherConfig config;
  private final Prompts prompts;
  private final ChatBackend backend;
  private final CallRunner runner;
  private final UsageLedger ledger;

  private LlmTeacher(Builder b) {
    this.config = b.config;
    this.prompts = Prompts.load();
    this.ledger = b.ledger;
    this.backend = b.backend != null ? b.backend : new LangChainBackend(b.secrets);
    CallCache cache = b.config.cache().enabled() ? new CallCache(b.config.cache().path()) : null;
    if (b.config.cache().replay() && !Files.isDirectory(cache.dir())) {
      throw new IllegalArgumentException("replay needs a recorded cache, but " + cache.dir() + " is no directory");
    }
    ResilientCaller caller = new ResilientCaller(backend, b.guards, config.retry(), config.breaker(), b.secrets::redact);
    this.runner = new CallRunner(caller, cache, b.config.cache().replay(), ledger);
  }

  public static Builder builder(LlmTeacherConfig config) {
    return new Builder(config);
  }

  /** {@code provider:model} of the stages, distinct ones joined by {@code +}, in stage order. */
  public static String nameOf(LlmTeacherConfig config) {
    Set<String> labels = new LinkedHashSet<>();
    config.stages().values().forEach(s -> labels.add(s.label()));
    return String.join("+", labels);
  }

  @Override
  public String name() {
    return nameOf(config);
  }

  @Override
  public String version() {
    StringBuilder v = new StringBuilder(CODE_VERSION);
    prompts.versions().forEach((name, hash) -> v.append(' ').append(name).append('=').append(hash));
    return v.toString();
  }

  /** True when every judge samples greedily (temperature 0): one call then stands for all votes. */
  @Override
  public boolean deterministic() {
    return greedy(LlmStage.INDEPENDENCE) && greedy(LlmStage.FORMAT) && greedy(LlmStage.ANSWER);
  }

  @Override
  public int maxConcurrency() {
    return config.maxConcurrency();
  }

  /**
   * One call per candidate, with the candidate index in the cache key; a greedy rewriter would give
   * the same text N times, so it is asked once. The answer alone is sent (reference default).
   */
  @Override
  public List<String> rewrite(Sample sample, String escapedAnswer, int candidates) throws TeacherException {
    int calls = greedy(LlmStage.REWRITE) ? Math.min(1, candidates) : candidates;
    List<String> out = new ArrayList<>(calls);
    for (int i = 0; i < calls; i++) {
      out.add(rewriteOne(escapedAnswer, i));
    }
    return out;
  }

  @Override
  public Verdict judgeIndependence(IndependenceQuery q, int vote) throws TeacherException {
    return judge(LlmStage.INDEPENDENCE, prompts.independence(), Map.of(
        "conversation", Conversations.render(q.sample()),
        "precondition", q.precondition(),
        "branches", Conversations.branches(q.group().branches())), vote);
  }

  @Override
  public Verdict judgeFormat(Sample sample, String rewritten, int vote) throws TeacherException {
    return judge(LlmStage.FORMAT, prompts.format(), Map.of(
        "original", sample.answer(), "rewritten", rewritten), vote);
  }

  @Override
  public Verdict judgeAnswer(Sample sample, String rewritten, int vote) throws TeacherException {
    return judge(LlmStage.ANSWER, prompts.answer(), Map.of(
        "conversation", Conversations.render(sample), "original", sample.answer(), "rewritten", rewritten), vote);
  }

  @Override
  public void close() {
    try {
      backend.close();
    } catch (Exception e) {
      LOG.debug("closing the LLM backend failed", e);
    }
  }

  private String rewriteOne(String escapedAnswer, int index) throws TeacherException {
    LlmRequest request = request(LlmStage.REWRITE, prompts.rewrite(), Map.of("answer", escapedAnswer), false, index);
    LlmReply reply = runner.run(request).reply();
    Parsed<RewriteReply> parsed = RewriteReplyParser.parse(reply.text());
    if (!parsed.ok()) {
      String problem = problem(parsed.problem(), reply);
      reply = runner.run(reask(request, reply, prompts.reaskRewrite(), problem)).reply();
      parsed = RewriteReplyParser.parse(reply.text());
      if (!parsed.ok()) {
        ledger.unparsable(LlmStage.REWRITE, request.settings());
        LOG.debug("rewrite candidate {} unreadable after re-ask: {}", index, problem(parsed.problem(), reply));
        return null;
      }
    }
    return parsed.value().annotated();
  }

  private Verdict judge(LlmStage stage, PromptTemplate prompt, Map<String, String> values, int vote)
      throws TeacherException {
    LlmRequest request = request(stage, prompt, values, true, vote);
    LlmReply reply = runner.run(request).reply();
    Parsed<Verdict> parsed = JudgeReplyParser.parse(reply.text());
    if (parsed.ok()) {
      return parsed.value();
    }
    reply = runner.run(reask(request, reply, prompts.reaskJson(), problem(parsed.problem(), reply))).reply();
    parsed = JudgeReplyParser.parse(reply.text());
    if (parsed.ok()) {
      return parsed.value();
    }
    ledger.unparsable(stage, request.settings());
    return new Verdict(Verdict.Outcome.UNPARSABLE, "unreadable after one re-ask: " + problem(parsed.problem(), reply));
  }

  private LlmRequest request(LlmStage stage, PromptTemplate prompt, Map<String, String> values, boolean json,
      int index) {
    List<Message> messages = List.of(Message.system(prompt.system()), Message.user(prompt.user(values)));
    return new LlmRequest(stage, config.stage(stage), prompt.version(), messages, json, index);
  }

  /** The corrective turn: the model's own reply, then what was wrong with it. */
  private static LlmRequest reask(LlmRequest request, LlmReply bad, PromptTemplate reask, String problem) {
    String said = bad.text().isBlank() ? "(empty reply)" : bad.text();
    return request.followUp(said, reask.user(Map.of("problem", problem)), reask.version());
  }

  private static String problem(String problem, LlmReply reply) {
    return reply.truncated() ? problem + "; the reply hit the output token limit" : problem;
  }

  private boolean greedy(LlmStage stage) {
    Double t = config.stage(stage).temperature();
    return t != null && t == 0.0;
  }

  /** Wiring for production (defaults) and tests (fake time, isolated guards, a scripted environment). */
  public static final class Builder {
    private final LlmTeacherConfig config;
    private Secrets secrets = Secrets.fromEnvironment();
    private EndpointGuards guards = EndpointGuards.shared();
    private UsageLedger ledger = UsageLedger.jvm();
    private ChatBackend backend;

    private Builder(LlmTeacherConfig config) {
      this.config = config;
    }

    public Builder secrets(Secrets s) {
      this.secrets = s;
      return this;
    }

    public Builder guards(EndpointGuards g) {
      this.guards = g;
      return this;
    }

    public Builder ledger(UsageLedger l) {
      this.ledger = l;
      return this;
    }

    public Builder backend(ChatBackend b) {
      this.backend = b;
      return this;
    }

    public LlmTeacher build() {
      return new LlmTeacher(this);
    }
  }
}
