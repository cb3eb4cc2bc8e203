package dev.bertclf.testutil;

import dev.bertclf.model.checkpoint.CheckpointWriter;
import dev.bertclf.runtime.TfRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * A tiny random encoder laid out like a TF Hub TF2 SavedModel ({@code ?tf-hub-format=compressed}): variables in an
 * object-based checkpoint whose keys are object paths, their real names only in the serialized
 * {@code TrackableObjectGraph}, and the TF2 Model Garden variable names of each family. The {@code saved_model.pb}
 * is a minimal valid proto with no graph: the reader must never need it.
 */
public final class TinyHubModel {
    public static final int HIDDEN = 32;
    public static final int HEADS = 2;
    public static final int HEAD_SIZE = HIDDEN / HEADS;
    public static final int INTERMEDIATE = 64;
    public static final int POSITIONS = 64;
    public static final int TYPES = 2;
    public static final int LAYERS = 2;
    /** ALBERT's factorised embedding width. */
    public static final int EMBEDDING = 16;

    /** The TF Hub families, by the Model Garden network each was exported from. */
    public enum Family {
        /** {@code BertEncoder}: bert_en_*, small_bert, experts. */
        BERT,
        /** {@code AlbertEncoder}: one shared {@code transformer} block, embedding projection. */
        ALBERT,
        /** {@code EncoderScaffold} + {@code TransformerScaffold} + talking heads + {@code GatedFeedforward}. */
        TALKING_HEADS
    }

    private TinyHubModel() {}

    /** The TF2 variable names and shapes of a tiny model of the family. */
    public static Map<String, long[]> variableShapes(Family family, int vocabSize) {
        int width = family == Family.ALBERT ? EMBEDDING : HIDDEN;
        Map<String, long[]> v = new LinkedHashMap<>();
        v.put("word_embeddings/embeddings", dims(vocabSize, width));
        v.put("position_embedding/embeddings", dims(POSITIONS, width));
        v.put("type_embeddings/embeddings", dims(TYPES, width));
        v.put("embeddings/layer_norm/gamma", dims(width));
        v.put("embeddings/layer_norm/beta", dims(width));
        if (family == Family.ALBERT) {
            v.put("embedding_projection/kernel", dims(EMBEDDING, HIDDEN));
            v.put("embedding_projection/bias", dims(HIDDEN));
        }
        List<String> scopes =
                switch (family) {
                    case BERT ->
                        Stream.iterate(0, i -> i + 1)
                                .limit(LAYERS)
                                .map(i -> "transformer/layer_" + i)
                                .toList();
                    case ALBERT -> List.of("transformer");
                    case TALKING_HEADS ->
                        Stream.iterate(0, i -> i + 1)
                                .limit(LAYERS)
                                .map(i -> i == 0 ? "transformer_scaffold" : "transformer_scaffold_" + i)
                                .toList();
                };
        for (String s : scopes) {
            for (String p : List.of("query", "key", "value")) {
                v.put(s + "/self_attention/" + p + "/kernel", dims(HIDDEN, HEADS, HEAD_SIZE));
                v.put(s + "/self_attention/" + p + "/bias", dims(HEADS, HEAD_SIZE));
            }
            v.put(s + "/self_attention/attention_output/kernel", dims(HEADS, HEAD_SIZE, HIDDEN));
            v.put(s + "/self_attention/attention_output/bias", dims(HIDDEN));
            v.put(s + "/self_attention_layer_norm/gamma", dims(HIDDEN));
            v.put(s + "/self_attention_layer_norm/beta", dims(HIDDEN));
            if (family == Family.TALKING_HEADS) {
                v.put(s + "/self_attention/pre_softmax_weight", dims(HEADS, HEADS));
                v.put(s + "/self_attention/post_softmax_weight", dims(HEADS, HEADS));
                for (String d : List.of("intermediate_0", "gate_0")) {
                    v.put(s + "/feedforward/" + d + "/kernel", dims(HIDDEN, INTERMEDIATE));
                    v.put(s + "/feedforward/" + d + "/bias", dims(INTERMEDIATE));
                }
                v.put(s + "/feedforward/output_0/kernel", dims(INTERMEDIATE, HIDDEN));
                v.put(s + "/feedforward/output_0/bias", dims(HIDDEN));
                v.put(s + "/feedforward/output_layer_norm_0/gamma", dims(HIDDEN));
                v.put(s + "/feedforward/output_layer_norm_0/beta", dims(HIDDEN));
            } else {
                v.put(s + "/intermediate/kernel", dims(HIDDEN, INTERMEDIATE));
                v.put(s + "/intermediate/bias", dims(INTERMEDIATE));
                v.put(s + "/output/kernel", dims(INTERMEDIATE, HIDDEN));
                v.put(s + "/output/bias", dims(HIDDEN));
                v.put(s + "/output_layer_norm/gamma", dims(HIDDEN));
                v.put(s + "/output_layer_norm/beta", dims(HIDDEN));
            }
        }
        String pooler = family == Family.TALKING_HEADS ? "cls_transform" : "pooler_transform";
        v.put(pooler + "/kernel", dims(HIDDEN, HIDDEN));
        v.put(pooler + "/bias", dims(HIDDEN));
        return v;
    }

