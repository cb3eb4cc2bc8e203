package dev.bertclf.text;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.bertclf.runtime.BoundedFiles;
import dev.bertclf.runtime.DataException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The vocabulary of a SentencePiece {@code .model} (ALBERT's {@code 30k-clean.model}): its pieces with their
 * scores and types, and the normaliser's precompiled character map. Read with protobuf's wire reader and the
 * field numbers of {@code sentencepiece_model.proto}, because only these few fields are needed and no generated
 * SentencePiece classes are on the classpath.
 *
 * @param precompiledCharsmap the normaliser's character map (NFKC-like rules), empty if the model has none
 */
public record SentencePieceModel(Path source, List<Piece> pieces, byte[] precompiledCharsmap) {

    /** The piece types of {@code sentencepiece_model.proto}. */
    public enum Type {
        NORMAL,
        UNKNOWN,
        CONTROL,
        USER_DEFINED,
        UNUSED,
        BYTE
    }

    /** One vocabulary entry; its id is its position in {@link #pieces()}. */
    public record Piece(String piece, float score, Type type) {}

    // ModelProto
    private static final int PIECES = 1;
    private static final int TRAINER_SPEC = 2;
    private static final int NORMALIZER_SPEC = 3;
    // SentencePiece
    private static final int PIECE = 1;
    private static final int SCORE = 2;
    private static final int TYPE = 3;
    // TrainerSpec
    private static final int MODEL_TYPE = 3;
    private static final int UNIGRAM = 1;
    // NormalizerSpec
    private static final int PRECOMPILED_CHARSMAP = 2;

    public SentencePieceModel {
        pieces = List.copyOf(pieces);
        precompiledCharsmap = precompiledCharsmap.clone();
    }

    @Override
    public byte[] precompiledCharsmap() {
        return precompiledCharsmap.clone();
    }

    /**
     * Reads a unigram SentencePiece model.
     *
     * @throws IllegalArgumentException if the file is not a SentencePiece model, or not a unigram one
     */
    public static SentencePieceModel read(Path file) {
        byte[] bytes;
        try {
            bytes = BoundedFiles.readBytes(file, BoundedFiles.SMALL * 256);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the SentencePiece model " + file + ": " + e.getMessage(), e);
        }
        List<Piece> pieces = new ArrayList<>();
        byte[] charsmap = new byte[0];
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case PIECES -> pieces.add(piece(delimited(in, tag)));
                    case TRAINER_SPEC -> checkUnigram(delimited(in, tag), file);
                    case NORMALIZER_SPEC -> charsmap = charsmap(delimited(in, tag), charsmap);
                    default -> in.skipField(tag);
                }
            }
        } catch (InvalidProtocolBufferException e) {
            throw notAModel(file, e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the SentencePiece model " + file + ": " + e.getMessage(), e);
        }
        if (pieces.isEmpty()) throw notAModel(file, "it has no pieces");
        long unknown = pieces.stream().filter(p -> p.type() == Type.UNKNOWN).count();
        if (unknown != 1) throw notAModel(file, "it has " + unknown + " unknown-token pieces instead of one");
        return new SentencePieceModel(file, Collections.unmodifiableList(pieces), charsmap);
    }

    /** Id of the unknown-token piece ({@code <unk>}). */
    public int unkId() {
        for (int i = 0; i < pieces.size(); i++) if (pieces.get(i).type() == Type.UNKNOWN) return i;
        throw new IllegalStateException("no unknown piece in " + source);
    }

    /**
     * Id of a piece by its text.
     *
     * @throws IllegalArgumentException naming the model if there is no such piece
     */
    public int id(String piece) {
        for (int i = 0; i < pieces.size(); i++) if (pieces.get(i).piece().equals(piece)) return i;
        throw new DataException("the SentencePiece model " + source + " has no piece " + piece);
    }

    private static byte[] delimited(CodedInputStream in, int tag) throws IOException {
        if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            throw new InvalidProtocolBufferException(
                    "field " + WireFormat.getTagFieldNumber(tag) + " has wire type " + WireFormat.getTagWireType(tag));
        }
        return in.readByteArray();
    }

    private static Piece piece(byte[] message) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(message);
        String text = null;
        float score = 0;
        Type type = Type.NORMAL;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case PIECE -> text = ByteString.copyFrom(delimited(in, tag)).toStringUtf8();
                case SCORE -> score = in.readFloat();
                case TYPE -> type = type(in.readEnum());
                default -> in.skipField(tag);
            }
        }
        if (text == null) throw new InvalidProtocolBufferException("a piece without text");
        return new Piece(text, score, type);
    }

    private static Type type(int number) throws InvalidProtocolBufferException {
        return switch (number) {
            case 1 -> Type.NORMAL;
            case 2 -> Type.UNKNOWN;
            case 3 -> Type.CONTROL;
            case 4 -> Type.USER_DEFINED;
            case 5 -> Type.UNUSED;
            case 6 -> Type.BYTE;
            default -> throw new InvalidProtocolBufferException("unknown piece type " + number);
        };
    }

    private static void checkUnigram(byte[] trainerSpec, Path file) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(trainerSpec);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) == MODEL_TYPE
                    && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_VARINT) {
                int modelType = in.readEnum();
                if (modelType != UNIGRAM) {
                    throw new DataException("the SentencePiece model " + file + " is of type " + modelType
                            + " (2 = BPE, 3 = word, 4 = char); only unigram models (ALBERT's) are supported");
                }
            } else {
                in.skipField(tag);
            }
        }
    }

    private static byte[] charsmap(byte[] normalizerSpec, byte[] current) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(normalizerSpec);
        byte[] found = current;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) == PRECOMPILED_CHARSMAP) {
                found = delimited(in, tag);
            } else {
                in.skipField(tag);
            }
        }
        return found;
    }

    private static DataException notAModel(Path file, String why) {
        return new DataException(file + " is not a SentencePiece model (" + why + ")");
    }
}
