package org.aspd.decoding;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Random well-formed samples (several groups of 2-16 branches, serial gaps) that remember the
 * labels and spans they were built with, so tests compare the native parser with the construction.
 */
final class RandomSamples {
  record Branch(int start, int length) {}

  record Group(int para, int paraEnd, List<Branch> branches) {
    int total() {
      return branches.stream().mapToInt(Branch::length).sum();
    }

    int longest() {
      return branches.stream().mapToInt(Branch::length).max().orElse(0);
    }
  }

  record Sample(int[] ids, int[] groupId, int[] branchId, List<Group> groups) {}

  private RandomSamples() {}

  static SpecialTokenIds specials(Random rng, int vocab) {
    int[] v = rng.ints(0, vocab).distinct().limit(6).toArray();
    return new SpecialTokenIds(v[0], v[1], v[2], v[3], v[4], v[5]);
  }

  static Sample generate(Random rng, SpecialTokenIds st, int vocab, int maxGroups, int maxContent) {
    List<Integer> ids = new ArrayList<>();
    List<Integer> group = new ArrayList<>();
    List<Integer> branch = new ArrayList<>();
    List<Group> groups = new ArrayList<>();
    Set<Integer> special = Set.of(st.branch(), st.branchEnd(), st.title(), st.titleEnd(), st.para(), st.paraEnd());
    java.util.function.IntSupplier plain = () -> {
      int id;
      do id = rng.nextInt(vocab);
      while (special.contains(id));
      return id;
    };
    Runnable serial = () -> {
      for (int n = 1 + rng.nextInt(20); n > 0; n--) add(ids, group, branch, plain.getAsInt(), -1, 0);
    };
    int branchCount = 0;
    serial.run();
    int groupCount = 1 + rng.nextInt(maxGroups);
    for (int g = 0; g < groupCount; g++) {
      int k = 2 + rng.nextInt(15); // 2..16 branches
      List<int[]> titles = new ArrayList<>();
      Set<Integer> firsts = new HashSet<>();
      while (titles.size() < k) {
        int first = plain.getAsInt();
        if (!firsts.add(first)) continue;
        int[] t = new int[1 + rng.nextInt(3)];
        t[0] = first;
        for (int i = 1; i < t.length; i++) t[i] = plain.getAsInt();
        titles.add(t);
      }
      for (int[] t : titles) {
        add(ids, group, branch, st.title(), -1, 0);
        for (int id : t) add(ids, group, branch, id, -1, 0);
        add(ids, group, branch, st.titleEnd(), -1, 0);
      }
      int para = ids.size();
      add(ids, group, branch, st.para(), -1, 0);
      List<Branch> spans = new ArrayList<>();
      for (int[] t : titles) {
        branchCount++;
        int start = ids.size();
        add(ids, group, branch, st.branch(), g, branchCount);
        for (int id : t) add(ids, group, branch, id, g, branchCount);
        for (int n = rng.nextInt(maxContent + 1); n > 0; n--) add(ids, group, branch, plain.getAsInt(), g, branchCount);
        add(ids, group, branch, st.branchEnd(), g, branchCount);
        spans.add(new Branch(start, ids.size() - start));
      }
      groups.add(new Group(para, ids.size(), spans));
      add(ids, group, branch, st.paraEnd(), -1, 0);
      serial.run();
    }
    return new Sample(toArray(ids), toArray(group), toArray(branch), groups);
  }

  private static void add(List<Integer> ids, List<Integer> group, List<Integer> branch, int id, int g, int b) {
    ids.add(id);
    group.add(g);
    branch.add(b);
  }

  private static int[] toArray(List<Integer> xs) {
    return xs.stream().mapToInt(Integer::intValue).toArray();
  }
}
