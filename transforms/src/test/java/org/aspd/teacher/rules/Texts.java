package org.aspd.teacher.rules;

import java.util.List;
import org.aspd.model.Sample;

/** Small hand-written answers shared by the rules tests. */
final class Texts {
  private Texts() {}

  static Sample sample(String question, String answer) {
    return new Sample("t", "test", "m", "", "", List.of(), question, answer);
  }

  static final String TIPS = """
      Here are some ways to stay healthy every day:

      1. **Sleep well:** Aim for seven to nine hours of sleep so your body can recover and your mind stays sharp.
      2. **Eat vegetables:** Fill half of your plate with vegetables to get fibre, vitamins and minerals at every meal.
      3. **Move daily:** Walk, cycle or swim for at least thirty minutes to strengthen your heart and lungs.

      Small habits add up over time, so start with one and build from there.""";

  static final String PROCEDURE = """
      To reset the router, follow these steps:

      1. Unplug the router from the wall and wait for thirty seconds before you touch anything else.
      2. Press the reset button on the back with a paperclip and hold it for ten seconds.
      3. Plug the router back in and wait until the power light turns solid green again.
      4. Connect your laptop to the default network and open the setup page in a browser.

      The router now runs with its factory settings.""";

  static final String DERIVATION = """
      We compute the cost of the fruit one part at a time, carrying each result forward.

      1. **Apples:** The apples cost 3 × 2 = 6 dollars for the whole bag that we bought today.
      2. **Pears:** The pears cost 4 × 3 = 12 dollars for the basket that we bought today.
      3. **Total:** Adding the two parts gives 6 + 12 = 18 dollars, which is the final total we pay.

      So the fruit costs 18 dollars.""";

  static final String SECTIONS = """
      Stress can be handled in several complementary ways.

      ### Physical Techniques
      1. **Exercise**: Regular activity releases endorphins and improves your mood over the week.
      2. **Sleep**: Seven to nine hours of rest make you more resilient to daily pressure.
      3. **Breathing**: Slow breathing for two minutes calms the nervous system before a meeting.

      ### Mental Techniques
      1. **Reframing**: Replace catastrophic thoughts with balanced ones that you can test.
      2. **Journaling**: Writing down worries moves them out of your head and onto paper.
      3. **Gratitude**: Listing three good things each evening shifts attention to what went well.

      ### Social Techniques
      1. **Talk it out**: Sharing feelings with a friend often makes problems look smaller.
      2. **Set boundaries**: Saying no protects your time and energy from overcommitment.
      3. **Join a group**: Clubs and teams give you company and a regular rhythm outside work.

      Try a few and keep what works for you.""";

  static final String CODE_WALKTHROUGH = """
      Here is a binary search in Python that returns the index of the target or -1.

      ```python
      def search(items, target):
          left, right = 0, len(items) - 1
          while left <= right:
              mid = (left + right) // 2
              if items[mid] == target:
                  return mid
              if items[mid] < target:
                  left = mid + 1
              else:
                  right = mid - 1
          return -1
      ```

      ### Explanation:
      1. **Initialization**: We start with two pointers, `left` and `right`, at both ends of the list.
      2. **Loop**: While the pointers have not crossed we compute the middle index `mid` of the range.
      3. **Comparison**: We compare the middle element with the target and move one pointer inward.
      4. **Not Found**: When the loop ends without a match we return -1 to signal that it is missing.""";

  static final String COUNTERFACTUAL = """
      Without the canal, trade between Europe and Asia would have developed very differently.

      1. **Longer Routes**: Ships would have to sail around Africa, adding weeks to every voyage between the continents.
      2. **Higher Prices**: Freight would cost more, and consumers would pay more for imported goods from Asia.
      3. **Naval Strategy**: Navies would need coaling stations along the longer routes around the Cape of Good Hope.
      4. **Regional Growth**: Ports in the Red Sea region would have grown far more slowly than they did.

      Overall, world trade would look very different today.""";

  /** A list of {@code n} substantial numbered items after an introduction. */
  static String longList(int n) {
    StringBuilder out = new StringBuilder("Here are many independent ideas for a productive week:\n\n");
    for (int i = 1; i <= n; i++) {
      out.append(i).append(". **Idea ").append(wordFor(i)).append("**: This idea number ").append(i)
          .append(" stands on its own and explains one useful habit in a full sentence.\n");
    }
    return out.append("\nPick the ones that fit your routine.").toString();
  }

  private static String wordFor(int i) {
    String[] words = {"Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliet",
        "Kilo", "Lima", "Mike", "November", "Oscar", "Papa", "Quebec", "Romeo", "Sierra", "Tango", "Uniform",
        "Victor", "Whiskey", "Xray", "Yankee", "Zulu"};
    return words[(i - 1) % words.length] + (i > words.length ? " " + i : "");
  }
}
