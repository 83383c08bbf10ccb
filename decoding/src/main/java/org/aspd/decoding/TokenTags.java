package org.aspd.decoding;

/**
 * Per-token tags of decode queries or KV-cache entries: position id, group id (-1 = main) and
 * branch id (0 = main), each [N]. A query (p, g, b) sees an entry (p', g', b') iff p' <= p and
 * not (g == g' >= 0 and b != b'); under Same-Seq positions this is exactly the §5 packed rule.
 */
public record TokenTags(int[] position, int[] groupId, int[] branchId) {
  public TokenTags {
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

  public int length() {
    return position.length;
  }
}
