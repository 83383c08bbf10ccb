package org.aspd.format;

import java.io.Serializable;

/** One piece of a response: serial text or a parallel group. */
public sealed interface Item extends Serializable permits SerialText, Group {}
