package org.aspd.pipeline;

import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/**
 * Options of the aspd job. Every stage setting of the method doc (§3) is here with its default;
 * Beam's own options (runner, parallelism, temp locations, ...) pass through unchanged.
 */
public interface AspdOptions extends PipelineOptions, org.aspd.pipeline.llm.LlmOptions {
  @Description("Input files, directories or globs (JSONL, chat JSONL, Alpaca, FastChat, AlpacaEval JSON, Parquet)")
  @Validation.Required
  List<String> getInput();

  void setInput(List<String> value);

  @Description("Output directory: data/*.parquet, dead_letters/, stats.json, README.md, plots/")
  @Validation.Required
  String getOutput();

  void setOutput(String value);

  @Description("Teacher: rules (embedded, offline), openai (any OpenAI-compatible server), ollama, anthropic")
  @Default.String("rules")
  String getTeacher();

  void setTeacher(String value);

  @Description("Target tokenizer for token counts, limits and token arrays: o200k_base, cl100k_base, or the"
      + " tokenizer.json of the model to train (or its folder; the six markers are added if absent, and the file"
      + " with them is written beside the shards). On a cluster the path must be readable on every worker.")
  @Default.String("o200k_base")
  String getTokenizer();

  void setTokenizer(String value);

  @Description("rewrite.candidates: rewrites asked per sample")
  @Default.Integer(3)
  int getCandidates();

  void setCandidates(int value);

  @Description("indep.votes: independence votes per group")
  @Default.Integer(3)
  int getIndependenceVotes();

  void setIndependenceVotes(int value);

  @Description("indep.accept: passing votes needed")
  @Default.Integer(3)
  int getIndependenceAccept();

  void setIndependenceAccept(int value);

  @Description("format.votes")
  @Default.Integer(3)
  int getFormatVotes();

  void setFormatVotes(int value);

  @Description("format.accept")
  @Default.Integer(3)
  int getFormatAccept();

  void setFormatAccept(int value);

  @Description("answer.votes")
  @Default.Integer(3)
  int getAnswerVotes();

  void setAnswerVotes(int value);

  @Description("answer.accept")
  @Default.Integer(3)
  int getAnswerAccept();

  void setAnswerAccept(int value);

  @Description("filter.minParallelTokens: shorter answers stay serial with no teacher calls")
  @Default.Integer(128)
  int getMinParallelTokens();

  void setMinParallelTokens(int value);

  @Description("filter.maxTokens: prompt + answer limit")
  @Default.Integer(8000)
  int getMaxTokens();

  void setMaxTokens(int value);

  @Description("filter.overLimit: drop (dead letter) or serial")
  @Default.String("drop")
  String getOverLimit();

  void setOverLimit(String value);

  @Description("group.maxBranches")
  @Default.Integer(10)
  int getMaxBranches();

  void setMaxBranches(int value);

  @Description("title.maxTokens")
  @Default.Integer(8)
  int getTitleMaxTokens();

  void setTitleMaxTokens(int value);

  @Description("integrity.editBudget cap: token edits a rewrite may make to the answer and still pass the"
      + " token-alignment gate (its edits are undone and recorded); 0 = exact integrity only")
  @Default.Integer(32)
  int getEditBudgetMax();

  void setEditBudgetMax(int value);

  @Description("integrity.editBudget share of the answer's tokens; the budget is min(editBudgetMax, share)")
  @Default.Double(0.02)
  double getEditBudgetFraction();

  void setEditBudgetFraction(double value);

  @Description("train.maskForcedTargets: loss_mask 0 on the tokens the decoding engine forces (each branch's"
      + " <|branch|> + title + \": \" header, and <|/para|>); by default every response token is in the loss")
  @Default.Boolean(false)
  boolean getMaskForcedTargets();

  void setMaskForcedTargets(boolean value);

  @Description("Number of Parquet shards (train-NNNNN-of-MMMMM.parquet)")
  @Default.Integer(1)
  int getNumShards();

  void setNumShards(int value);

  @Description("Read only the first N input records, in the order of --input and of the sorted files in each"
      + " folder (a sample run); 0 reads everything")
  @Default.Long(0)
  long getLimit();

  void setLimit(long value);

  @Description("Replace an earlier run in --output (its data/, dead_letters/, plots/, stats.json and"
      + " README.md); without it a folder that holds a run is refused")
  @Default.Boolean(false)
  boolean getOverwrite();

  void setOverwrite(boolean value);
}
