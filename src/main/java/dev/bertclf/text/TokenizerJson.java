package dev.bertclf.text;

import dev.bertclf.runtime.DataException;
import dev.bertclf.runtime.FileUtil;
import dev.bertclf.runtime.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a BERT {@code vocab.txt} (WordPiece) or ALBERT's SentencePiece {@code .model} (unigram) into the
 * {@code tokenizer.json} that Hugging Face's Rust tokenizer (wrapped by DJL) loads. Google's checkpoints ship only
 * those files; writing the JSON ourselves keeps the tool free of Python and of any download. Both kinds share the
 * {@code [CLS] A [SEP] B [SEP]} template and the padding, so the rest of the pipeline sees the same three inputs.
 * Lengths (truncation, padding strategy) are set when loading; the JSON only names the padding token, because DJL keeps
 * the file's pad id while it changes the strategy, and pads with id 0
 * otherwise, which is wrong for a vocabulary whose {@code [PAD]} is not on the first line.
 */
public final class TokenizerJson {
    /**
     * The tokenization's revision, recorded in every model's metadata. 3: WordPiece words are split as TF Text's
     * {@code BertTokenizer} splits them ({@link BasicTokenizer}: NFKC case folding, control characters as spaces,
     * words of over 100 bytes {@code [UNK]}). 2: Hugging Face's {@code BertNormalizer} and {@code BertPreTokenizer}
     * (Google's Python rules). 1: as 2, but "[CLS]", "[SEP]", "[MASK]", "[PAD]" and "[UNK]" in a text were their
     * special ids.
     */
    public static final int REVISION = 3;

    /** The first revision that splits words with {@link BasicTokenizer}. */
    public static final int TF_TEXT_REVISION = 3;

    /** SentencePiece's word-start mark, U+2581. */
    private static final String METASPACE = "\u2581";

    private static final String SP_PAD = "<pad>";
    private static final List<String> SP_REQUIRED = List.of(SP_PAD, Vocabulary.CLS, Vocabulary.SEP);

    private TokenizerJson() {}

    /**
     * Writes the JSON of a WordPiece tokenizer of {@code revision} to {@code target} atomically (a half-written file
     * is never loaded). From {@link #TF_TEXT_REVISION} on, it expects words already split by {@link BasicTokenizer}
     * and joined by single spaces: it splits at U+0020 alone and normalizes nothing.
     */
    public static void write(Vocabulary vocab, boolean lowercase, int revision, Path target) throws IOException {
        FileUtil.writeStringAtomic(target, toJson(vocab, lowercase, revision));
    }

    /** Writes the JSON of a SentencePiece model to {@code target} atomically. */
    public static void write(SentencePieceModel model, boolean lowercase, Path target) throws IOException {
        FileUtil.writeStringAtomic(target, toJson(model, lowercase));
    }

    /** The id a SentencePiece model's rows are padded with ({@code <pad>}'s). */
    public static int padId(SentencePieceModel model) {
        return model.id(SP_PAD);
    }

    /**
     * How many ids the tokenizer built from {@code vocabulary} can emit (the embedding table needs at least as many
     * rows), after the checks that building it runs: the file is read, and its special tokens must be there, once.
     *
     * @throws IllegalArgumentException naming the file if it cannot make a tokenizer
     */
    public static int idCount(Path vocabulary, boolean sentencePiece) {
        if (sentencePiece) {
            SentencePieceModel sp = SentencePieceModel.read(vocabulary);
            sentencePieceSpecials(sp);
            return sp.pieces().size();
        }
        return Collections.max(Vocabulary.read(vocabulary).ids().values()) + 1;
    }

    static String toJson(Vocabulary vocab, boolean lowercase, int revision) {
        Map<String, Integer> specials = new LinkedHashMap<>();
        for (String special :
                List.of(Vocabulary.PAD, Vocabulary.UNK, Vocabulary.CLS, Vocabulary.SEP, Vocabulary.MASK)) {
            if (vocab.contains(special)) specials.put(special, vocab.id(special));
        }
        return toJson(
                specials,
                Map.of(), // no added tokens: "[CLS]" in a text is words, as TF Text's BertTokenizer reads it
                Vocabulary.PAD,
                vocab.id(Vocabulary.PAD),
                revision >= TF_TEXT_REVISION ? null : normalizer(lowercase),
                revision >= TF_TEXT_REVISION ? splitAtSpaces() : Map.of("type", "BertPreTokenizer"),
                Map.of("type", "WordPiece", "prefix", "##", "cleanup", true),
                model(vocab));
    }

