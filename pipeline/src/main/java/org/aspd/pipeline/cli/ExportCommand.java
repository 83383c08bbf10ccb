package org.aspd.pipeline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import org.apache.avro.generic.GenericRecord;
import org.aspd.pipeline.write.ShardReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aspd export DIR --format jsonl}: shards as JSON lines with id, parallel, aspd_text, original. */
@Command(name = "export", mixinStandardHelpOptions = true, description = "Export the shards of an output directory.")
final class ExportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "DIR")
  File dir;

  @Option(names = "--format", defaultValue = "jsonl", description = "Only jsonl for now.")
  String format;

  @Option(names = "--out", paramLabel = "FILE", description = "Output file (default: standard output).")
  File out;

  @Override
  public Integer call() throws IOException {
    if (!format.equals("jsonl")) {
      System.err.println("aspd: unknown export format '" + format + "'; supported: jsonl");
      return 2;
    }
    if (!new File(dir, "data").isDirectory()) {
      System.err.println("aspd: " + dir + " has no data/ folder; is it an aspd output directory?");
      return 2;
    }
    ObjectMapper json = new ObjectMapper();
    try (Writer w = out == null
        ? new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8))
        : Files.newBufferedWriter(out.toPath(), StandardCharsets.UTF_8)) {
      long n = ShardReader.forEach(new File(dir, "data"), (GenericRecord r) -> {
        ObjectNode node = json.createObjectNode();
        node.put("id", r.get("id").toString());
        node.put("parallel", (Boolean) r.get("parallel"));
        node.put("aspd_text", r.get("aspd_text").toString());
        node.put("original", r.get("original").toString());
        w.write(node.toString());
        w.write('\n');
      });
      w.flush();
      System.err.println("aspd: exported " + n + " rows");
    }
    return 0;
  }
}
