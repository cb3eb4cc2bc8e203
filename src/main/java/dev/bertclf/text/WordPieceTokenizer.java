package dev.bertclf.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.bertclf.runtime.BertClfHome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BERT's WordPiece tokenization built from nothing but {@code vocab.txt}: the same ids as TF Hub's preprocessing
 * model (TF Text's {@code BertTokenizer}), without Python. Words are split as TF Text splits them ({@link
 * BasicTokenizer}, which says each step and its source), then Hugging Face's Rust WordPiece (DJL's binding) finds
 * their pieces, a batch at a time in parallel. Models recorded with an older {@link TokenizerJson#REVISION} keep
 * the tokenization they were trained with ({@link Builder#revision}). Texts longer than the model's sequence keep
 * the tokens their {@link Truncation} says, between {@code [CLS]} and {@code [SEP]}, or are scored in
 * {@link #encodeWindows windows}. ALBERT's SentencePiece model goes through the same class
 * ({@link #sentencePieceBuilder}), so that training and inference take either without knowing which.
 *
 * <p>A text is cut before it is tokenized, to a prefix (and, for a truncation that keeps its end, a suffix) that
 * gives the very same tokens: the tokenizer's time and memory grow with the text (one huge line took many times its
 * size and could abort the JVM), while only the first and last {@code maxSeqLen - 2} tokens can be kept. The prefix
 * cut ({@link #prefix}) is made after a space (U+0020) and before the start of a word, the last such place within
 * {@link #FIRST_CHARS_PER_TOKEN} characters per token of the start; the suffix cut ({@link #suffix}) at the first
 * such place within as many characters of the end. Every normaliser (TF Text's NFKC case folding, NFD and mark
 * removal, or the older revisions' cleaning, CJK spacing, lower case and accent stripping; SentencePiece's NFKD,
 * character map per grapheme and space folding) acts on characters, on graphemes (a space then a word start is a
 * grapheme boundary, and no normal form composes a space with what follows) or on runs of spaces (wholly inside the
 * prefix or outside the suffix), and every pre-tokenizer splits at a space (SentencePiece marks every word start,
 * the text's first included, with {@code ▁}); so the prefix's tokens are those of every word before the cut, then for
 * SentencePiece one lone {@code ▁}, and the suffix's those of every word after it. When a part still has more tokens
 * than needed, those words alone give at least the kept tokens, which are thus the uncut text's. When it does not (a
 * text of characters that normalise to nothing), the part grows, up to {@link #MAX_CHARS_PER_TOKEN} characters per
 * token. Only a text with no space at all in that many characters (no prose) is cut without one, at a code point
 * boundary, which can change the tokens of the word that is cut.
 *
 * <p>Holds native memory: close it.
 */
public final class WordPieceTokenizer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WordPieceTokenizer.class);

    /** How a batch is padded. */
    public enum Padding {
        /** Every row is {@code maxSeqLen} long: the fixed shape training graphs and exported models expect. */
        TO_MAX_LENGTH,
        /** Rows are as long as the batch's longest text: less work for inference on short texts. */
        TO_LONGEST
    }

    /**
     * Windows of a batch of texts, row after row, and how many rows each text has (its windows are consecutive).
     *
     * @param capped how many texts had more windows than allowed and were scored on their first windows only
     */
    public record Windowed(EncodedBatch batch, int[] windows, int capped) {}

    /** The characters per token of the first prefix tokenized; prose has about 5. */
    static final int FIRST_CHARS_PER_TOKEN = 16;
    /** The most characters per token ever tokenized ({@code Utf8TextReader.MAX_TEXT_BYTES} reads this many). */
    public static final int MAX_CHARS_PER_TOKEN = 1024;

    private static final int GROWTH = 8;

    /** A word Hugging Face's WordPiece makes {@code [UNK]} (more than its 100 characters): TF Text's long word. */
    private static final String UNKNOWN_WORD = "?".repeat(BasicTokenizer.MAX_BYTES_PER_WORD + 1);

    /** Untruncated, unpadded, with {@code [CLS]} and {@code [SEP]}: the rows are assembled here. */
    private final HuggingFaceTokenizer tokenizer;

    private final int maxSeqLen;
    private final Padding padding;
    private final Truncation truncation;
    private final int padId;
    private final Encoding empty;
    /** TF Text's word splitting; null where Hugging Face's own normaliser and pre-tokenizer split. */
    private final BasicTokenizer words;

    private WordPieceTokenizer(
            HuggingFaceTokenizer tokenizer,
            int maxSeqLen,
            Padding padding,
            Truncation truncation,
            int padId,
            BasicTokenizer words) {
        this.tokenizer = tokenizer;
        this.maxSeqLen = maxSeqLen;
        this.padding = padding;
        this.truncation = truncation;
        this.padId = padId;
        this.words = words;
        this.empty = tokenizer.encode("");
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

    /**
     * Encodes the texts as one batch; each row is {@code [CLS] text [SEP]}, the text's tokens kept by the {@link
     * Truncation} when there are more than {@code maxSeqLen - 2}.
     */
    public EncodedBatch encode(List<String> texts) {
        texts.forEach(t -> Objects.requireNonNull(t, "texts must not contain null"));
        int room = room();
        int tailNeed = truncation == Truncation.HEAD ? 0 : room;
        int headNeed = truncation == Truncation.TAIL ? 0 : room;
        List<Parts> parts = parts(texts, headNeed, tailNeed);
        List<List<Slice>> rows = new ArrayList<>(parts.size());
        for (Parts p : parts) rows.add(kept(p));
        return assemble(rows);
    }

    /**
     * Encodes every text as its windows ({@link TokenWindows}) of {@code maxSeqLen - 2} tokens, {@code stride}
     * tokens apart, at most {@code maxWindows} per text: a text with more tokens than those windows cover is scored
     * on its start only (counted in {@link Windowed#capped}), so that one huge text cannot take all memory.
     */
    public Windowed encodeWindows(List<String> texts, int stride, int maxWindows) {
        texts.forEach(t -> Objects.requireNonNull(t, "texts must not contain null"));
        if (maxWindows < 1) throw new IllegalArgumentException("maxWindows must be at least 1, got " + maxWindows);
        int room = room();
        long covered = TokenWindows.coveredTokens(maxWindows, room, stride);
        int need = Math.toIntExact(Math.min(covered, Integer.MAX_VALUE / MAX_CHARS_PER_TOKEN / 2));
        List<Parts> parts = parts(texts, need, 0);
        List<List<Slice>> rows = new ArrayList<>();
        int[] windows = new int[texts.size()];
        int capped = 0;
        for (int i = 0; i < parts.size(); i++) {
            Parts p = parts.get(i);
            int n = content(p.first());
            if (n > need) {
                n = need;
                capped++;
            }
            int[] starts = TokenWindows.starts(n, room, stride);
            windows[i] = starts.length;
            for (int start : starts) rows.add(List.of(new Slice(p.first(), start, Math.min(n, start + room))));
        }
        if (capped > 0) {
            log.warn(
                    "{} text(s) had more than {} windows of {} tokens: only their first {} tokens were scored",
                    capped,
                    maxWindows,
                    room,
                    need);
        }
        return new Windowed(assemble(rows), windows, capped);
    }

    /** The WordPiece tokens the model sees for one text, {@code [CLS]} and {@code [SEP]} included, padding not. */
    public List<String> tokens(String text) {
        Objects.requireNonNull(text, "text");
        int room = room();
        Parts p = parts(
                        List.of(text),
                        truncation == Truncation.TAIL ? 0 : room,
                        truncation == Truncation.HEAD ? 0 : room)
                .get(0);
        List<String> tokens = new ArrayList<>();
        tokens.add(empty.getTokens()[0]);
        for (Slice s : kept(p)) {
            String[] all = s.encoding().getTokens();
            for (int i = s.from(); i < s.to(); i++) tokens.add(all[1 + i]);
        }
        tokens.add(empty.getTokens()[1]);
        return tokens;
    }

    /**
     * Every id of the whole text, uncut and untruncated, {@code [CLS]} and {@code [SEP]} included: what the cut
     * texts must give (tests compare), slow and unbounded on a huge text.
     */
    long[] wholeTextIds(String text) {
        return tokenizer.encode(split(text)).getIds();
    }

    /** Content tokens {@code [from, to)} of an encoding (0 is the token after {@code [CLS]}). */
    private record Slice(Encoding encoding, int from, int to) {
        int length() {
            return to - from;
        }
    }

    /**
     * What was tokenized of one text: its start (at least as many tokens as needed, when it has them) and its end;
     * both the same encoding of the whole text when it was short enough.
     */
    private record Parts(Encoding first, Encoding last, boolean whole) {}

    /** The tokens the truncation keeps, as at most two slices. */
    private List<Slice> kept(Parts p) {
        int room = room();
        if (p.whole()) {
            int n = content(p.first());
            int h = truncation.headTokens(n, room);
            int t = truncation.tailTokens(n, room);
            return List.of(new Slice(p.first(), 0, h), new Slice(p.first(), n - t, n));
        }
        int h = Math.min(truncation.headTokens(Integer.MAX_VALUE, room), content(p.first()));
        int lastN = content(p.last());
        int t = Math.min(truncation.tailTokens(Integer.MAX_VALUE, room), lastN);
        return List.of(new Slice(p.first(), 0, h), new Slice(p.last(), lastN - t, lastN));
    }

    /**
     * Each text's first {@code headNeed} and last {@code tailNeed} tokens, from a prefix and a suffix that give the
     * same tokens as the whole text, or the whole text when one of them is the whole text. The first parts of all
     * texts are encoded in one native call (Rust encodes a batch in parallel: measured faster than a loop), then each
     * part that had too few tokens grows on its own (rare).
     */
    private List<Parts> parts(List<String> texts, int headNeed, int tailNeed) {
        End[] first = headNeed > 0 ? ends(texts, headNeed, true) : null;
        End[] last = null;
        if (tailNeed > 0) {
            List<String> rest = new ArrayList<>(texts);
            if (first != null) { // no need for the end of a text already tokenized whole
                for (int i = 0; i < first.length; i++) if (first[i].whole()) rest.set(i, "");
            }
            last = ends(rest, tailNeed, false);
        }
        List<Parts> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            if (first != null && first[i].whole()) {
                out.add(new Parts(first[i].encoding(), first[i].encoding(), true));
            } else if (last != null && last[i].whole()) {
                out.add(new Parts(last[i].encoding(), last[i].encoding(), true));
            } else {
                out.add(new Parts(
                        first != null ? first[i].encoding() : empty, last != null ? last[i].encoding() : empty, false));
            }
        }
        return out;
    }

    /** The encoding of a prefix or suffix of a text, and whether that is the whole text. */
    private record End(Encoding encoding, boolean whole) {}

    /** For each text, the encoding of its shortest prefix (or suffix) tried, growing, with more than {@code need}. */
    private End[] ends(List<String> texts, int need, boolean start) {
        int window = window(need, FIRST_CHARS_PER_TOKEN), limit = window(need, MAX_CHARS_PER_TOKEN);
        List<String> cut = texts.stream().map(t -> end(t, window, limit, start)).toList();
        Encoding[] encodings =
                tokenizer.batchEncode(cut.stream().map(this::split).toList());
        End[] out = new End[encodings.length];
        for (int i = 0; i < encodings.length; i++) {
            String text = texts.get(i), part = cut.get(i);
            Encoding e = encodings[i];
            for (int w = window; content(e) <= need && part.length() < text.length() && w < limit; ) {
                w = (int) Math.min((long) w * GROWTH, limit);
                part = end(text, w, limit, start);
                e = tokenizer.encode(split(part));
            }
            out[i] = new End(e, part.length() == text.length());
        }
        return out;
    }

    /** What Hugging Face's tokenizer is given: the words TF Text finds, or the text as it is for older revisions. */
    private String split(String text) {
        return words == null ? text : words.wordsLine(text, UNKNOWN_WORD);
    }

    private static String end(String text, int window, int limit, boolean start) {
        return start ? prefix(text, window, limit) : suffix(text, window, limit);
    }

    private static int window(int need, int charsPerToken) {
        return (int) Math.min((long) (need + 2) * charsPerToken, Integer.MAX_VALUE - 2);
    }

    private int room() {
        return maxSeqLen - 2;
    }

    private static int content(Encoding e) {
        return e.getIds().length - 2;
    }

    /** Rows of {@code [CLS]}, the slices' tokens, {@code [SEP]}, then padding. */
    private EncodedBatch assemble(List<List<Slice>> rows) {
        int longest = 0;
        for (List<Slice> row : rows)
            longest = Math.max(longest, 2 + row.stream().mapToInt(Slice::length).sum());
        int seqLen = padding == Padding.TO_MAX_LENGTH ? maxSeqLen : longest;
        int n = Math.multiplyExact(rows.size(), seqLen);
        int[] wordIds = new int[n];
        int[] mask = new int[n];
        int[] typeIds = new int[n];
        long[] specials = empty.getIds();
        for (int r = 0; r < rows.size(); r++) {
            int at = r * seqLen, end = at + seqLen;
            wordIds[at] = Math.toIntExact(specials[0]);
            mask[at++] = 1;
            for (Slice s : rows.get(r)) {
                long[] ids = s.encoding().getIds();
                for (int i = s.from(); i < s.to(); i++) {
                    wordIds[at] = Math.toIntExact(ids[1 + i]);
                    mask[at++] = 1;
                }
            }
            wordIds[at] = Math.toIntExact(specials[1]);
            mask[at++] = 1;
            while (at < end) wordIds[at++] = padId;
        }
        return new EncodedBatch(rows.size(), seqLen, wordIds, mask, typeIds);
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

    /**
     * The text from its first word start after a space within {@code window} characters of its end, else from its
     * last one within {@code limit}, else its last {@code limit} characters (one less if that would split a
     * surrogate pair): the mirror of {@link #prefix}.
     */
    static String suffix(String text, int window, int limit) {
        int n = text.length();
        if (n <= window) return text;
        for (int p = n - window; p < n; p++) {
            if (wordStartAfterSpace(text, p)) return text.substring(p);
        }
        for (int p = n - window - 1; p > Math.max(0, n - limit); p--) {
            if (wordStartAfterSpace(text, p)) return text.substring(p);
        }
        if (n <= limit) return text;
        int from = n - limit;
        return text.substring(Character.isLowSurrogate(text.charAt(from)) ? from + 1 : from);
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

    public Truncation truncation() {
        return truncation;
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
        private Truncation truncation = Truncation.HEAD;
        private Path jsonDir;
        private int revision = TokenizerJson.REVISION;

        private Builder(Path vocabTxt, boolean sentencePiece) {
            this.vocabTxt = Objects.requireNonNull(vocabTxt, "vocabTxt");
            this.sentencePiece = sentencePiece;
        }

        /**
         * True for "uncased" models (the default): case folding and accent stripping, as their preprocessing model
         * does; false keeps the text's case and accents.
         */
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

        /** Which tokens of a longer text are kept; {@link Truncation#HEAD} by default. */
        public Builder truncation(Truncation truncation) {
            this.truncation = Objects.requireNonNull(truncation, "truncation");
            return this;
        }

        /**
         * The {@link TokenizerJson#REVISION} to tokenise as, the newest by default: a model keeps the one it was
         * trained with. Only WordPiece tokenization has changed between revisions.
         */
        public Builder revision(int revision) {
            if (revision < 1 || revision > TokenizerJson.REVISION) {
                throw new IllegalArgumentException("tokenizer revision " + revision + " is not between 1 and "
                        + TokenizerJson.REVISION + " (made by a newer bert-clf?)");
            }
            this.revision = revision;
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
                    return load(json, writeJson(json));
                }
                Path json = Files.createTempFile("bert-clf-tokenizer-", ".json");
                try {
                    return load(json, writeJson(json));
                } finally {
                    Files.deleteIfExists(json);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot build a tokenizer from " + vocabTxt + ": " + e.getMessage(), e);
            }
        }

        /** Writes the JSON; returns the padding token's id. */
        private int writeJson(Path json) throws IOException {
            if (sentencePiece) {
                SentencePieceModel model = SentencePieceModel.read(vocabTxt);
                TokenizerJson.write(model, lowercase, json);
                return TokenizerJson.padId(model);
            }
            Vocabulary vocab = Vocabulary.read(vocabTxt);
            TokenizerJson.write(vocab, lowercase, revision, json);
            return vocab.id(Vocabulary.PAD);
        }

        private WordPieceTokenizer load(Path json, int padId) throws IOException {
            BertClfHome.checkDjlCache(); // DJL loads the tokenizer's native library from there
            HuggingFaceTokenizer t = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(json)
                    .optTruncation(false)
                    .optPadding(false)
                    .build();
            BasicTokenizer words =
                    !sentencePiece && revision >= TokenizerJson.TF_TEXT_REVISION ? new BasicTokenizer(lowercase) : null;
            return new WordPieceTokenizer(t, maxSeqLen, padding, truncation, padId, words);
        }
    }
}
