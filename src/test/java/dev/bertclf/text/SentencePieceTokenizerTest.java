package dev.bertclf.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.bertclf.runtime.DataException;
import dev.bertclf.testutil.TinySentencePiece;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class SentencePieceTokenizerTest {
    private static final String W = "\u2581";

    @TempDir
    Path tmp;

    private Path model() throws IOException {
        return Files.write(
                tmp.resolve("30k-clean.model"), TinySentencePiece.model(TinySentencePiece.albertLikePieces(), 1));
    }

    private WordPieceTokenizer tokenizer(int maxSeqLen) throws IOException {
        return WordPieceTokenizer.sentencePieceBuilder(model())
                .maxSeqLen(maxSeqLen)
                .build();
    }

    @Test
    void readsPiecesScoresAndTypes() throws IOException {
        SentencePieceModel sp = SentencePieceModel.read(model());
        assertEquals(21, sp.pieces().size());
        assertEquals(1, sp.unkId());
        assertEquals(
                new SentencePieceModel.Piece(W + "amaz", -2f, SentencePieceModel.Type.NORMAL),
                sp.pieces().get(9));
        assertEquals(
                SentencePieceModel.Type.USER_DEFINED,
                sp.pieces().get(sp.id("[MASK]")).type());
        assertEquals(0, sp.precompiledCharsmap().length);
    }

    @Test
    void viterbiPicksTheBestSegmentationInsideClsAndSep() throws IOException {
        try (WordPieceTokenizer t = tokenizer(16)) {
            // ▁amaz + ing (-3.2) beats ▁amazing (-8).
            assertEquals(
                    List.of("[CLS]", W + "the", W + "movie", W + "was", W + "amaz", "ing", "!", "[SEP]"),
                    t.tokens("The movie was amazing!"));
            EncodedBatch b = t.encode(List.of("The movie was amazing!", "great"));
            assertEquals(16, b.seqLen());
            assertArrayEquals(
                    new int[] {2, 6, 7, 8, 9, 10, 12, 3, 0, 0, 0, 0, 0, 0, 0, 0},
                    Arrays.copyOfRange(b.wordIds(), 0, 16));
            assertArrayEquals(new int[] {2, 20, 3, 0}, Arrays.copyOfRange(b.wordIds(), 16, 20));
            assertEquals(8, b.length(0));
            assertEquals(3, b.length(1));
            assertEquals(0, Arrays.stream(b.typeIds()).sum());
        }
    }

    @Test
    void normalisesLikeAlbertConverter() throws IOException {
        try (WordPieceTokenizer t = tokenizer(16)) {
            // NFKD + accents stripped + lower case.
            assertEquals(List.of("[CLS]", W + "the", W + "cafe", "[SEP]"), t.tokens("THE  Café"));
            // `` and '' read as ".
            assertEquals(List.of("[CLS]", W + "\"", "the", "\"", "[SEP]"), t.tokens("``the''"));
            // A digit before a comma: ▁1, is 100 less likely, so 1 and , split.
            assertEquals(List.of("[CLS]", W + "1", ",", "[SEP]"), t.tokens("1,"));
            // Characters no piece covers get <unk>'s id (the token text stays the original characters).
            assertArrayEquals(
                    new int[] {2, 6, 5, 1, 3},
                    Arrays.copyOf(t.encode(List.of("the xyz")).wordIds(), 5));
        }
    }

    @Test
    void truncatesKeepingSepAndPadsWithPadId() throws IOException {
        try (WordPieceTokenizer t = tokenizer(6)) {
            EncodedBatch b = t.encode(List.of("the movie was amazing", "the"));
            assertArrayEquals(new int[] {2, 6, 7, 8, 9, 3, 2, 6, 3, 0, 0, 0}, b.wordIds());
            assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0}, b.mask());
        }
    }

    @Test
    void pairsGetTypeIdOneAfterTheFirstSep() throws IOException {
        Path json = tmp.resolve("tokenizer.json");
        TokenizerJson.write(SentencePieceModel.read(model()), true, json);
        try (HuggingFaceTokenizer hf =
                HuggingFaceTokenizer.builder().optTokenizerPath(json).build()) {
            Encoding e = hf.encode("the movie", "great!");
            assertArrayEquals(new long[] {2, 6, 7, 3, 20, 12, 3}, e.getIds());
            assertArrayEquals(new long[] {0, 0, 0, 0, 1, 1, 1}, e.getTypeIds());
        }
        assertTrue(Files.readString(json, StandardCharsets.UTF_8).contains("\"Unigram\""));
    }

    @Test
    void refusesBpeModelsAndOtherFiles() throws IOException {
        Path bpe =
                Files.write(tmp.resolve("bpe.model"), TinySentencePiece.model(TinySentencePiece.albertLikePieces(), 2));
        String message = assertThrows(DataException.class, () -> SentencePieceModel.read(bpe))
                .getMessage();
        assertTrue(message.contains("only unigram"), message);
        Path text = Files.writeString(tmp.resolve("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\nthe\n");
        message = assertThrows(DataException.class, () -> SentencePieceModel.read(text))
                .getMessage();
        assertTrue(message.contains("is not a SentencePiece model"), message);
    }

    /** As for WordPiece: a huge text is cut before the unigram model sees it, to the ids of the whole text. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aHugeTextIsCutToTheIdsOfTheWholeText() throws IOException {
        Path dir = tmp.resolve("json");
        String review = "The  movie was ``amazing'' 1, great\u0301 caf\u00E9!\n".repeat(50_000);
        try (WordPieceTokenizer t = WordPieceTokenizer.sentencePieceBuilder(model())
                        .maxSeqLen(64)
                        .tokenizerJsonDir(dir)
                        .build();
                HuggingFaceTokenizer whole = WordPieceTokenizerTest.wholeTextReference(dir, 64)) {
            assertArrayEquals(
                    WordPieceTokenizerTest.ids(whole.encode(review)),
                    t.encode(List.of(review)).wordIds());
            EncodedBatch b = t.encode(List.of(review.repeat(20), "great")); // 50 MB
            assertArrayEquals(t.encode(List.of(review)).wordIds(), Arrays.copyOf(b.wordIds(), 64));
        }
    }
}
