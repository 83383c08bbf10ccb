package org.aspd.format;

import java.util.List;

/** A flat parallel group of k ≥ 2 branches; branch order equals title order. */
public record Group(List<Branch> branches) implements Item {
  public Group {
    branches = List.copyOf(branches);
  }

  public int size() {
    return branches.size();
  }
}
