package org.aspd.tokens;

import java.io.Serializable;
import java.util.Arrays;
import org.aspd.format.Branch;
import org.aspd.format.Group;
import org.aspd.format.Item;
import org.aspd.format.Response;
import org.aspd.format.SerialText;
import org.aspd.format.SpecialTokens;

/**
 * Token arrays of one response (method §1, §5, §6), tokenized piece by piece so that branch
 * headers hold exactly the ids the decoding engine forces: control id | title | ": " | content.
 * Title ids in a branch header are copied from the title list, never re-tokenized.
 *
 * <p>All arrays have length T (response tokens, no chat template, no end-of-turn). {@code groupIds}
 * is -1 on main tokens; {@code branchIds} is 0 on main tokens and a running count 1, 2, … over the
 * response otherwise. {@code positionIds} follow the Same-Seq convention relative to the response
 * start: main tokens at their packed index, token j of every branch at p + 1 + j where p is the
 * index of the group's {@code <|para|>}. Add the prompt length to get absolute positions.
 * {@code engineForced} marks the tokens the decoding engine feeds itself instead of sampling them
 * (method §7: each branch's header {@code <|branch|>} + title + {@code ": "}, and {@code <|/para|>}).
 */
public record ShardLayout(int[] inputIds, int[] positionIds, int[] groupIds, int[] branchIds, boolean[] engineForced)
    implements Serializable {

  public int length() {
    return inputIds.length;
  }

  /**
   * Method §3.5 {@code loss_mask} over the response tokens: 1 everywhere (the loss covers every
   * response token, the method's default), or 0 on the engine-forced targets with
   * {@code maskForcedTargets} (method §10, optional): the model need not learn what it never picks.
   */
  public int[] lossMask(boolean maskForcedTargets) {
    int[] mask = new int[inputIds.length];
    for (int i = 0; i < mask.length; i++) mask[i] = maskForcedTargets && engineForced[i] ? 0 : 1;
    return mask;
  }

  public static ShardLayout of(Response response, AspdTokenizer tokenizer) {
    Builder b = new Builder(tokenizer);
    for (Item item : response.items()) {
      if (item instanceof SerialText s) {
        b.main(tokenizer.encodeText(s.text()));
      } else if (item instanceof Group g) {
        b.group(g);
      }
    }
    return b.build();
  }

  private static final class Builder {
    private final AspdTokenizer tok;
    private final int[] separator;
    private int[] ids = new int[256];
    private int[] pos = new int[256];
    private int[] group = new int[256];
    private int[] branch = new int[256];
    private boolean[] forced = new boolean[256];
    private int n;
    private int groups;
    private int branches;

    Builder(AspdTokenizer tok) {
      this.tok = tok;
      this.separator = tok.encodeText(SpecialTokens.HEADER_SEPARATOR);
    }

    void main(int... tokens) {
      for (int t : tokens) {
        add(t, n, -1, 0, false);
      }
    }

    void group(Group g) {
      int[][] titles = new int[g.size()][];
      for (int i = 0; i < g.size(); i++) {
        titles[i] = tok.encodeText(g.branches().get(i).title());
        main(tok.specialId(SpecialTokens.TITLE));
        main(titles[i]);
        main(tok.specialId(SpecialTokens.TITLE_END));
      }
      int para = n;
      main(tok.specialId(SpecialTokens.PARA));
      int groupId = groups++;
      for (int i = 0; i < g.size(); i++) {
        Branch br = g.branches().get(i);
        int branchId = ++branches;
        int j = 0;
        add(tok.specialId(SpecialTokens.BRANCH), para + 1 + j++, groupId, branchId, true);
        for (int t : titles[i]) {
          add(t, para + 1 + j++, groupId, branchId, true);
        }
        for (int t : separator) {
          add(t, para + 1 + j++, groupId, branchId, true);
        }
        for (int t : tok.encodeText(br.content())) {
          add(t, para + 1 + j++, groupId, branchId, false);
        }
        add(tok.specialId(SpecialTokens.BRANCH_END), para + 1 + j, groupId, branchId, false);
      }
      add(tok.specialId(SpecialTokens.PARA_END), n, -1, 0, true); // the merge feeds it
    }

    private void add(int id, int position, int groupId, int branchId, boolean engineForced) {
      if (n == ids.length) {
        int cap = n * 2;
        ids = Arrays.copyOf(ids, cap);
        pos = Arrays.copyOf(pos, cap);
        group = Arrays.copyOf(group, cap);
        branch = Arrays.copyOf(branch, cap);
        forced = Arrays.copyOf(forced, cap);
      }
      ids[n] = id;
      pos[n] = position;
      group[n] = groupId;
      branch[n] = branchId;
      forced[n] = engineForced;
      n++;
    }

    ShardLayout build() {
      return new ShardLayout(Arrays.copyOf(ids, n), Arrays.copyOf(pos, n),
          Arrays.copyOf(group, n), Arrays.copyOf(branch, n), Arrays.copyOf(forced, n));
    }
  }
}
