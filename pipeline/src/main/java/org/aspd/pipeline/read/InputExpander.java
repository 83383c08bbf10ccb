package org.aspd.pipeline.read;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * Turns one input path (a file, a glob, or a directory read recursively) into reading units,
 * recognising FastChat layouts: a folder with {@code question.jsonl} and {@code model_answer/*.jsonl}
 * (or legacy {@code answer/*.jsonl}). When scanning many files (a directory or glob), hidden files
 * and non-data files (README, SOURCE.md) are skipped and listed; a file named explicitly is always read.
 */
final class InputExpander {
  static final String QUESTION_FILE = "question.jsonl";
  private static final List<String> ANSWER_FOLDERS = List.of("model_answer/", "answer/");
  private static final List<String> DATA_EXTENSIONS = List.of(".jsonl", ".json", ".ndjson", ".parquet");

  /** @param found false when the path matched nothing at all */
  record Expansion(boolean found, List<InputUnit> units, List<String> skipped) {}

  private InputExpander() {}

  static Expansion expand(String spec) throws IOException {
    if (FileSystems.hasGlobWildcard(spec)) {
      List<String> files = files(match(spec));
      // A glob that matches nothing is a path that is not there: a dead letter, not an empty input.
      return files.isEmpty() ? new Expansion(false, List.of(), List.of()) : scan(files, "");
    }
    List<MatchResult.Metadata> exact = match(spec);
    if (exact.size() == 1 && !exact.get(0).resourceId().isDirectory()) {
      String path = exact.get(0).resourceId().toString();
      // HDFS (through Beam) matches a directory as an entry not marked as one: it is one when files lie below it.
      List<String> below = filesBelow(path);
      return below.isEmpty() ? explicitFile(path) : scan(below, withSlash(path));
    }
    // A directory; object stores have no directory entries, hence the prefix match.
    String root = exact.size() == 1 ? exact.get(0).resourceId().toString() : withSlash(spec);
    List<String> tree = tree(root);
    return tree.isEmpty() && exact.isEmpty()
        ? new Expansion(false, List.of(), List.of())
        : scan(tree, withSlash(root));
  }

  private static Expansion explicitFile(String path) throws IOException {
    String name = path.substring(path.lastIndexOf('/') + 1);
    String parent = path.substring(0, path.lastIndexOf('/') + 1);
    if (Compressed.withoutSuffix(name).equals(QUESTION_FILE)) {
      for (String folder : ANSWER_FOLDERS) {
        List<String> answers = files(match(parent + folder + "*")).stream().filter(InputExpander::isJsonl).toList();
        if (!answers.isEmpty()) {
          return new Expansion(true, fastChatUnits(path, answers), List.of());
        }
      }
    }
    for (String folder : ANSWER_FOLDERS) {
      if (parent.endsWith("/" + folder)) {
        String benchmark = parent.substring(0, parent.length() - folder.length());
        List<String> questions = files(match(benchmark + QUESTION_FILE + "*")).stream()
            .filter(InputExpander::isQuestionFile).toList();
        if (!questions.isEmpty()) {
          return new Expansion(true, List.of(InputUnit.fastChat(questions.get(0), path, true)), List.of());
        }
      }
    }
    return new Expansion(true, List.of(InputUnit.file(path)), List.of());
  }

  /**
   * What the made-up ids of each input start with when several inputs are given: the name of the
   * input's folder ({@code gpt4/} and {@code claude/} for {@code --input results/gpt4 results/claude};
   * a file's folder; a FastChat answer file's or question file's benchmark folder), so that two
   * inputs with same-named files never make the same id. The name alone, not a path: another input
   * added later leaves these ids as they are (a regeneration carries their rows over), and one input
   * spelled two ways ({@code ./a}, {@code /abs/a}) makes the same ids, whose copies are then
   * duplicate-id dead letters rather than rows twice. One input, or inputs in one folder, keep the
   * ids they have alone ("").
   */
  static java.util.Map<String, String> idPrefixes(List<String> specs) {
    if (specs.stream().distinct().count() < 2) {
      return java.util.Map.of(); // one input keeps its ids; no need to look at it here
    }
    java.util.Map<String, String> anchors = new java.util.LinkedHashMap<>();
    for (String spec : specs) {
      anchors.put(spec, anchor(normalized(spec)));
    }
    boolean oneFolder = anchors.values().stream().distinct().count() < 2;
    java.util.Map<String, String> out = new java.util.HashMap<>();
    anchors.forEach((spec, anchor) -> out.put(spec, oneFolder ? "" : folderName(anchor)));
    return out;
  }

  /** A local path made absolute and normalised (a trailing slash kept); other schemes as they are. */
  private static String normalized(String spec) {
    if (spec.contains("://")) {
      return spec;
    }
    String path = java.nio.file.Path.of(spec).toAbsolutePath().normalize().toString();
    return spec.endsWith("/") && !path.endsWith("/") ? path + "/" : path;
  }

  /** "results/gpt4/" -> "gpt4/"; a FastChat answers folder names its benchmark ("bench/model_answer/" -> "bench/"). */
  private static String folderName(String anchor) {
    String folder = anchor.endsWith("/") ? anchor.substring(0, anchor.length() - 1) : anchor;
    String name = folder.substring(folder.lastIndexOf('/') + 1);
    if (ANSWER_FOLDERS.contains(name + "/") && folder.lastIndexOf('/') > 0) {
      String parent = folder.substring(0, folder.lastIndexOf('/'));
      name = parent.substring(parent.lastIndexOf('/') + 1);
    }
    return name.isEmpty() ? "" : name + "/";
  }

  /** The folder an input's files are named from: a directory itself, a file's or a glob's folder. */
  private static String anchor(String spec) {
    if (FileSystems.hasGlobWildcard(spec)) {
      int wildcard = spec.length();
      for (char c : new char[] {'*', '?', '[', '{'}) {
        int at = spec.indexOf(c);
        wildcard = at >= 0 ? Math.min(wildcard, at) : wildcard;
      }
      return spec.substring(0, spec.lastIndexOf('/', wildcard) + 1);
    }
    try {
      List<MatchResult.Metadata> exact = match(spec);
      if (exact.size() == 1 && !exact.get(0).resourceId().isDirectory() && filesBelow(spec).isEmpty()) {
        return spec.substring(0, spec.lastIndexOf('/') + 1);
      }
    } catch (IOException | RuntimeException e) {
      // unreadable, or a scheme no file system serves: named as a folder; its dead letter says why
    }
    return withSlash(spec);
  }

  /** Classifies many files; {@code root} is the scanned directory, or "" for a glob. */
  private static Expansion scan(List<String> files, String root) {
    String idRoot = root.isEmpty() ? commonFolder(files) : root;
    List<InputUnit> units = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    List<String> fastChatFolders = new ArrayList<>();
    for (String file : files) {
      if (isQuestionFile(file) && !hidden(file, root)) {
        String folder = file.substring(0, file.lastIndexOf('/') + 1);
        List<String> answers = answerFiles(files, folder);
        if (!answers.isEmpty()) {
          fastChatFolders.add(folder);
          units.addAll(fastChatUnits(file, answers, relativeFolder(folder, idRoot)));
        }
      }
    }
    for (String file : files) {
      String fastChat = fastChatFolders.stream().filter(file::startsWith).findFirst().orElse(null);
      if (fastChat != null) {
        if (units.stream().noneMatch(u -> u.path().equals(file) || u.questionPath().equals(file))) {
          skipped.add(file + " (in FastChat folder " + fastChat + ", not a model answer file)");
        }
      } else if (hidden(file, root)) {
        skipped.add(file + " (hidden)");
      } else if (!isDataFile(file)) {
        skipped.add(file + " (not a .jsonl/.json/.ndjson/.parquet file, or one of them compressed: .gz/.bz2/.zst)");
      } else {
        units.add(InputUnit.file(file, relativeFolder(file.substring(0, file.lastIndexOf('/') + 1), idRoot)));
      }
    }
    SameFiles.Result distinct = SameFiles.of(units);
    skipped.addAll(distinct.skipped());
    return new Expansion(true, distinct.kept(), skipped);
  }

  /** {@code folder} (ending in '/') below {@code root}, ending in '/'; "" for the root itself. */
  private static String relativeFolder(String folder, String root) {
    return folder.startsWith(root) ? folder.substring(root.length()) : folder;
  }

  /** The deepest folder (ending in '/') that holds every file: where a glob's made-up ids start from. */
  private static String commonFolder(List<String> files) {
    if (files.isEmpty()) return "";
    String common = files.get(0).substring(0, files.get(0).lastIndexOf('/') + 1);
    for (String f : files) {
      while (!f.startsWith(common)) {
        common = common.substring(0, common.lastIndexOf('/', common.length() - 2) + 1);
      }
    }
    return common;
  }

  private static List<String> answerFiles(List<String> files, String folder) {
    for (String answerFolder : ANSWER_FOLDERS) {
      String prefix = folder + answerFolder;
      List<String> answers =
          files.stream()
              .filter(f -> f.startsWith(prefix) && f.indexOf('/', prefix.length()) < 0 && isJsonl(f))
              .toList();
      if (!answers.isEmpty()) {
        return answers;
      }
    }
    return List.of();
  }

  private static List<InputUnit> fastChatUnits(String questions, List<String> answers) {
    return fastChatUnits(questions, answers, "");
  }

  private static List<InputUnit> fastChatUnits(String questions, List<String> answers, String idPrefix) {
    List<InputUnit> units = new ArrayList<>();
    for (int i = 0; i < answers.size(); i++) {
      units.add(InputUnit.fastChat(questions, answers.get(i), i == 0, idPrefix));
    }
    return units;
  }

  /** {@value #QUESTION_FILE}, compressed or not. */
  private static boolean isQuestionFile(String path) {
    return Compressed.withoutSuffix(path).endsWith("/" + QUESTION_FILE);
  }

  private static boolean isJsonl(String path) {
    return Compressed.dataName(path).endsWith(".jsonl");
  }

  static boolean isDataFile(String path) {
    String name = Compressed.dataName(path);
    return DATA_EXTENSIONS.stream().anyMatch(name::endsWith);
  }

  /** Hidden or bookkeeping: any segment below the root starting with '.' or '_' (_SUCCESS, .crc). */
  private static boolean hidden(String file, String root) {
    String relative = !root.isEmpty() && file.startsWith(root) ? file.substring(root.length()) : file.substring(file.lastIndexOf('/') + 1);
    for (String segment : relative.split("/")) {
      if (segment.startsWith(".") || segment.startsWith("_")) {
        return true;
      }
    }
    return false;
  }

  private static List<MatchResult.Metadata> match(String spec) throws IOException {
    MatchResult result = FileSystems.match(List.of(spec), EmptyMatchTreatment.ALLOW).get(0);
    if (result.status() == MatchResult.Status.NOT_FOUND) {
      return List.of();
    }
    if (result.status() != MatchResult.Status.OK) {
      throw new IOException("cannot list " + spec + ": " + result.status());
    }
    return result.metadata();
  }

  /** The files below {@code path}; none when it is a file, whether its filesystem says so or fails. */
  private static List<String> filesBelow(String path) {
    try {
      return tree(path);
    } catch (IOException e) {
      return List.of();
    }
  }

  /**
   * Every file below a directory, sorted. {@code **} alone would do on local disks and object
   * stores, but Beam's HDFS filesystem matches it only two or more levels down (dir/a/b.jsonl, not
   * dir/question.jsonl), so the direct children are matched with {@code *} too.
   */
  private static List<String> tree(String dir) throws IOException {
    List<MatchResult.Metadata> all = new ArrayList<>(match(withSlash(dir) + "*"));
    all.addAll(match(withSlash(dir) + "**"));
    TreeSet<String> files = new TreeSet<>(files(all));
    // On HDFS, * also matches sub-directories, unmarked: an entry with entries below it is one.
    List<String> kept = new ArrayList<>();
    for (String f : files) {
      String below = files.ceiling(f + "/");
      if (below == null || !below.startsWith(f + "/")) kept.add(f);
    }
    return kept;
  }

  /** Sorted, so units and logs come out in the same order on every run. */
  private static List<String> files(List<MatchResult.Metadata> matches) {
    TreeSet<String> files = new TreeSet<>();
    for (MatchResult.Metadata m : matches) {
      if (!m.resourceId().isDirectory()) {
        files.add(m.resourceId().toString());
      }
    }
    return new ArrayList<>(files);
  }

  private static String withSlash(String path) {
    return path.endsWith("/") ? path : path + "/";
  }
}
