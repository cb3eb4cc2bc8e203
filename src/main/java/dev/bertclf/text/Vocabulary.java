package dev.bertclf.text;

import dev.bertclf.runtime.BoundedFiles;
import dev.bertclf.runtime.DataException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A BERT {@code vocab.txt} as token ids. The id of a token is its line number, so the file order is the model's
 * embedding row order and must never be re-sorted. Loading checks the special tokens up front so that a wrong
 * file fails here, with its path, instead of as odd ids deep inside training.
 */
public final class Vocabulary {
    public static final String PAD = "[PAD]";
    public static final String UNK = "[UNK]";
    public static final String CLS = "[CLS]";
    public static final String SEP = "[SEP]";
    public static final String MASK = "[MASK]";
    private static final List<String> REQUIRED = List.of(PAD, UNK, CLS, SEP);

    private final Path source;
    private final Map<String, Integer> ids;

    private Vocabulary(Path source, Map<String, Integer> ids) {
        this.source = source;
        this.ids = Collections.unmodifiableMap(ids);
    }

    /**
     * Reads one token per line; like Hugging Face's WordPiece reader, trailing whitespace is not part of a token.
     *
     * @throws IllegalArgumentException naming the file if it is not UTF-8 text, or lacks or repeats a special token
     */
    public static Vocabulary read(Path vocabTxt) {
        List<String> lines;
        try {
            lines = BoundedFiles.readAllLines(vocabTxt, BoundedFiles.SMALL * 256);
        } catch (CharacterCodingException e) {
            throw new DataException(
                    vocabTxt + " is not a UTF-8 text vocabulary (one token per line, as " + "BERT's vocab.txt): " + e,
                    e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the vocabulary " + vocabTxt + ": " + e.getMessage(), e);
        }
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            Integer earlier = ids.put(lines.get(i).stripTrailing(), i);
            if (earlier != null && REQUIRED.contains(lines.get(i).stripTrailing())) {
                throw new DataException(
                        "the vocabulary " + vocabTxt + " has " + lines.get(i).stripTrailing() + " twice, on lines "
                                + (earlier + 1) + " and " + (i + 1) + "; a special token needs one id");
            }
        }
        for (String special : REQUIRED) {
            if (!ids.containsKey(special)) {
                throw new DataException("the vocabulary " + vocabTxt + " has no " + special
                        + " line; a BERT WordPiece vocab.txt needs " + String.join(", ", REQUIRED));
            }
        }
        return new Vocabulary(vocabTxt, ids);
    }

    /** Token to id, in file order. */
    public Map<String, Integer> ids() {
        return ids;
    }

    public boolean contains(String token) {
        return ids.containsKey(token);
    }

    public int id(String token) {
        Integer id = ids.get(token);
        if (id == null) throw new IllegalArgumentException("token " + token + " is not in the vocabulary " + source);
        return id;
    }

    public int size() {
        return ids.size();
    }

    public Path source() {
        return source;
    }
}
