package dev.bertclf.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The corpus {@code tokenizer/tf-text-rules.tsv}: one text per rule of TF Text's {@code BertTokenizer} ({@link
 * BasicTokenizer}) and the word pieces the rule gives with Google's uncased vocabulary, written from the rules (not
 * from any tool's output), for the uncased path and for a cased model (no folding, same splitting).
 */
class TfTextRulesTest {
    /** The classes the corpus must cover: each way the tokenizers differed from TF Text, and the rules around. */
    private static final Set<String> CLASSES = Set.of(
            "special-tokens",
            "nfkc",
            "casefold",
            "accents",
            "control",
            "ignorable",
            "spaces",
            "unknown",
            "punctuation",
            "cjk",
            "long-word");

    private static WordPieceTokenizer uncased;
    private static WordPieceTokenizer cased;

    record Case(int line, String kind, boolean lowercase, String text, String tokens, String why) {
        @Override
        public String toString() {
            return "line " + line + " " + kind + " (" + (lowercase ? "uncased" : "cased") + "): " + why;
        }
    }

    @BeforeAll
    static void load() throws URISyntaxException {
        Path vocab = WordPieceTokenizerTest.uncasedVocab();
        uncased =
                WordPieceTokenizer.builder(vocab).lowercase(true).maxSeqLen(512).build();
        cased = WordPieceTokenizer.builder(vocab)
                .lowercase(false)
                .maxSeqLen(512)
                .build();
    }

    @AfterAll
    static void close() {
        uncased.close();
        cased.close();
    }

    static List<Case> corpus() throws IOException {
        List<Case> cases = new ArrayList<>();
        try (InputStream in = TfTextRulesTest.class.getResourceAsStream("/tokenizer/tf-text-rules.tsv")) {
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .toList();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.startsWith("#") || line.isBlank()) continue;
                String[] f = line.split("\t", -1);
                assertEquals(5, f.length, "line " + (i + 1) + " has 5 fields");
                assertTrue(f[1].equals("uncased") || f[1].equals("cased"), "line " + (i + 1));
                cases.add(new Case(i + 1, f[0], f[1].equals("uncased"), unescape(f[2]), unescape(f[3]), f[4]));
            }
        }
        return cases;
    }

    static Stream<Case> cases() throws IOException {
        return corpus().stream();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void tokensAreTfTextsByItsRules(Case c) {
        List<String> tokens = (c.lowercase() ? uncased : cased).tokens(c.text());
        assertEquals(c.tokens(), String.join(" ", tokens.subList(1, tokens.size() - 1)), c.toString());
    }

    @Test
    void theCorpusCoversEveryClassForBothCasings() throws IOException {
        Set<String> uncasedKinds = new TreeSet<>(), casedKinds = new TreeSet<>();
        for (Case c : corpus()) (c.lowercase() ? uncasedKinds : casedKinds).add(c.kind());
        assertEquals(new TreeSet<>(CLASSES), uncasedKinds);
        assertTrue(casedKinds.size() >= 6, "cased cases: " + casedKinds);
    }

    /** Older models keep Hugging Face's normaliser, which they were trained with (see {@link TokenizerJson}). */
    @Test
    void revisionTwoKeepsTheTokensOlderModelsWereTrainedWith() throws URISyntaxException {
        Path vocab = WordPieceTokenizerTest.uncasedVocab();
        try (WordPieceTokenizer old =
                WordPieceTokenizer.builder(vocab).revision(2).build()) {
            assertEquals(List.of("[CLS]", "who", "##\u00B4s", "[SEP]"), old.tokens("who\u00B4s"));
            assertEquals(List.of("[CLS]", "[UNK]", "[SEP]"), old.tokens("\uFF26\uFF35\uFF2C\uFF2C"));
            assertEquals(List.of("[CLS]", "next", "##word", "[SEP]"), old.tokens("next\u0000word"));
            assertEquals(List.of("[CLS]", "[", "cl", "##s", "]", "[SEP]"), old.tokens("[CLS]"));
        }
        assertEquals(List.of("[CLS]", "who", "s", "[SEP]"), uncased.tokens("who\u00B4s"));
    }

    private static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'u' -> {
                    out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                case 't' -> out.append('\t');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case '\\' -> out.append('\\');
                default -> throw new IllegalArgumentException("unknown escape \\" + e + " in " + s);
            }
        }
        return out.toString();
    }
}