    /**
     * ALBERT's tokenizer as Hugging Face's {@code AlbertConverter} builds it: a unigram model over the pieces,
     * {@code ``} and {@code ''} read as {@code "}, NFKD with accents stripped and lower case (when
     * {@code lowercase}), the model's precompiled character map, runs of spaces collapsed, and {@code ▁} marking
     * word starts. Control, unknown and user-defined pieces ({@code <pad>}, {@code <unk>}, {@code [CLS]}, ...)
     * are special tokens; padding uses {@code <pad>}.
     */
    static String toJson(SentencePieceModel sp, boolean lowercase) {
        Map<String, Integer> specials = sentencePieceSpecials(sp);
        Map<String, Object> metaspace = new LinkedHashMap<>();
        metaspace.put("type", "Metaspace");
        metaspace.put("replacement", METASPACE);
        metaspace.put("prepend_scheme", "always");
        metaspace.put("split", true);
        return toJson(
                specials,
                userDefined(sp), // SentencePiece matches these in text; never its control pieces
                SP_PAD,
                sp.id(SP_PAD),
                sentencePieceNormalizer(sp, lowercase),
                metaspace,
                metaspace,
                unigram(sp));
    }

    /**
     * The control, unknown and user-defined pieces by id; {@code <pad>}, {@code [CLS]} and {@code [SEP]} must be
     * among them, once each, as the padding and the {@code [CLS] A [SEP]} template use them.
     */
    private static Map<String, Integer> sentencePieceSpecials(SentencePieceModel sp) {
        Map<String, Integer> specials = new LinkedHashMap<>();
        List<SentencePieceModel.Piece> pieces = sp.pieces();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < pieces.size(); i++) {
            String piece = pieces.get(i).piece();
            if (SP_REQUIRED.contains(piece) && seen.merge(piece, 1, Integer::sum) > 1) {
                throw new DataException("the SentencePiece model " + sp.source() + " has the piece " + piece
                        + " twice; a special token needs one id");
            }
            SentencePieceModel.Type type = pieces.get(i).type();
            if (type == SentencePieceModel.Type.CONTROL
                    || type == SentencePieceModel.Type.UNKNOWN
                    || type == SentencePieceModel.Type.USER_DEFINED) {
                specials.putIfAbsent(piece, i);
            }
        }
        for (String s : SP_REQUIRED) {
            if (!specials.containsKey(s)) {
                throw new DataException("the SentencePiece model " + sp.source() + " has no control piece " + s
                        + "; a BERT-style SentencePiece model needs " + String.join(", ", SP_REQUIRED));
            }
        }
        return specials;
    }

    /** The user-defined pieces by id: the only pieces SentencePiece itself finds in raw text as they are. */
    private static Map<String, Integer> userDefined(SentencePieceModel sp) {
        Map<String, Integer> pieces = new LinkedHashMap<>();
        for (int i = 0; i < sp.pieces().size(); i++) {
            if (sp.pieces().get(i).type() == SentencePieceModel.Type.USER_DEFINED) {
                pieces.putIfAbsent(sp.pieces().get(i).piece(), i);
            }
        }
        return pieces;
    }

    /**
     * {@code specials} are the ids the template and padding use; {@code added} the tokens the tokenizer finds in a
     * text as they are, before any splitting. Listing the special tokens there (as before revision 2) let a user's
     * text inject them.
     */
    private static String toJson(
            Map<String, Integer> specials,
            Map<String, Integer> added,
            String padToken,
            int padId,
            Object normalizer,
            Object preTokenizer,
            Object decoder,
            Object model) {
        for (String s : List.of(Vocabulary.CLS, Vocabulary.SEP)) {
            if (!specials.containsKey(s)) throw new DataException("the vocabulary has no " + s);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", "1.0");
        root.put("truncation", null);
        root.put("padding", padding(padId, padToken));
        root.put("added_tokens", addedTokens(added));
        root.put("normalizer", normalizer);
        root.put("pre_tokenizer", preTokenizer);
        root.put("post_processor", postProcessor(specials.get(Vocabulary.CLS), specials.get(Vocabulary.SEP)));
        root.put("decoder", decoder);
        root.put("model", model);
        return Json.COMPACT_WITH_NULLS.toJson(root);
    }

    private static List<Map<String, Object>> addedTokens(Map<String, Integer> added) {
        List<Map<String, Object>> tokens = new ArrayList<>();
        for (var special : added.entrySet()) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("id", special.getValue());
            t.put("content", special.getKey());
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
            tokens.add(t);
        }
        return tokens;
    }

    private static Map<String, Object> padding(int padId, String padToken) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("strategy", "BatchLongest");
        p.put("direction", "Right");
        p.put("pad_to_multiple_of", null);
        p.put("pad_id", padId);
        p.put("pad_type_id", 0);
        p.put("pad_token", padToken);
        return p;
    }

    /** Splits at U+0020 only, which {@link BasicTokenizer} puts between words and no word holds. */
    private static Map<String, Object> splitAtSpaces() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", "Split");
        p.put("pattern", Map.of("String", " "));
        p.put("behavior", "Removed");
        p.put("invert", false);
        return p;
    }

    /** Revisions 1 and 2: Google's Python {@code BasicTokenizer} rules, as Hugging Face implements them. */
    private static Map<String, Object> normalizer(boolean lowercase) {
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("type", "BertNormalizer");
        n.put("clean_text", true);
        n.put("handle_chinese_chars", true);
        n.put("strip_accents", null); // null: accents are stripped exactly when lowercasing, as in Google's BERT
        n.put("lowercase", lowercase);
        return n;
    }

    private static Map<String, Object> postProcessor(int clsId, int sepId) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", "TemplateProcessing");
        p.put("single", List.of(special(Vocabulary.CLS), sequence("A"), special(Vocabulary.SEP)));
        p.put(
                "pair",
                List.of(
                        special(Vocabulary.CLS),
                        sequence("A"),
                        special(Vocabulary.SEP),
                        sequence("B", 1),
                        special(Vocabulary.SEP, 1)));
        Map<String, Object> specials = new LinkedHashMap<>();
        specials.put(
                Vocabulary.CLS, Map.of("id", Vocabulary.CLS, "ids", List.of(clsId), "tokens", List.of(Vocabulary.CLS)));
        specials.put(
                Vocabulary.SEP, Map.of("id", Vocabulary.SEP, "ids", List.of(sepId), "tokens", List.of(Vocabulary.SEP)));
        p.put("special_tokens", specials);
        return p;
    }

    private static Map<String, Object> special(String token) {
        return special(token, 0);
    }

    private static Map<String, Object> special(String token, int typeId) {
        return Map.of("SpecialToken", Map.of("id", token, "type_id", typeId));
    }

    private static Map<String, Object> sequence(String id) {
        return sequence(id, 0);
    }

    private static Map<String, Object> sequence(String id, int typeId) {
        return Map.of("Sequence", Map.of("id", id, "type_id", typeId));
    }

    private static Map<String, Object> model(Vocabulary vocab) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "WordPiece");
        m.put("unk_token", Vocabulary.UNK);
        m.put("continuing_subword_prefix", "##");
        m.put("max_input_chars_per_word", 100);
        m.put("vocab", vocab.ids());
        return m;
    }

    private static Map<String, Object> sentencePieceNormalizer(SentencePieceModel sp, boolean lowercase) {
        List<Map<String, Object>> steps = new ArrayList<>();
        steps.add(replace(Map.of("String", "``"), "\""));
        steps.add(replace(Map.of("String", "''"), "\""));
        if (lowercase) {
            steps.add(Map.of("type", "NFKD"));
            steps.add(Map.of("type", "StripAccents"));
            steps.add(Map.of("type", "Lowercase"));
        }
        byte[] charsmap = sp.precompiledCharsmap();
        if (charsmap.length > 0) {
            steps.add(Map.of(
                    "type",
                    "Precompiled",
                    "precompiled_charsmap",
                    Base64.getEncoder().encodeToString(charsmap)));
        }
        steps.add(replace(Map.of("Regex", " {2,}"), " "));
        return Map.of("type", "Sequence", "normalizers", steps);
    }

    private static Map<String, Object> replace(Map<String, String> pattern, String content) {
        return Map.of("type", "Replace", "pattern", pattern, "content", content);
    }

    /**
     * The pieces and scores, control and unknown pieces out of reach of any text. As in {@code AlbertConverter}, a
     * piece ending in a digit and a comma ({@code ▁1,}) is
     * made 100 less likely, so that {@code 1,} splits into {@code 1} and {@code ,} as ALBERT's Python tokenizer does.
     */
    private static Map<String, Object> unigram(SentencePieceModel sp) {
        List<List<Object>> vocab = new ArrayList<>();
        for (SentencePieceModel.Piece p : sp.pieces()) {
            String t = p.piece();
            if (p.type() == SentencePieceModel.Type.CONTROL || p.type() == SentencePieceModel.Type.UNKNOWN) {
                // SentencePiece never finds these in text; Hugging Face's unigram would ("[CLS]" in a review). A
                // piece holding spaces cannot match: the pre-tokenizer has turned every space into a word start.
                t = " " + t + " ";
            }
            boolean numberComma =
                    t.length() >= 2 && t.charAt(t.length() - 1) == ',' && Character.isDigit(t.charAt(t.length() - 2));
            vocab.add(List.of(t, numberComma ? p.score() - 100.0 : (double) p.score()));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "Unigram");
        m.put("unk_id", sp.unkId());
        m.put("vocab", vocab);
        m.put("byte_fallback", false);
        return m;
    }
}
