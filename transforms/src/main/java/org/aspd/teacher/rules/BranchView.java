package org.aspd.teacher.rules;

/**
 * A branch's text split into its label (bold lead, heading or {@code Label:} prefix; null when
 * none) and the body that follows the label, list marker and heading hashes.
 */
record BranchView(String text, String label, String body) {
  static BranchView of(String text) {
    String t = text.strip();
    int lineEnd = t.indexOf('\n');
    int end = lineEnd < 0 ? t.length() : lineEnd;
    int p = 0;
    boolean heading = false;
    if (t.startsWith("#")) {
      while (p < end && t.charAt(p) == '#') {
        p++;
      }
      heading = true;
    } else if (MarkdownLines.plainHeading(t.substring(0, end))) {
      heading = true; // "II. Local Culture" over its paragraphs
    } else if (end > 0) {
      int marker = MarkdownLines.listMarkerEnd(t, 0, end);
      if (marker > 0) {
        p = marker;
      }
    }
    while (p < end && t.charAt(p) == ' ') {
      p++;
    }
    String label;
    int bodyFrom;
    if (heading) {
      label = Labels.clean(t.substring(p, end));
      bodyFrom = end;
    } else {
      label = Labels.itemLabel(t, p, end);
      bodyFrom = label == null ? p : Labels.bodyStart(t, p, end);
      if (label != null && bodyFrom >= end) {
        bodyFrom = end;
      }
    }
    return new BranchView(t, label == null || label.isBlank() ? null : label, t.substring(Math.min(bodyFrom, t.length())).strip());
  }
}
