package dev.bertclf.text;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UCharacterCategory;
import com.ibm.icu.text.Normalizer2;
import java.util.function.Consumer;

/**
 * BERT's word splitting exactly as the tutorial's preprocessing models run it: TF Hub's {@code
 * bert_en_uncased_preprocess/3} and {@code bert_en_cased_preprocess/3} are TensorFlow Model Garden's {@code
 * BertTokenizer} layer ({@code official/nlp/modeling/layers/text_layers.py}), which calls TF Text's {@code
 * BertTokenizer(vocab, lower_case=...)} with every other argument at its default. Its {@code BasicTokenizer}
 * ({@code tensorflow_text/python/ops/bert_tokenizer.py}) does, in this order:
 *
 * <ol>
 *   <li>uncased models only: {@code case_fold_utf8}, which is ICU's NFKC_Casefold ({@code
 *       Normalizer2::getNFKCCasefoldInstance} in {@code core/kernels/normalize_kernels.cc}): compatibility
 *       characters become their plain forms (full-width letters, ligatures, {@code ½}, {@code ´} = space and
 *       acute), full case folding ({@code ß} → {@code ss}), default-ignorable characters (soft hyphen, zero-width
 *       space, BOM) removed; then {@code normalize_utf8(NFD)}; then every {@code \p{Mn}} (non-spacing mark) removed.
 *       Cased models get no normalization at all ({@code normalization_form=None});
 *   <li>every {@code \p{Cc}} or {@code \p{Cf}} (control and format characters: NUL, BEL, VT, FF, tab, new line,
 *       and for cased models soft hyphen and zero-width space too) becomes a space;
 *   <li>a split with RE2 at {@code \s+} (only {@code [\t\n\f\r ]}: a no-break space splits words only where NFKC
 *       has made it a space; U+1680, U+2028 and U+2029 never do), each delimiter dropped, and at every single
 *       ASCII punctuation character ({@code [!-/] [:-@] [\[-`] [{-~]}), {@code \p{P}} character and CJK ideograph
 *       (the eight blocks of {@code _DELIM_REGEX}), each kept as a word of its own.
 * </ol>
 *
 * <p>Characters no rule names stay in their word: a private-use or unassigned character, or U+FFFD, makes its word
 * {@code [UNK]} in WordPiece (no vocabulary entry holds it), as in TF Text; TF Text's {@code WordpieceTokenizer}
 * then maps a word of more than {@link #MAX_BYTES_PER_WORD} UTF-8 <em>bytes</em> to {@code [UNK]} (not characters,
 * as Hugging Face and Google's Python {@code FullTokenizer} count). A Java string's unpaired surrogate, which no
 * UTF-8 text holds, is read as U+FFFD, as a UTF-8 decoder reads a broken byte.
 *
 * <p>Hand-written because no library splits this way (Hugging Face's {@code BertNormalizer} and {@code
 * BertPreTokenizer} follow Google's Python code: no NFKC, no case folding, control characters deleted, Unicode
 * spaces split, private-use characters deleted); the Unicode data (normalization, categories) is ICU4J's, the same
 * library TF Text builds on, so only the Unicode version can differ. The words then go to Hugging Face's WordPiece,
 * which matches TF Text's greedy longest-match-first on words of at most 100 bytes.
 */
final class BasicTokenizer {
    /** TF Text's {@code max_bytes_per_word}: a longer word is {@code [UNK]}. */
    static final int MAX_BYTES_PER_WORD = 100;

    private static final Normalizer2 NFKC_CASEFOLD = Normalizer2.getNFKCCasefoldInstance();
    private static final Normalizer2 NFD = Normalizer2.getNFDInstance();

    private final boolean lowerCase;

    BasicTokenizer(boolean lowerCase) {
        this.lowerCase = lowerCase;
    }

    /**
     * The text's words joined by single spaces (no word holds one), each word over {@link #MAX_BYTES_PER_WORD} bytes
     * replaced by {@code unknownWord}.
     */
    String wordsLine(String text, String unknownWord) {
        StringBuilder line = new StringBuilder(text.length() + 16);
        split(text, w -> {
            if (!line.isEmpty()) line.append(' ');
            line.append(utf8Length(w) > MAX_BYTES_PER_WORD ? unknownWord : w);
        });
        return line.toString();
    }

    private void split(String text, Consumer<String> out) {
        String s = withoutLoneSurrogates(text);
        if (lowerCase) s = NFD.normalize(NFKC_CASEFOLD.normalize(s));
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            int type = UCharacter.getType(c);
            if (lowerCase && type == UCharacterCategory.NON_SPACING_MARK) continue;
            if (c == ' ' || type == UCharacterCategory.CONTROL || type == UCharacterCategory.FORMAT) {
                flush(word, out);
            } else if (isPunctuation(c, type) || isCjk(c)) {
                flush(word, out);
                out.accept(new String(Character.toChars(c)));
            } else {
                word.appendCodePoint(c);
            }
        }
        flush(word, out);
    }

    private static void flush(StringBuilder word, Consumer<String> out) {
        if (!word.isEmpty()) {
            out.accept(word.toString());
            word.setLength(0);
        }
    }

    /** {@code [!-/]|[:-@]|[\[-`]|[{-~]|[\p{P}]}. */
    private static boolean isPunctuation(int c, int type) {
        if ((c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~')) {
            return true;
        }
        return switch (type) {
            case UCharacterCategory.CONNECTOR_PUNCTUATION,
                    UCharacterCategory.DASH_PUNCTUATION,
                    UCharacterCategory.START_PUNCTUATION,
                    UCharacterCategory.END_PUNCTUATION,
                    UCharacterCategory.INITIAL_PUNCTUATION,
                    UCharacterCategory.FINAL_PUNCTUATION,
                    UCharacterCategory.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** The CJK blocks of TF Text's {@code _DELIM_REGEX} (the same as Google's {@code _is_chinese_char}). */
    private static boolean isCjk(int c) {
        return (c >= 0x4E00 && c <= 0x9FFF)
                || (c >= 0x3400 && c <= 0x4DBF)
                || (c >= 0x20000 && c <= 0x2A6DF)
                || (c >= 0x2A700 && c <= 0x2B73F)
                || (c >= 0x2B740 && c <= 0x2B81F)
                || (c >= 0x2B820 && c <= 0x2CEAF)
                || (c >= 0xF900 && c <= 0xFAFF)
                || (c >= 0x2F800 && c <= 0x2FA1F);
    }

    static int utf8Length(String word) {
        int bytes = 0;
        for (int i = 0; i < word.length(); ) {
            int c = word.codePointAt(i);
            i += Character.charCount(c);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
        }
        return bytes;
    }

    private static String withoutLoneSurrogates(String text) {
        StringBuilder fixed = null;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            boolean lone = Character.isHighSurrogate(ch)
                    ? i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))
                    : Character.isLowSurrogate(ch) && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1)));
            if (lone && fixed == null) fixed = new StringBuilder(text.substring(0, i));
            if (fixed != null) fixed.append(lone ? '\uFFFD' : ch);
        }
        return fixed == null ? text : fixed.toString();
    }
}
