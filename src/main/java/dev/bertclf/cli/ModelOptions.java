package dev.bertclf.cli;

import dev.bertclf.model.ModelResolver;
import dev.bertclf.model.PretrainedModel;
import dev.bertclf.runtime.BertClfHome;
import dev.bertclf.runtime.InvalidOptionException;
import picocli.CommandLine.Option;

/** How commands that start from a pretrained encoder pick it: by name or folder, optionally through a mirror. */
final class ModelOptions {
    /** The tutorial's choice of model. */
    static final String DEFAULT = "small_bert/bert_en_uncased_L-4_H-512_A-8";

    @Option(
            names = "--model",
            paramLabel = "NAME|DIR",
            defaultValue = DEFAULT,
            description = "A model name from the tutorial's table (e.g. small_bert/L-4_H-512_A-8) or a folder "
                    + "(Google's release layout, a SavedModel with bert_config.json, or a Hugging Face folder with "
                    + "config.json and model.safetensors).")
    String model;

    @Option(
            names = "--model-mirror",
            paramLabel = "URL",
            description = "Host replacing the model download host "
                    + "(storage.googleapis.com, tfhub.dev), keeping paths (default: "
                    + "$BERT_CLF_MODEL_MIRROR, else none).")
    String modelMirror;

    PretrainedModel resolve() {
        return new ModelResolver(BertClfHome.models(), modelMirror).resolve(model);
    }

    /**
     * The model, for a sequence length that it has positions for: a longer one is a usage error (exit 2), as in
     * {@code train}, rather than a tokenizer that silently stops at the model's length.
     */
    PretrainedModel resolve(int maxSeqLen) {
        if (maxSeqLen < 2) {
            throw new InvalidOptionException(
                    "--max-seq-len must leave room for [CLS] and [SEP] (2 or more), got " + maxSeqLen);
        }
        PretrainedModel m = resolve();
        m.config().requirePositions(maxSeqLen, m.name());
        return m;
    }
}
