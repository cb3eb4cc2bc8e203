package dev.bertclf.text;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.bertclf.runtime.FileUtil;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a BERT {@code vocab.txt} into the {@code tokenizer.json} that Hugging Face's Rust tokenizer (wrapped by
 * DJL) loads. Google's checkpoints ship only {@code vocab.txt}; writing the JSON ourselves keeps the tool free of
 * Python and of any download. Lengths (truncation, padding strategy) are set when loading; the JSON only names
 * the padding token, because DJL keeps the file's pad id while it changes the strategy, and pads with id 0
 * otherwise, which is wrong for a vocabulary whose {@code [PAD]} is not on the first line.
 */
public final class TokenizerJson {
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

    private TokenizerJson() {}

    /** Writes the JSON to {@code target} atomically (a half-written file is never loaded). */
    public static void write(Vocabulary vocab, boolean lowercase, Path target) throws IOException {
        FileUtil.writeStringAtomic(target, toJson(vocab, lowercase));
    }

    static String toJson(Vocabulary vocab, boolean lowercase) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", "1.0");
        root.put("truncation", null);
        root.put("padding", padding(vocab));
        root.put("added_tokens", addedTokens(vocab));
        root.put("normalizer", normalizer(lowercase));
        root.put("pre_tokenizer", Map.of("type", "BertPreTokenizer"));
        root.put("post_processor", postProcessor(vocab));
        root.put("decoder", Map.of("type", "WordPiece", "prefix", "##", "cleanup", true));
        root.put("model", model(vocab));
        return GSON.toJson(root);
    }

    private static List<Map<String, Object>> addedTokens(Vocabulary vocab) {
        List<Map<String, Object>> tokens = new ArrayList<>();
        for (String special : List.of(Vocabulary.PAD, Vocabulary.UNK, Vocabulary.CLS, Vocabulary.SEP, Vocabulary.MASK)) {
            if (!vocab.contains(special)) continue;
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("id", vocab.id(special));
            t.put("content", special);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
            tokens.add(t);
        }
        return tokens;
    }

    private static Map<String, Object> padding(Vocabulary vocab) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("strategy", "BatchLongest");
        p.put("direction", "Right");
        p.put("pad_to_multiple_of", null);
        p.put("pad_id", vocab.id(Vocabulary.PAD));
        p.put("pad_type_id", 0);
        p.put("pad_token", Vocabulary.PAD);
        return p;
    }

    private static Map<String, Object> normalizer(boolean lowercase) {
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("type", "BertNormalizer");
        n.put("clean_text", true);
        n.put("handle_chinese_chars", true);
        n.put("strip_accents", null); // null: accents are stripped exactly when lowercasing, as in Google's BERT
        n.put("lowercase", lowercase);
        return n;
    }

    private static Map<String, Object> postProcessor(Vocabulary vocab) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", "TemplateProcessing");
        p.put("single", List.of(special(Vocabulary.CLS), sequence("A"), special(Vocabulary.SEP)));
        p.put("pair", List.of(special(Vocabulary.CLS), sequence("A"), special(Vocabulary.SEP),
                sequence("B", 1), special(Vocabulary.SEP, 1)));
        Map<String, Object> specials = new LinkedHashMap<>();
        for (String s : List.of(Vocabulary.CLS, Vocabulary.SEP)) {
            specials.put(s, Map.of("id", s, "ids", List.of(vocab.id(s)), "tokens", List.of(s)));
        }
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
}
