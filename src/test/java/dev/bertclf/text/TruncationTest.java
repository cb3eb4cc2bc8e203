package dev.bertclf.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which tokens each truncation keeps, and where the windows over a long text lie. */
class TruncationTest {
    /** "one two ... twelve": twelve words, one WordPiece token each. */
    private static final String TWELVE = "one two three four five six seven eight nine ten eleven twelve";

    private static List<String> tokens(Truncation truncation, int maxSeqLen, String text) throws URISyntaxException {
        try (WordPieceTokenizer t = WordPieceTokenizer.builder(WordPieceTokenizerTest.uncasedVocab())
                .maxSeqLen(maxSeqLen)
                .truncation(truncation)
                .build()) {
            return t.tokens(text);
        }
    }

    @Test
    void headTailAndHeadTailKeepTheirTokensOfAKnownText() throws URISyntaxException {
        // room 8: head+tail keeps floor(8 / 4) = 2 first tokens and 6 last ones
        assertEquals(
                List.of("[CLS]", "one", "two", "three", "four", "five", "six", "seven", "eight", "[SEP]"),
                tokens(Truncation.HEAD, 10, TWELVE));
        assertEquals(
                List.of("[CLS]", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "[SEP]"),
                tokens(Truncation.TAIL, 10, TWELVE));
        assertEquals(
                List.of("[CLS]", "one", "two", "seven", "eight", "nine", "ten", "eleven", "twelve", "[SEP]"),
                tokens(Truncation.HEAD_TAIL, 10, TWELVE));
        for (Truncation t : Truncation.values()) { // a text that fits is kept whole by every rule
            assertEquals(14, tokens(t, 14, TWELVE).size(), t.id());
        }
    }

    @Test
    void encodeKeepsTheSameTokensAsTokens() throws URISyntaxException {
        try (WordPieceTokenizer t = WordPieceTokenizer.builder(WordPieceTokenizerTest.uncasedVocab())
                .maxSeqLen(10)
                .truncation(Truncation.HEAD_TAIL)
                .build()) {
            EncodedBatch b = t.encode(List.of(TWELVE, "one"));
            assertEquals(10, b.length(0));
            assertEquals(3, b.length(1));
            assertArrayEquals(
                    t.encode(List.of("one two seven eight nine ten eleven twelve"))
                            .wordIds(),
                    Arrays.copyOf(b.wordIds(), 10));
        }
    }

