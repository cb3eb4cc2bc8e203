package dev.bertclf.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.bertclf.runtime.DataException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class WordPieceTokenizerTest {
    private static final String MOVIE = "this is such an amazing movie!";
    private static WordPieceTokenizer uncased;

    @TempDir
    Path tmp;

    @BeforeAll
    static void loadUncased() throws URISyntaxException {
        uncased = WordPieceTokenizer.fromVocab(uncasedVocab(), true, 128);
    }

    @AfterAll
    static void closeUncased() {
        uncased.close();
    }

    static Path uncasedVocab() throws URISyntaxException {
        return Path.of(WordPieceTokenizerTest.class
                .getResource("/vocab-bert-uncased.txt")
                .toURI());
    }

    @Test
    void matchesGoogleIdsForTheGoldenSentence() {
        EncodedBatch b = uncased.encode(List.of(MOVIE));

        assertEquals(1, b.batchSize());
        assertEquals(128, b.seqLen());
        assertArrayEquals(
                new int[] {101, 2023, 2003, 2107, 2019, 6429, 3185, 999, 102, 0, 0, 0}, Arrays.copyOf(b.wordIds(), 12));
        int[] mask = new int[128];
        Arrays.fill(mask, 0, 9, 1);
        assertArrayEquals(mask, b.mask());
        assertArrayEquals(new int[128], b.typeIds());
        assertEquals(9, b.length(0));
    }

    @Test
    void lowercasesAndStripsAccentsWhenUncased() {
        assertArrayEquals(
                uncased.encode(List.of(MOVIE)).wordIds(),
                uncased.encode(List.of("THIS is Such an AMAZING mövie!")).wordIds());
    }

    @Test
    void tokensShowWordPiecesWithoutPadding() {
        assertEquals(
                List.of("[CLS]", "this", "is", "such", "an", "amazing", "movie", "!", "[SEP]"), uncased.tokens(MOVIE));
    }

    @Test
    void emptyTextIsClsSepThenPadding() {
        EncodedBatch b = uncased.encode(List.of(""));

        assertEquals(128, b.seqLen());
        assertArrayEquals(new int[] {101, 102, 0, 0}, Arrays.copyOf(b.wordIds(), 4));
        assertEquals(2, b.length(0));
    }

    @Test
    void longTextIsCutToMaxSeqLenKeepingSepLast() {
        String longText = "movie ".repeat(500);
        EncodedBatch b = uncased.encode(List.of(longText));

        assertEquals(128, b.seqLen());
        assertEquals(128, b.length(0));
        assertEquals(101, b.wordIds()[0]);
        assertEquals(3185, b.wordIds()[1]);
        assertEquals(3185, b.wordIds()[126]);
        assertEquals(102, b.wordIds()[127]);
    }

    @Test
    void batchRowsMatchSingleEncodings() {
        List<String> texts = List.of(MOVIE, "", "a terrible, boring film", "movie ".repeat(300));
        EncodedBatch batch = uncased.encode(texts);

        assertEquals(4, batch.batchSize());
        assertEquals(128, batch.seqLen());
        for (int row = 0; row < texts.size(); row++) {
            EncodedBatch single = uncased.encode(List.of(texts.get(row)));
            assertArrayEquals(single.wordIds(), Arrays.copyOfRange(batch.wordIds(), row * 128, row * 128 + 128));
            assertArrayEquals(single.mask(), Arrays.copyOfRange(batch.mask(), row * 128, row * 128 + 128));
        }
    }

    @Test
    void padToLongestPadsOnlyToTheBatchsLongestText() throws URISyntaxException {
        try (WordPieceTokenizer t = WordPieceTokenizer.builder(uncasedVocab())
                .maxSeqLen(128)
                .padToLongest()
                .build()) {
            EncodedBatch b = t.encode(List.of(MOVIE, "a film"));

            assertEquals(9, b.seqLen());
            assertArrayEquals(
                    new int[] {101, 2023, 2003, 2107, 2019, 6429, 3185, 999, 102, 101, 1037, 2143, 102, 0, 0, 0, 0, 0},
                    b.wordIds());
            assertEquals(4, b.length(1));
            assertEquals(128, t.encode(List.of("movie ".repeat(500))).seqLen());
        }
    }

    @Test
    void emptyBatchHasNoRows() {
        EncodedBatch b = uncased.encode(List.of());
        assertEquals(0, b.batchSize());
        assertEquals(0, b.wordIds().length);
    }

    @Test
    void casedVocabularyKeepsCaseAndAccents() throws IOException {
        Path vocab = tinyVocab("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "Hello", "world", "café", "!");
        try (WordPieceTokenizer t = WordPieceTokenizer.fromVocab(vocab, false, 8)) {
            EncodedBatch b = t.encode(List.of("Hello hello world café!"));

            assertArrayEquals(new int[] {2, 6, 5, 7, 8, 9, 3, 0}, b.wordIds());
            assertNotEquals(
                    t.encode(List.of("Hello")).wordIds()[1],
                    t.encode(List.of("hello")).wordIds()[1]);
        }
    }

    @Test
    void unknownWordsBecomeUnk() throws IOException {
        Path vocab = tinyVocab("[PAD]", "[UNK]", "[CLS]", "[SEP]", "good", "##ness", "me");
        try (WordPieceTokenizer t = WordPieceTokenizer.fromVocab(vocab, true, 8)) {
            assertEquals(List.of("[CLS]", "good", "##ness", "[UNK]", "me", "[SEP]"), t.tokens("Goodness gracious me"));
            assertArrayEquals(
                    new int[] {2, 4, 5, 1, 6, 3, 0, 0},
                    t.encode(List.of("Goodness gracious me")).wordIds());
        }
    }

    @Test
    void padsWithThePadTokensOwnId() throws IOException {
        Path vocab = tinyVocab("[UNK]", "[CLS]", "[SEP]", "[PAD]", "hi");
        try (WordPieceTokenizer t = WordPieceTokenizer.fromVocab(vocab, true, 6)) {
            assertArrayEquals(
                    new int[] {1, 4, 2, 3, 3, 3}, t.encode(List.of("hi")).wordIds());
        }
    }

    @Test
    void keepsTheTokenizerJsonWhenAskedTo() throws IOException {
        Path vocab = tinyVocab("[PAD]", "[UNK]", "[CLS]", "[SEP]", "hi");
        Path dir = tmp.resolve("model");
        try (WordPieceTokenizer t = WordPieceTokenizer.builder(vocab)
                .maxSeqLen(4)
                .tokenizerJsonDir(dir)
                .build()) {
            assertArrayEquals(new int[] {2, 4, 3, 0}, t.encode(List.of("hi")).wordIds());
        }
        assertEquals(true, Files.readString(dir.resolve("tokenizer.json")).contains("\"WordPiece\""));
    }

    @Test
    void vocabularyWithoutSpecialTokensIsRejectedWithItsPath() throws IOException {
        Path vocab = tinyVocab("[PAD]", "[UNK]", "hello");
        DataException e = assertThrows(DataException.class, () -> WordPieceTokenizer.fromVocab(vocab, true, 8));
        assertEquals(
                true, e.getMessage().contains("[CLS]") && e.getMessage().contains(vocab.toString()), e.getMessage());
    }

    private Path tinyVocab(String... tokens) throws IOException {
        Path p = Files.createTempFile(tmp, "vocab", ".txt");
        Files.write(p, List.of(tokens));
        return p;
    }

    /** Hugging Face's tokenizer given the whole text, for comparison with the cut one. */
    static HuggingFaceTokenizer wholeTextReference(Path tokenizerJsonDir, int maxSeqLen) throws IOException {
        return HuggingFaceTokenizer.builder()
                .optTokenizerPath(tokenizerJsonDir.resolve("tokenizer.json"))
                .optMaxLength(maxSeqLen)
                .optTruncation(true)
                .optPadToMaxLength()
                .build();
    }

    /** The row of the whole, uncut text: {@code [CLS]}, its first tokens, {@code [SEP]}, padding (id 0). */
    static int[] wholeTextRow(WordPieceTokenizer t, String text) {
        long[] all = t.wholeTextIds(text);
        int n = Math.min(all.length - 2, t.maxSeqLen() - 2);
        int[] row = new int[t.maxSeqLen()];
        row[0] = Math.toIntExact(all[0]);
        for (int i = 0; i < n; i++) row[1 + i] = Math.toIntExact(all[1 + i]);
        row[1 + n] = Math.toIntExact(all[all.length - 1]);
        return row;
    }

    static int[] ids(Encoding e) {
        return Arrays.stream(e.getIds()).mapToInt(Math::toIntExact).toArray();
    }

    /**
     * A 50 MB line once took gigabytes in the native tokenizer, or aborted the JVM: only the start that gives
     * the kept tokens is tokenized, with the ids of the whole text, also when its first characters give none.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aHugeTextIsCutToTheIdsOfTheWholeText() throws IOException, URISyntaxException {
        Path dir = tmp.resolve("json");
        String review =
                "This film's plot \u2014 a caf\u00E9 owner's odyssey \u2014 was AMAZING, 10/10!\n".repeat(10_000);
        String blankStart = "\u0001 ".repeat(20_000) + review; // the first prefixes give no token: it grows
        try (WordPieceTokenizer t = WordPieceTokenizer.builder(uncasedVocab())
                .maxSeqLen(128)
                .tokenizerJsonDir(dir)
                .build()) {
            for (String text : List.of(review, blankStart)) {
                int[] whole = wholeTextRow(t, text);
                assertArrayEquals(whole, t.encode(List.of(text)).wordIds());
                assertEquals(128, t.tokens(text).size());
            }
            String huge = review.repeat(64); // 52 MB
            EncodedBatch b = t.encode(List.of(huge, MOVIE));
            assertArrayEquals(t.encode(List.of(review)).wordIds(), Arrays.copyOf(b.wordIds(), 128));
        }
    }
}
