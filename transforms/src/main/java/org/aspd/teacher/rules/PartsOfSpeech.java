package org.aspd.teacher.rules;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import opennlp.tools.postag.POSModel;
import opennlp.tools.postag.POSTaggerME;

/**
 * Universal Dependencies part-of-speech tags (NOUN, VERB, ADJ, DET, ADP, ...) for the first words
 * of an item, so that a title cut from a sentence ends where a phrase ends ("Establish a training
 * program", not "Establish a reputable and recognized"). The tagger is Apache OpenNLP's perceptron
 * model trained on the English Web Treebank, read once from its Maven artifact's jar.
 */
final class PartsOfSpeech {
  private static final String MODEL = "/opennlp-en-ud-ewt-pos-1.3-2.5.4.bin";

  /** The model is immutable and shared; a tagger keeps state per call, so each thread has its own. */
  private static final class Holder {
    static final POSModel MODEL_INSTANCE = load();
    static final ThreadLocal<POSTaggerME> TAGGER = ThreadLocal.withInitial(() -> new POSTaggerME(MODEL_INSTANCE));

    private static POSModel load() {
      try (InputStream in = PartsOfSpeech.class.getResourceAsStream(MODEL)) {
        if (in == null) {
          throw new IllegalStateException("the part-of-speech model " + MODEL + " is not on the classpath"
              + " (it comes with org.apache.opennlp:opennlp-models-pos-en)");
        }
        return new POSModel(in);
      } catch (IOException e) {
        throw new UncheckedIOException("could not read the part-of-speech model " + MODEL, e);
      }
    }
  }

  private PartsOfSpeech() {}

  /** One tag per word, in order: words as a sentence shows them, punctuation already stripped. */
  static List<String> tag(List<String> words) {
    if (words.isEmpty()) {
      return List.of();
    }
    String[] tags = Holder.TAGGER.get().tag(words.toArray(new String[0]));
    for (int i = 0; i < tags.length; i++) {
      int plus = tags[i].indexOf('+');
      if (plus > 0) {
        tags[i] = tags[i].substring(0, plus); // "can't" is AUX+PART: the auxiliary is what ends or not
      } else if ((tags[i].equals("PUNCT") || tags[i].equals("SYM")) && words.get(i).chars().anyMatch(Character::isLetter)) {
        // A hyphenated word the model took for punctuation ("up-to-date", "follow-up"): mostly a modifier.
        tags[i] = words.get(i).indexOf('-') > 0 ? "ADJ" : "NOUN";
      }
    }
    return List.of(tags);
  }
}
