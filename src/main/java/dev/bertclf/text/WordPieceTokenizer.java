package dev.bertclf.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * BERT's WordPiece tokenization built from nothing but {@code vocab.txt}, through Hugging Face's Rust tokenizer
 * (DJL's binding): the same ids as Google's {@code tokenization.py} and TF Hub's preprocessing model, at native
 * speed and without Python. Texts longer than the model's sequence length are cut so that {@code [SEP]} still
 * ends them. ALBERT's SentencePiece model goes through the same class ({@link #sentencePieceBuilder}), so that
 * training and inference take either without knowing which.
 *
 * <p>A text is cut before it is tokenized, to a prefix that gives the very same ids: the tokenizer's time and memory
 * grow with the text (one huge line took many times its size and could abort the JVM), while only the first {@code
 * maxSeqLen - 2} tokens are kept. The cut ({@link #prefix}) is made after a space (U+0020) and before the start of a
 * word, the last such place within {@link #FIRST_CHARS_PER_TOKEN} characters per token of the start. Both normalisers
 * (BERT's cleaning, CJK spacing, lower case and NFD accent stripping; SentencePiece's NFKD, character map per grapheme
 * and space folding) act on characters, on graphemes (a space then a word start is a grapheme boundary) or on runs of
 * spaces (wholly inside the prefix), and both pre-tokenizers split at a space; so the prefix's tokens are those of
 * every word before the cut, then for SentencePiece one lone {@code ▁}. When the prefix still overflows the sequence,
 * those words alone give at least the {@code maxSeqLen - 2} kept tokens, which are thus the uncut text's. When it does
 * not (a text of characters that normalise to nothing), the prefix grows, up to {@link #MAX_CHARS_PER_TOKEN} characters
 * per token. Only a text with no space at all in that many characters (no prose) is cut without one, at a code point
 * boundary, which can change the tokens of the word that is cut.
 *
 * <p>Holds native memory: close it.
 */
public final class WordPieceTokenizer implements AutoCloseable {

    /** How a batch is padded. */
    public enum Padding {
        /** Every row is {@code maxSeqLen} long: the fixed shape training graphs and exported models expect. */
        TO_MAX_LENGTH,
        /** Rows are as long as the batch's longest text: less work for inference on short texts. */
        TO_LONGEST
    }

    /** The characters per token of the first prefix tokenized; prose has about 5. */
    static final int FIRST_CHARS_PER_TOKEN = 16;
    /** The most characters per token ever tokenized ({@code Utf8TextReader.MAX_TEXT_BYTES} reads this many). */
    public static final int MAX_CHARS_PER_TOKEN = 1024;

    private static final int GROWTH = 8;

    private final HuggingFaceTokenizer tokenizer;
    private final int maxSeqLen;
    private final Padding padding;

    private WordPieceTokenizer(HuggingFaceTokenizer tokenizer, int maxSeqLen, Padding padding) {
        this.tokenizer = tokenizer;
        this.maxSeqLen = maxSeqLen;
        this.padding = padding;
    }

    /** A tokenizer that pads every text to {@code maxSeqLen}. */
    public static WordPieceTokenizer fromVocab(Path vocabTxt, boolean lowercase, int maxSeqLen) {
        return builder(vocabTxt).lowercase(lowercase).maxSeqLen(maxSeqLen).build();
    }

    public static Builder builder(Path vocabTxt) {
        return new Builder(vocabTxt, false);
    }

    /** Options of a tokenizer from a SentencePiece unigram model, such as ALBERT's {@code 30k-clean.model}. */
    public static Builder sentencePieceBuilder(Path spModel) {
        return new Builder(spModel, true);
    }

    /** Options of a tokenizer from either kind of vocabulary, for callers that carry the kind as data. */
    public static Builder builder(Path vocabulary, boolean sentencePiece) {
        return new Builder(vocabulary, sentencePiece);
    }

    /**
     * A SentencePiece model is a binary {@code .model} file (ALBERT's {@code 30k-clean.model}); WordPiece's is text.
     */
    public static boolean isSentencePiece(Path vocabulary) {
        return vocabulary.getFileName().toString().endsWith(".model");
    }

    /** Encodes the texts as one batch; each row is {@code [CLS] text [SEP]}, truncated to {@code maxSeqLen}. */
    public EncodedBatch encode(List<String> texts) {
        texts.forEach(t -> Objects.requireNonNull(t, "texts must not contain null"));
        if (texts.isEmpty()) {
            int seqLen = padding == Padding.TO_MAX_LENGTH ? maxSeqLen : 0;
            return new EncodedBatch(0, seqLen, new int[0], new int[0], new int[0]);
        }
        List<String> cut =
                texts.stream().map(t -> prefix(t, firstWindow(), maxWindow())).toList();
        // One native call for the whole batch: Rust encodes it in parallel (measured faster than a loop).
        Encoding[] encodings = tokenizer.batchEncode(cut);
        List<String> grown = new ArrayList<>(cut);
        boolean anyGrown = false;
        for (int i = 0; i < encodings.length; i++) {
            if (!encodings[i].exceedMaxLength()
                    && cut.get(i).length() < texts.get(i).length()) {
                grown.set(i, enoughOf(texts.get(i)));
                anyGrown = true;
            }
        }
        if (anyGrown) encodings = tokenizer.batchEncode(grown); // rare; again as one batch, for one padded length
        int seqLen = encodings[0].getIds().length;
        int n = texts.size() * seqLen;
        int[] wordIds = new int[n];
        int[] mask = new int[n];
        int[] typeIds = new int[n];
        for (int row = 0; row < encodings.length; row++) {
            Encoding e = encodings[row];
            if (e.getIds().length != seqLen) {
                throw new IllegalStateException(
                        "tokenizer returned rows of different lengths: " + seqLen + " and " + e.getIds().length);
            }
            copyInts(e.getIds(), wordIds, row * seqLen);
            copyInts(e.getAttentionMask(), mask, row * seqLen);
            copyInts(e.getTypeIds(), typeIds, row * seqLen);
        }
        return new EncodedBatch(texts.size(), seqLen, wordIds, mask, typeIds);
    }

    /** The WordPiece tokens the model sees for one text, {@code [CLS]} and {@code [SEP]} included, padding not. */
    public List<String> tokens(String text) {
        Encoding e = tokenizer.encode(enoughOf(Objects.requireNonNull(text, "text")));
        String[] tokens = e.getTokens();
        long[] mask = e.getAttentionMask();
        List<String> real = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            if (mask[i] != 0) real.add(tokens[i]);
        }
        return real;
    }

    /** The shortest prefix tried, growing, that overflows the sequence; the whole text if none does. */
    private String enoughOf(String text) {
        int window = firstWindow();
        String cut = prefix(text, window, maxWindow());
        while (cut.length() < text.length()
                && window < maxWindow()
                && !tokenizer.encode(cut).exceedMaxLength()) {
            window = Math.min(window * GROWTH, maxWindow());
            cut = prefix(text, window, maxWindow());
        }
        return cut;
    }

    private int firstWindow() {
        return maxSeqLen * FIRST_CHARS_PER_TOKEN;
    }

    private int maxWindow() {
        return maxSeqLen * MAX_CHARS_PER_TOKEN;
    }

    /**
     * The text up to its last word start after a space within {@code window} characters, else up to its first one
     * within {@code limit}, else up to {@code limit} (one code point less if that would split a surrogate pair).
     */
    static String prefix(String text, int window, int limit) {
        if (text.length() <= window) return text;
        for (int p = window; p > 0; p--) {
            if (wordStartAfterSpace(text, p)) return text.substring(0, p);
        }
        for (int p = window + 1; p < Math.min(text.length(), limit); p++) {
            if (wordStartAfterSpace(text, p)) return text.substring(0, p);
        }
        if (text.length() <= limit) return text;
        return text.substring(0, Character.isHighSurrogate(text.charAt(limit - 1)) ? limit - 1 : limit);
    }

    private static boolean wordStartAfterSpace(String text, int p) {
        return text.charAt(p - 1) == ' ' && startsWord(text.codePointAt(p));
    }

    /**
     * Not a space, nor a character that may join the one before it into one grapheme: a mark, a joiner, an emoji
     * modifier, Thai and Lao SARA AM (letters that are spacing marks).
     */
    private static boolean startsWord(int c) {
        return switch (Character.getType(c)) {
            case Character.SPACE_SEPARATOR,
                    Character.NON_SPACING_MARK,
                    Character.ENCLOSING_MARK,
                    Character.COMBINING_SPACING_MARK,
                    Character.FORMAT,
                    Character.SURROGATE,
                    Character.CONTROL,
                    Character.MODIFIER_SYMBOL -> false;
            default -> c != 0x0E33 && c != 0x0EB3;
        };
    }

    public int maxSeqLen() {
        return maxSeqLen;
    }

    public Padding padding() {
        return padding;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    private static void copyInts(long[] from, int[] to, int offset) {
        for (int i = 0; i < from.length; i++) to[offset + i] = Math.toIntExact(from[i]);
    }

    /** Options of a tokenizer; only the vocabulary is required. */
    public static final class Builder {
        private final Path vocabTxt;
        private final boolean sentencePiece;
        private boolean lowercase = true;
        private int maxSeqLen = 128;
        private Padding padding = Padding.TO_MAX_LENGTH;
        private Path jsonDir;

        private Builder(Path vocabTxt, boolean sentencePiece) {
            this.vocabTxt = Objects.requireNonNull(vocabTxt, "vocabTxt");
            this.sentencePiece = sentencePiece;
        }

        /** True for "uncased" models (the default); also strips accents, as Google's uncased BERT does. */
        public Builder lowercase(boolean lowercase) {
            this.lowercase = lowercase;
            return this;
        }

        /** Sequence length including {@code [CLS]} and {@code [SEP]}; 128 by default. */
        public Builder maxSeqLen(int maxSeqLen) {
            if (maxSeqLen < 2) {
                throw new IllegalArgumentException("maxSeqLen must leave room for [CLS] and [SEP], got " + maxSeqLen);
            }
            this.maxSeqLen = maxSeqLen;
            return this;
        }

        public Builder padding(Padding padding) {
            this.padding = Objects.requireNonNull(padding, "padding");
            return this;
        }

        /** Pads a batch only to its longest text. */
        public Builder padToLongest() {
            return padding(Padding.TO_LONGEST);
        }

        /**
         * Keeps the generated {@code tokenizer.json} in this folder (for instance next to an exported model, so
         * that other Hugging Face tools load the same tokenizer); by default it goes to a temp file, deleted once
         * loaded.
         */
        public Builder tokenizerJsonDir(Path dir) {
            this.jsonDir = dir;
            return this;
        }

        public WordPieceTokenizer build() {
            try {
                if (jsonDir != null) {
                    Path json = jsonDir.resolve("tokenizer.json");
                    writeJson(json);
                    return load(json);
                }
                Path json = Files.createTempFile("bert-clf-tokenizer-", ".json");
                try {
                    writeJson(json);
                    return load(json);
                } finally {
                    Files.deleteIfExists(json);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot build a tokenizer from " + vocabTxt + ": " + e.getMessage(), e);
            }
        }

        private void writeJson(Path json) throws IOException {
            if (sentencePiece) {
                TokenizerJson.write(SentencePieceModel.read(vocabTxt), lowercase, json);
            } else {
                TokenizerJson.write(Vocabulary.read(vocabTxt), lowercase, json);
            }
        }

        private WordPieceTokenizer load(Path json) throws IOException {
            HuggingFaceTokenizer.Builder b = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(json)
                    .optMaxLength(maxSeqLen)
                    .optTruncation(true);
            if (padding == Padding.TO_MAX_LENGTH) {
                b.optPadToMaxLength();
            } else {
                b.optPadding(true);
            }
            return new WordPieceTokenizer(b.build(), maxSeqLen, padding);
        }
    }
}
