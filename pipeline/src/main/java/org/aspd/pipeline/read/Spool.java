package org.aspd.pipeline.read;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The bytes a reader resumes from after a syntax error. Resuming re-opens the file at an offset: a
 * seek in a plain file, but a compressed stream can only be skipped by decompressing from its start,
 * so each broken element of a gzip/bzip2/zstd JSON array cost a pass over the file (file size x
 * errors). After the first error a compressed file's content is decompressed once into a local
 * temporary file, deleted on close, and every later resume seeks in it.
 */
final class Spool implements AutoCloseable {
  private final SourceFile file;
  private SourceFile content;
  private Path spooled;
  private boolean tried;

  Spool(SourceFile file) {
    this.file = file;
    this.content = file;
  }

  /** Where the content is read from now: the file itself, or its spooled copy. */
  SourceFile content() {
    return content;
  }

  /** The content to resume from after an error: spooled on the first call when the file is compressed. */
  SourceFile afterError() throws IOException {
    if (tried) {
      return content;
    }
    tried = true; // a plain file's compression is looked at once, not at each of its broken records
    if (file.compression() == Compressed.NONE) {
      return content;
    }
    Path copy = Files.createTempFile("aspd-spool-", "-" + file.dataName());
    try (InputStream in = file.open()) {
      Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      // A file that cannot be decompressed to its end (cut short, a full disk) is resumed from the
      // file itself, as before: slower, and the break is reported where the reader meets it.
      Files.deleteIfExists(copy);
      return content;
    }
    spooled = copy;
    content = new SourceFile(copy.toAbsolutePath().toString(), file.idPrefix());
    return content;
  }

  @Override
  public void close() throws IOException {
    if (spooled != null) {
      Files.deleteIfExists(spooled);
    }
  }
}
