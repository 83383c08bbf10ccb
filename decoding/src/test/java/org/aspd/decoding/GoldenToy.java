package org.aspd.decoding;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The golden toy file shared with the C++ tests (src/test/resources/golden/toy_section5.txt). */
final class GoldenToy {
  final List<String> tokens = new ArrayList<>();
  int[] groupId;
  int[] branchId;
  final Map<PositionMode, int[]> positions = new HashMap<>();
  final List<String> mask = new ArrayList<>();

  static GoldenToy load() throws IOException {
    GoldenToy g = new GoldenToy();
    try (InputStream in = GoldenToy.class.getResourceAsStream("/golden/toy_section5.txt")) {
      if (in == null) throw new IOException("golden/toy_section5.txt not on the test classpath");
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = r.readLine()) != null; ) {
        if (line.isEmpty() || line.startsWith("#")) continue;
        String[] w = line.trim().split("\\s+");
        switch (w[0]) {
          case "tokens" -> g.tokens.addAll(List.of(w).subList(1, w.length));
          case "group_id" -> g.groupId = ints(w, 1);
          case "branch_id" -> g.branchId = ints(w, 1);
          case "position" -> g.positions.put(PositionMode.valueOf(w[1]), ints(w, 2));
          case "mask" -> g.mask.add(w[1]);
          default -> throw new IOException("unknown golden line: " + line);
        }
      }
    }
    return g;
  }

  /** Special names map to {@code st}; other names get unused ids in order of first occurrence. */
  int[] ids(SpecialTokenIds st) {
    Map<String, Integer> ids = new HashMap<>(Map.of("<|branch|>", st.branch(), "<|/branch|>", st.branchEnd(),
        "<|title|>", st.title(), "<|/title|>", st.titleEnd(), "<|para|>", st.para(), "<|/para|>", st.paraEnd()));
    int[] out = new int[tokens.size()];
    int next = 0;
    for (int i = 0; i < out.length; i++) {
      String name = tokens.get(i);
      if (!ids.containsKey(name)) {
        while (ids.containsValue(next)) next++;
        ids.put(name, next++);
      }
      out[i] = ids.get(name);
    }
    return out;
  }

  private static int[] ints(String[] w, int from) {
    int[] out = new int[w.length - from];
    for (int i = from; i < w.length; i++) out[i - from] = Integer.parseInt(w[i]);
    return out;
  }
}
