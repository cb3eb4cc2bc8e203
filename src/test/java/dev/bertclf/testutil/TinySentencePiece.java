package dev.bertclf.testutil;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A small SentencePiece unigram model written as {@code sentencepiece_model.proto} bytes, ALBERT-style (its first
 * pieces {@code <pad> <unk> [CLS] [SEP] [MASK]}), with scores chosen so that each test sentence has one clearly
 * best segmentation.
 */
public final class TinySentencePiece {
    /** SentencePiece piece types. */
    public static final int NORMAL = 1;

    public static final int UNKNOWN = 2;
    public static final int CONTROL = 3;
    public static final int USER_DEFINED = 4;

    /** One piece to write. */
    public record Piece(String text, float score, int type) {}

    private TinySentencePiece() {}

    public static List<Piece> albertLikePieces() {
        List<Piece> p = new ArrayList<>();
        p.add(new Piece("<pad>", 0, CONTROL));
        p.add(new Piece("<unk>", 0, UNKNOWN));
        p.add(new Piece("[CLS]", 0, CONTROL));
        p.add(new Piece("[SEP]", 0, CONTROL));
        p.add(new Piece("[MASK]", 0, USER_DEFINED));
        String[] normal = {
            "\u2581",
            "\u2581the",
            "\u2581movie",
            "\u2581was",
            "\u2581amaz",
            "ing",
            "\u2581amazing",
            "!",
            "\u2581cafe",
            "\u2581\"",
            "the",
            "\"",
            "\u25811,",
            "\u25811",
            ",",
            "\u2581great"
        };
        float[] scores = {-3f, -1f, -1.5f, -1f, -2f, -1.2f, -8f, -2f, -2f, -1f, -1f, -1f, -1f, -2f, -2f, -1.5f};
        for (int i = 0; i < normal.length; i++) p.add(new Piece(normal[i], scores[i], NORMAL));
        return p;
    }

    /** The model's bytes: pieces, a unigram trainer spec (model_type 1), a normaliser spec without a charsmap. */
    public static byte[] model(List<Piece> pieces, int modelType) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            for (Piece p : pieces) {
                ByteArrayOutputStream pb = new ByteArrayOutputStream();
                CodedOutputStream po = CodedOutputStream.newInstance(pb);
                po.writeString(1, p.text());
                po.writeFloat(2, p.score());
                po.writeEnum(3, p.type());
                po.flush();
                out.writeByteArray(1, pb.toByteArray());
            }
            ByteArrayOutputStream trainer = new ByteArrayOutputStream();
            CodedOutputStream to = CodedOutputStream.newInstance(trainer);
            to.writeString(1, "30k-clean.txt"); // input: an unrelated field the reader must skip
            to.writeEnum(3, modelType);
            to.writeInt32(4, pieces.size());
            to.flush();
            out.writeByteArray(2, trainer.toByteArray());
            ByteArrayOutputStream normalizer = new ByteArrayOutputStream();
            CodedOutputStream no = CodedOutputStream.newInstance(normalizer);
            no.writeString(1, "nmt_nfkc");
            no.writeBool(3, true);
            no.flush();
            out.writeByteArray(3, normalizer.toByteArray());
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
