package org.aspd.metrics;

import java.io.Serializable;
import org.aspd.format.Branch;
import org.aspd.format.Group;
import org.aspd.format.Item;
import org.aspd.format.Response;
import org.aspd.format.SerialText;
import org.aspd.tokens.AspdTokenizer;

/**
 * Per-sample metrics of method §4, from token counts of the target tokenizer, piece by piece.
 *
 * @param serialTokens S: markup-free serial tokens
 * @param contentTokens C: branch content tokens (no titles, no ": ", no markup)
 * @param titleTokens T: title tokens, each title once
 * @param mainTokens M: main response tokens (serial text, title lists with markup, para markers)
 * @param branchStepTokens Σ_g max_b |b|, |b| from {@code <|branch|>} through {@code <|/branch|>}
 * @param packedBranchTokens Σ_g Σ_b |b|
 * @param originalTokens tokens of the original serial answer, encoded whole (Steps_serial)
 * @param groups G
 * @param branches Σ_g k_g
 */
public record SampleMetrics(
    int serialTokens,
    int contentTokens,
    int titleTokens,
    int mainTokens,
    int branchStepTokens,
    int packedBranchTokens,
    int originalTokens,
    int groups,
    int branches) implements Serializable {

  public static SampleMetrics of(Response response, String original, AspdTokenizer tok) {
    return of(response, tok.countText(original), tok);
  }

  /** As {@link #of(Response, String, AspdTokenizer)} with the original's token count known. */
  public static SampleMetrics of(Response response, int originalTokens, AspdTokenizer tok) {
    int markupPerTitle = 2; // <|title|> … <|/title|>
    int markupPerBranch = 2; // <|branch|> … <|/branch|>
    int separator = tok.countText(": ");
    int s = 0, c = 0, t = 0, m = 0, steps = 0, packed = 0, groups = 0, branches = 0;
    if (!response.isParallel()) {
      // A serial response is the original text: no need to tokenize it again.
      return new SampleMetrics(originalTokens, 0, 0, originalTokens, 0, 0, originalTokens, 0, 0);
    }
    for (Item item : response.items()) {
      if (item instanceof SerialText st) {
        int n = tok.countText(st.text());
        s += n;
        m += n;
      } else if (item instanceof Group g) {
        groups++;
        branches += g.size();
        m += 2; // <|para|>, <|/para|>
        int longest = 0;
        for (Branch b : g.branches()) {
          int title = tok.countText(b.title());
          int content = tok.countText(b.content());
          t += title;
          c += content;
          m += markupPerTitle + title;
          int length = markupPerBranch + title + separator + content;
          longest = Math.max(longest, length);
          packed += length;
        }
        steps += longest;
      }
    }
    return new SampleMetrics(s, c, t, m, steps, packed, originalTokens, groups, branches);
  }

  public boolean parallel() {
    return groups > 0;
  }

  /** ABN_s: mean branches per group; 0 for a serial sample. */
  public double abn() {
    return groups == 0 ? 0 : (double) branches / groups;
  }

  /** DP_s (text level): C / (S + C + T). */
  public double dp() {
    int all = serialTokens + contentTokens + titleTokens;
    return all == 0 ? 0 : (double) contentTokens / all;
  }

  /** APE_s: (C − T) / C; 0 when T = 0, as the reference does. */
  public double ape() {
    return titleTokens == 0 || contentTokens == 0 ? 0 : (double) (contentTokens - titleTokens) / contentTokens;
  }

  public int stepsAspd() {
    return mainTokens + branchStepTokens;
  }

  /** TSU = Steps_serial / Steps_ASPD (1 for a serial sample). */
  public double theoreticalSpeedup() {
    return groups == 0 || stepsAspd() == 0 ? 1.0 : (double) originalTokens / stepsAspd();
  }

  /** TSU_packed = (M + Σ_g Σ_b |b|) / Steps_ASPD. */
  public double theoreticalSpeedupPacked() {
    return groups == 0 || stepsAspd() == 0 ? 1.0 : (double) (mainTokens + packedBranchTokens) / stepsAspd();
  }

  /** Tokens of the serialized response (markup included). */
  public int responseTokens() {
    return mainTokens + packedBranchTokens;
  }
}