    /** A 50 MB line: only its ends are tokenized, to the tokens of a text that ends (and starts) alike. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aHugeTextKeepsTheTokensOfItsEnds() throws URISyntaxException {
        String review =
                "This film's plot \u2014 a caf\u00E9 owner's odyssey \u2014 was AMAZING, 10/10!\n".repeat(10_000);
        String huge = "Dull start. " + review.repeat(64) + " but a GREAT ending";
        for (Truncation rule : List.of(Truncation.TAIL, Truncation.HEAD_TAIL)) {
            try (WordPieceTokenizer t = WordPieceTokenizer.builder(WordPieceTokenizerTest.uncasedVocab())
                    .maxSeqLen(128)
                    .truncation(rule)
                    .build()) {
                String small = "Dull start. " + review + " but a GREAT ending";
                assertArrayEquals(
                        t.encode(List.of(small)).wordIds(),
                        t.encode(List.of(huge)).wordIds(),
                        rule.id());
                assertEquals("ending", t.tokens(huge).get(126));
            }
        }
    }

    @Test
    void headTailFollowsSunEtAlsRatio() {
        assertEquals(127, Truncation.HEAD_TAIL.headTokens(Integer.MAX_VALUE, 510));
        assertEquals(383, Truncation.HEAD_TAIL.tailTokens(Integer.MAX_VALUE, 510));
        assertEquals(31, Truncation.HEAD_TAIL.headTokens(200, 126));
        assertEquals(95, Truncation.HEAD_TAIL.tailTokens(200, 126));
        assertEquals(0, Truncation.TAIL.headTokens(200, 126));
        assertEquals(50, Truncation.TAIL.headTokens(50, 126)); // a text that fits is kept whole
        assertEquals(0, Truncation.TAIL.tailTokens(50, 126));
    }

    @Test
    void namesAreThoseOfTheOptionAndOlderModelsReadAsHead() {
        assertEquals(Truncation.HEAD_TAIL, Truncation.of("head+tail"));
        assertEquals(Truncation.TAIL, Truncation.of("Tail"));
        assertEquals(Truncation.HEAD, Truncation.of(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Truncation.of("middle"));
        assertEquals("unknown truncation 'middle' (choose from head, tail, head+tail)", e.getMessage());
    }

    @Test
    void windowsStepByTheStrideAndTheLastEndsAtTheTextsEnd() {
        assertArrayEquals(new int[] {0}, TokenWindows.starts(5, 8, 4));
        assertArrayEquals(new int[] {0}, TokenWindows.starts(8, 8, 4));
        assertArrayEquals(new int[] {0, 1}, TokenWindows.starts(9, 8, 4));
        assertArrayEquals(new int[] {0, 4}, TokenWindows.starts(12, 8, 4));
        assertArrayEquals(new int[] {0, 4, 5}, TokenWindows.starts(13, 8, 4));
        assertArrayEquals(new int[] {0, 8, 12}, TokenWindows.starts(20, 8, 8));
        assertEquals(20, TokenWindows.coveredTokens(4, 8, 4));
        assertThrows(IllegalArgumentException.class, () -> TokenWindows.starts(20, 8, 9));
        assertThrows(IllegalArgumentException.class, () -> TokenWindows.starts(20, 8, 0));
    }

    @Test
    void encodeWindowsGivesEachTextsWindowsInOrderAndCapsTheirNumber() throws URISyntaxException {
        try (WordPieceTokenizer t = WordPieceTokenizer.builder(WordPieceTokenizerTest.uncasedVocab())
                .maxSeqLen(10)
                .padToLongest()
                .build()) {
            WordPieceTokenizer.Windowed w = t.encodeWindows(List.of(TWELVE, "one two"), 4, 8);
            assertArrayEquals(new int[] {2, 1}, w.windows()); // 12 tokens, room 8: starts 0 and 4
            assertEquals(0, w.capped());
            assertEquals(3, w.batch().batchSize());
            assertEquals(List.of("one", "eight"), firstAndLast(w.batch(), 0, t));
            assertEquals(List.of("five", "twelve"), firstAndLast(w.batch(), 1, t));
            assertEquals(4, w.batch().length(2));

            WordPieceTokenizer.Windowed capped = t.encodeWindows(List.of(TWELVE + " " + TWELVE), 4, 2);
            assertArrayEquals(new int[] {2}, capped.windows()); // covers the first 12 of 24 tokens
            assertEquals(1, capped.capped());
            assertEquals(List.of("five", "twelve"), firstAndLast(capped.batch(), 1, t));
        }
    }

    /** The first and last word of a row, by id, looked up in what the tokenizer gives for the twelve words. */
    private static List<String> firstAndLast(EncodedBatch b, int row, WordPieceTokenizer t) {
        EncodedBatch words = t.encode(List.of("one two three four five six seven eight"));
        EncodedBatch more = t.encode(List.of("nine ten eleven twelve"));
        List<String> names = List.of(TWELVE.split(" "));
        List<Integer> ids = new ArrayList<>();
        for (int i = 1; i <= 8; i++) ids.add(words.wordIds()[i]);
        for (int i = 1; i <= 4; i++) ids.add(more.wordIds()[i]);
        int len = b.length(row);
        return List.of(
                names.get(ids.indexOf(b.wordIds()[row * b.seqLen() + 1])),
                names.get(ids.indexOf(b.wordIds()[row * b.seqLen() + len - 2])));
    }
}
