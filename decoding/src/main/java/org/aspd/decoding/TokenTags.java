package org.aspd.decoding;

import java.util.Objects;

/**
 * Per-token tags of decode queries or KV-cache entries: position id, group id (-1 = main) and
 * branch id (0 = main), each [N]. A query (p, g, b) sees an entry (p', g', b') iff p' <= p and
 * not (g == g' >= 0 and b != b'); under Same-Seq positions this is exactly the §5 packed rule.
 *
 * <p>The arrays are copied in and out: tags checked here cannot be changed afterwards into ones
 * the native code would take without a check.
 */
public record TokenTags(int[] position, int[] groupId, int[] branchId) {
  public TokenTags {
    position = Objects.requireNonNull(position, "position").clone();
    groupId = Objects.requireNonNull(groupId, "groupId").clone();
    branchId = Objects.requireNonNull(branchId, "branchId").clone();
    if (position.length != groupId.length || position.length != branchId.length) {
      throw new IllegalArgumentException("tag arrays differ in length: position " + position.length
          + ", groupId " + groupId.length + ", branchId " + branchId.length);
    }
    for (int i = 0; i < groupId.length; i++) {
      boolean main = groupId[i] < 0;
      if (groupId[i] < -1 || branchId[i] < 0 || main != (branchId[i] == 0)) {
        throw new IllegalArgumentException("bad tag at " + i + ": group " + groupId[i] + ", branch " + branchId[i]
            + " (main = (-1, 0); branch tokens have group >= 0 and branch >= 1)");
      }
    }
  }

  @Override
  public int[] position() {
    return position.clone();
  }

  @Override
  public int[] groupId() {
    return groupId.clone();
  }

  @Override
  public int[] branchId() {
    return branchId.clone();
  }

  public int length() {
    return position.length;
  }

  // The checked arrays themselves, for the native calls of this package (read only there).
  int[] positionArray() {
    return position;
  }

  int[] groupArray() {
    return groupId;
  }

  int[] branchArray() {
    return branchId;
  }
}
