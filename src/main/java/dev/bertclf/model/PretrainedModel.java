package dev.bertclf.model;

import dev.bertclf.model.checkpoint.CheckpointIndex;
import dev.bertclf.model.checkpoint.CheckpointReader;
import dev.bertclf.model.hf.HfEncoderWeights;
import dev.bertclf.model.hub.HubEncoderWeights;
import dev.bertclf.text.Truncation;
import dev.bertclf.text.WordPieceTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * A BERT encoder on disk, whatever its source: config, vocabulary, casing, and (unless it is to start from
 * random weights) the checkpoint with the scope its variables carry ({@code ""} for Google's release,
 * {@code module/} for a TF1 hub module). A TF Hub TF2 SavedModel ({@link Format#TF_HUB}) keeps its variables under
 * object paths and Model Garden names instead, so those are read through {@link HubEncoderWeights}; a Hugging Face
 * folder ({@link Format#HUGGING_FACE}) keeps them in {@code model.safetensors} (the {@code checkpointPrefix}) under
 * PyTorch names, read through {@link HfEncoderWeights}. It hands out initial weights by Google's names, so the graph
 * never needs to know where they came from.
 */
public record PretrainedModel(
        String name,
        Path directory,
        BertConfig config,
        Path vocab,
        boolean sentencePiece,
        boolean lowercase,
        Path checkpointPrefix,
        String variablePrefix,
        Format format) {
    private static final Logger log = LoggerFactory.getLogger(PretrainedModel.class);

    /** How the weights are stored, and so how their names are read. */
    public enum Format {
        /** A TF1 checkpoint under Google's names (a release, a TF1 hub module, a SavedModel's variables). */
        CHECKPOINT,
        /** A TF Hub TF2 SavedModel: object paths, Model Garden names. */
        TF_HUB,
        /** A Hugging Face folder's {@code model.safetensors}: transformers' names. */
        HUGGING_FACE
    }

    /** {@link #tokenizer(int, Truncation)} keeping the first tokens of longer texts. */
    public WordPieceTokenizer tokenizer(int maxSeqLen) {
        return tokenizer(maxSeqLen, Truncation.HEAD);
    }

    /**
     * The tokenizer this model was pre-trained with (WordPiece or SentencePiece), padding to {@code maxSeqLen} and
     * keeping the tokens of longer texts that {@code truncation} says; the caller closes it.
     */
    public WordPieceTokenizer tokenizer(int maxSeqLen, Truncation truncation) {
        return WordPieceTokenizer.builder(vocab, sentencePiece)
                .lowercase(lowercase)
                .maxSeqLen(maxSeqLen)
                .truncation(truncation)
                .build();
    }

    /** A folder with a config and a vocabulary but no checkpoint: training starts the encoder from random weights. */
    public boolean startsFromRandomWeights() {
        return checkpointPrefix == null;
    }

    /**
     * Weights for every variable in {@code shapes}: encoder variables from the checkpoint (each one present with
     * the shape the config implies, or an error naming it), everything else, such as the classifier head, fresh.
     */
    public Weights initialWeights(Map<String, Shape> shapes, long seed) {
        Weights out = WeightInit.create(shapes, config.initializerRange, seed);
        if (startsFromRandomWeights()) return out;
        try (Weights restored = Weights.of(
                switch (format) {
                    case CHECKPOINT -> readCheckpoint(shapes);
                    case TF_HUB -> readHub(shapes);
                    case HUGGING_FACE -> readHuggingFace(shapes);
                })) {
            log.info("Restored {} encoder variables from {}", restored.size(), checkpointPrefix);
            out.takeAll(restored);
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    private static boolean isEncoder(String variable) {
        return !variable.startsWith(BertClassifier.HEAD_SCOPE + "/");
    }

    /** The encoder's variables from the SavedModel's object-based checkpoint, by our names. */
    private Map<String, TFloat32> readHub(Map<String, Shape> shapes) {
        return HubEncoderWeights.open(directory).read(encoderShapes(shapes));
    }

    /** The encoder's variables from a Hugging Face {@code model.safetensors}, by our names. */
    private Map<String, TFloat32> readHuggingFace(Map<String, Shape> shapes) {
        return HfEncoderWeights.read(checkpointPrefix, config, encoderShapes(shapes));
    }

    private static Map<String, Shape> encoderShapes(Map<String, Shape> shapes) {
        Map<String, Shape> encoder = new LinkedHashMap<>();
        shapes.forEach((k, v) -> {
            if (isEncoder(k)) encoder.put(k, v);
        });
        return encoder;
    }

    /** The encoder's variables from a name-based TF1 checkpoint, by our names (the scope taken off). */
    private Map<String, TFloat32> readCheckpoint(Map<String, Shape> shapes) {
        Map<String, CheckpointIndex.Entry> index = CheckpointIndex.read(checkpointPrefix);
        List<String> wanted = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (var e : shapes.entrySet()) {
            if (!isEncoder(e.getKey())) continue;
            String stored = variablePrefix + e.getKey();
            CheckpointIndex.Entry entry = index.get(stored);
            if (entry == null) {
                problems.add("variable " + stored + " is missing");
            } else if (!Arrays.equals(entry.shape(), e.getValue().asArray())) {
                problems.add("variable " + stored + " has shape " + Arrays.toString(entry.shape())
                        + " in the checkpoint but bert_config.json implies "
                        + Arrays.toString(e.getValue().asArray()));
            } else {
                wanted.add(stored);
            }
        }
        if (!problems.isEmpty()) {
            throw new ModelException("checkpoint " + checkpointPrefix + " does not fit "
                    + directory.resolve("bert_config.json") + ": " + ModelException.firstFive(problems, "; "));
        }
        Map<String, TFloat32> restored = CheckpointReader.read(checkpointPrefix, wanted);
        Map<String, TFloat32> byOurName = new LinkedHashMap<>();
        restored.forEach((k, v) -> byOurName.put(k.substring(variablePrefix.length()), v));
        return byOurName;
    }
}
