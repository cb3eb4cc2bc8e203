package dev.bertclf.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.runtime.FileUtil;
import dev.bertclf.testutil.TinySentencePiece;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Tokenizer input is untrusted text: any string must give exactly {@code maxSeqLen} ids without a crash, and the
 * cut made before tokenizing ({@link WordPieceTokenizer#prefix}) must give the ids of the uncut text. Short
 * sequences make the cut land near every kind of boundary; the reference is the same tokenizer given the whole
 * text ({@link WordPieceTokenizer#wholeTextIds}). The revision-2 tokenizer (Hugging Face's own normaliser, which
 * older models keep) is checked too.
 */
class WordPieceTokenizerFuzzTest {
    private static final int SEQ = 8;
    private static final String[] FRAGMENTS = {
        "movie",
        "the",
        "amazing",
        "was",
        "great",
        "!",
        ",",
        ".",
        "1,",
        "``",
        "''",
        "\"",
        " ",
        "  ",
        "   ",
        "\t",
        "\n",
        "\r\n",
        "\u00A0",
        "\u3000",
        "caf\u00E9",
        "cafe\u0301",
        " \u0301",
        "\u0301",
        "\u20DD",
        "\u200D",
        "\u200C",
        "\uD83D\uDC4D\uD83C\uDFFD",
        "\uD83D\uDC69\u200D\uD83D\uDCBB",
        "\u4E2D\u6587",
        "\u0E01\u0E33",
        " \u0E33",
        "\u0001",
        "\u001C",
        "\u007F",
        "\uFFFD",
        "\u0600 ",
        "\u03A3",
        "\u0130",
        "x".repeat(120),
        "\u00DF",
        "\uFB01",
        "\u1100\u1161",
        "\u0915\u094D\u0937",
        "\u00AD",
        "\u200B",
        "\u2028",
        "\u1680",
        "\uE000",
        "\u00B4",
        "\uFF26\uFF35",
        "\u00BD",
        "\u0000",
        "\u000B",
        "\u000C",
        "\u0085",
        "\u0434".repeat(51),
        "\u0434".repeat(50)
    };

    private static Path dir;
    private static List<WordPieceTokenizer> tokenizers;
    private static List<WordPieceTokenizer> tails;
    private static List<WordPieceTokenizer> headTails;

    @BeforeContainer
    static void load() throws IOException, URISyntaxException {
        dir = Files.createTempDirectory("tokenizer-fuzz-");
        Path vocab = Path.of(WordPieceTokenizerFuzzTest.class
                .getResource("/vocab-bert-uncased.txt")
                .toURI());
        Path sp = Files.write(
                dir.resolve("30k-clean.model"), TinySentencePiece.model(TinySentencePiece.albertLikePieces(), 1));
        tokenizers = new ArrayList<>();
        tails = new ArrayList<>();
        headTails = new ArrayList<>();
        add(WordPieceTokenizer.builder(vocab).lowercase(true), "uncased");
        add(WordPieceTokenizer.builder(vocab).lowercase(false), "cased");
        add(WordPieceTokenizer.builder(vocab).lowercase(true).revision(2), "uncased-revision-2");
        add(WordPieceTokenizer.sentencePieceBuilder(sp).lowercase(true), "sp");
        add(WordPieceTokenizer.sentencePieceBuilder(sp).lowercase(false), "sp-cased");
    }

    private static void add(WordPieceTokenizer.Builder b, String name) throws IOException {
        Path json = Files.createDirectories(dir.resolve(name));
        tokenizers.add(b.maxSeqLen(SEQ).tokenizerJsonDir(json).build());
        tails.add(b.truncation(Truncation.TAIL).build());
        headTails.add(b.truncation(Truncation.HEAD_TAIL).build());
    }

    @AfterContainer
    static void close() throws IOException {
        tokenizers.forEach(WordPieceTokenizer::close);
        tails.forEach(WordPieceTokenizer::close);
        headTails.forEach(WordPieceTokenizer::close);
        FileUtil.deleteTree(dir);
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.of(FRAGMENTS).list().ofMinSize(20).ofMaxSize(400).map(parts -> String.join("", parts) + " ");
    }

    @Provide
    Arbitrary<String> textsWithSpecialTokens() {
        List<String> parts = new ArrayList<>(List.of(FRAGMENTS));
        parts.addAll(List.of("[CLS]", "[SEP]", "[MASK]", "[PAD]", "[UNK]", "[cls]", " [SEP] ", "<pad>", "[CLS][SEP]"));
        return Arbitraries.of(parts).list().ofMinSize(1).ofMaxSize(40).map(p -> String.join("", p));
    }

    /**
     * A user's text never makes a special token: "[CLS] [SEP] [MASK]" in a review is words to TF Text's
     * BertTokenizer (and Model Garden's FullTokenizer), once it was the special ids here. Only the template's first
     * [CLS] and closing [SEP] are special; [PAD] only pads.
     */
    @Property(tries = 300)
    void specialTokenStringsInTextNeverGiveSpecialIds(@ForAll("textsWithSpecialTokens") String text) {
        for (int i = 0; i < tokenizers.size(); i++) {
            long[] template = tokenizers.get(i).wholeTextIds(""); // [CLS] [SEP]
            long[] ids = tokenizers.get(i).wholeTextIds(text);
            assertEquals(template[0], ids[0], "tokenizer " + i);
            assertEquals(template[1], ids[ids.length - 1], "tokenizer " + i);
            for (int j = 1; j < ids.length - 1; j++) {
                long id = ids[j];
                assertTrue(id != template[0] && id != template[1], "tokenizer " + i + ": a special id from " + text);
                if (i < 3) { // WordPiece: [PAD] 0, [MASK] 103 in the uncased vocabulary (the cased tokenizers share it)
                    assertTrue(id != 0 && id != 103, "tokenizer " + i + ": [PAD] or [MASK] from " + text);
                }
            }
        }
    }

    @Property(tries = 200)
    void cutTextsGiveTheIdsOfTheWholeText(@ForAll("texts") String text) {
        for (int i = 0; i < tokenizers.size(); i++) {
            long[] ids = tokenizers.get(i).wholeTextIds(text);
            int pad = tokenizers.get(i).encode(List.of("")).wordIds()[2];
            assertArrayEquals(
                    expected(ids, Math.min(ids.length - 2, SEQ - 2), 0, pad),
                    tokenizers.get(i).encode(List.of(text)).wordIds(),
                    "tokenizer " + i);
        }
    }

    /**
     * The suffix cut made for a truncation that keeps a text's end ({@link WordPieceTokenizer#suffix}) gives the
     * last tokens of the uncut text: tail keeps its last {@code SEQ - 2}, head+tail its first {@code (SEQ - 2) / 4}
     * and the rest from its end, as picked here from the whole text's tokens.
     */
    @Property(tries = 200)
    void cutEndsGiveTheLastIdsOfTheWholeText(@ForAll("texts") String text) {
        int room = SEQ - 2;
        for (int i = 0; i < tokenizers.size(); i++) {
            long[] ids = tokenizers.get(i).wholeTextIds(text);
            int n = ids.length - 2;
            int pad = tokenizers.get(i).encode(List.of("")).wordIds()[2];
            int head = n <= room ? n : room / 4;
            int tail = Math.min(n, room) - head;
            assertArrayEquals(
                    expected(ids, 0, Math.min(n, room), pad),
                    tails.get(i).encode(List.of(text)).wordIds());
            assertArrayEquals(
                    expected(ids, head, tail, pad),
                    headTails.get(i).encode(List.of(text)).wordIds());
        }
    }

    /**
     * {@code [CLS]}, the first {@code head} and last {@code tail} of the whole text's tokens, {@code [SEP]}, padding.
     */
    private static int[] expected(long[] whole, int head, int tail, int pad) {
        int n = whole.length - 2;
        int[] row = new int[SEQ];
        Arrays.fill(row, pad);
        int at = 0;
        row[at++] = (int) whole[0];
        for (int k = 0; k < head; k++) row[at++] = (int) whole[1 + k];
        for (int k = n - tail; k < n; k++) row[at++] = (int) whole[1 + k];
        row[at] = (int) whole[whole.length - 1];
        return row;
    }

    /** Any string, lone surrogates, controls and long runs included, gives exactly maxSeqLen ids. */
    @Property(tries = 200)
    void anyStringGivesMaxSeqLenIds(@ForAll String text, @ForAll("runs") String run) {
        for (WordPieceTokenizer t : concat(tokenizers, tails, headTails)) {
            EncodedBatch b = t.encode(List.of(text, run, text + run));
            assertEquals(3, b.batchSize());
            assertEquals(SEQ, b.seqLen());
            assertEquals(SEQ * 3, b.wordIds().length);
        }
    }

    @SafeVarargs
    private static List<WordPieceTokenizer> concat(List<WordPieceTokenizer>... lists) {
        return Arrays.stream(lists).flatMap(List::stream).toList();
    }

    @Provide
    Arbitrary<String> runs() {
        return Arbitraries.chars()
                .flatMap(c -> Arbitraries.integers().between(0, 5000).map(n -> String.valueOf(c)
                        .repeat(n)));
    }
}