    /** Seeded random values for the shapes, by name. */
    public static Map<String, float[]> randomValues(Map<String, long[]> shapes, long seed) {
        Random random = new Random(seed);
        Map<String, float[]> values = new LinkedHashMap<>();
        shapes.forEach((name, shape) -> {
            float[] x = new float[Math.toIntExact(Shape.of(shape).size())];
            for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
            values.put(name, x);
        });
        return values;
    }

    /**
     * Writes the SavedModel folder: {@code variables/variables.*} keyed by object path ({@code
     * encoder/var-N/.ATTRIBUTES/VARIABLE_VALUE}), the object graph naming them (unless {@code withObjectGraph} is
     * false), {@code saved_model.pb}, and each asset given (e.g. {@code vocab.txt}).
     */
    public static Path write(
            Path dir,
            Map<String, long[]> shapes,
            Map<String, float[]> values,
            boolean withObjectGraph,
            Map<String, byte[]> assets)
            throws IOException {
        TfRuntime.engine();
        Files.createDirectories(dir.resolve("variables"));
        Files.createDirectories(dir.resolve("assets"));
        for (var a : assets.entrySet()) Files.write(dir.resolve("assets").resolve(a.getKey()), a.getValue());
        Files.write(
                dir.resolve("saved_model.pb"),
                SavedModel.newBuilder()
                        .setSavedModelSchemaVersion(1)
                        .addMetaGraphs(MetaGraphDef.newBuilder()
                                .setMetaInfoDef(
                                        MetaGraphDef.MetaInfoDef.newBuilder().addTags("serve")))
                        .build()
                        .toByteArray());

        TrackableObjectGraph.Builder graph = TrackableObjectGraph.newBuilder();
        TrackableObject.Builder root = TrackableObject.newBuilder()
                .addChildren(TrackableObject.ObjectReference.newBuilder()
                        .setNodeId(1)
                        .setLocalName("encoder"));
        TrackableObject.Builder encoder = TrackableObject.newBuilder();
        Map<String, TType> tensors = new LinkedHashMap<>();
        int i = 0;
        try {
            for (var e : shapes.entrySet()) {
                String key = "encoder/var-" + i + "/.ATTRIBUTES/VARIABLE_VALUE";
                encoder.addChildren(TrackableObject.ObjectReference.newBuilder()
                        .setNodeId(2 + i)
                        .setLocalName("var-" + i));
                graph.addNodes(TrackableObject.newBuilder()
                        .addAttributes(TrackableObject.SerializedTensor.newBuilder()
                                .setName("VARIABLE_VALUE")
                                .setFullName(e.getKey())
                                .setCheckpointKey(key)));
                tensors.put(
                        key,
                        TFloat32.tensorOf(Shape.of(e.getValue()), DataBuffers.of(values.get(e.getKey()), true, false)));
                i++;
            }
            TrackableObjectGraph full = TrackableObjectGraph.newBuilder()
                    .addNodes(root)
                    .addNodes(encoder)
                    .addAllNodes(graph.getNodesList())
                    .build();
            if (withObjectGraph) {
                tensors.put(
                        "_CHECKPOINTABLE_OBJECT_GRAPH",
                        TString.tensorOfBytes(NdArrays.scalarOfObject(full.toByteArray())));
            }
            CheckpointWriter.write(dir.resolve("variables/variables"), tensors);
        } finally {
            tensors.values().forEach(TType::close);
        }
        return dir;
    }

    /**
     * The folder as TF Hub's compressed download packs it: a .tar.gz of {@code ./saved_model.pb}, {@code
     * ./variables/...}.
     */
    public static byte[] compressed(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        return TestArchives.tarGz(tar -> {
            for (Path f : files) {
                try {
                    TestArchives.addFile(
                            tar, "./" + dir.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
    }

    private static long[] dims(long... d) {
        return d;
    }
}
