package org.aspd.teacher;

import java.io.Serializable;
import org.aspd.format.Group;
import org.aspd.model.Sample;

/**
 * Stage 2's question about one group (method §3): is each branch independent of its siblings, and
 * does the text before the group not depend on any of them?
 *
 * @param sample the question and history (judges see the full history)
 * @param precondition all response text before the group, earlier groups flattened
 * @param group the branches with their titles
 * @param following the response text after the group (rule-based judges use it to spot a closing
 *     item that is the joint result of the branches)
 */
public record IndependenceQuery(Sample sample, String precondition, Group group, String following)
    implements Serializable {}
