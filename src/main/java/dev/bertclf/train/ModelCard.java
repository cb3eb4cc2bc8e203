package dev.bertclf.train;

import dev.bertclf.runtime.Version;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code README.md} of a trained model folder: what a colleague who finds the folder needs without bert-clf at
 * hand (the base model, the data and its size, the classes, how it was trained, how well it did, and how to load it
 * from bert-clf, Java, Python and TensorFlow Serving). Written with every export, so it always describes the model
 * beside it.
 *
 * @param data the data in words, with its counts ("reviews.csv: 320 training and 80 validation examples")
 */
public record ModelCard(
        String baseModel,
        String data,
        List<String> classNames,
        Map<String, Object> hyperparameters,
        EpochMetrics kept,
        int epochsTrained,
        String why,
        boolean lowercase,
        String vocabulary) {
    public static final String FILE = "README.md";

    public String markdown(Path folder) {
        String name = folder.getFileName().toString();
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(name).append(": a text classifier fine-tuned with bert-clf\n\n");
        sb.append("| | |\n| --- | --- |\n");
        row(sb, "base model", "`" + baseModel + "` (" + (lowercase ? "uncased" : "cased") + ")");
        row(sb, "data", data);
        row(
                sb,
                "classes",
                String.join(", ", classNames.stream().map(c -> "`" + c + "`").toList()));
        row(sb, "kept epoch", kept.epoch() + " of " + epochsTrained + " trained (" + why + ")");
        row(
                sb,
                "validation",
                String.format(
                        Locale.ROOT,
                        "loss %.4f, accuracy %.4f, F1 %.4f (training loss %.4f, accuracy %.4f)",
                        kept.valLoss(),
                        kept.valAccuracy(),
                        kept.valF1(),
                        kept.loss(),
                        kept.accuracy()));
        StringBuilder hp = new StringBuilder();
        hyperparameters.forEach((k, v) ->
                hp.append(hp.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
        row(sb, "hyperparameters", hp.toString());
        row(sb, "written by", "bert-clf " + Version.get());
        sb.append("\n![training curves](").append(TrainingCurvesPlot.FILE).append(")\n\n");
        sb.append("`history.json` and `metrics.csv` hold every epoch's metrics, `train.log` the run's log, `")
                .append(TensorBoardLog.FOLDER)
                .append("/` its TensorBoard event files (`tensorboard --logdir ")
                .append(name)
                .append('/')
                .append(TensorBoardLog.FOLDER)
                .append("`), `metadata.json` what a program needs to use the model, `")
                .append(RunRecord.FILE)
                .append("` how to reproduce the run (command, settings, data digests, build, platform).\n\n");
        sb.append("## Use it\n\nbert-clf:\n\n```bash\nbert-clf predict --model-dir ")
                .append(name)
                .append(" \"this is such an amazing movie!\"\nbert-clf predict --model-dir ")
                .append(name)
                .append(" --input texts.csv --output scored.csv\nbert-clf serve --model-dir ")
                .append(name)
                .append("\n```\n\n");
        sb.append("Java, with bert-clf's jar on the class path:\n\n```java\n")
                .append("try (TextClassifier clf = TextClassifier.load(Path.of(\"")
                .append(name)
                .append("\"))) {\n    List<Prediction> p = ")
                .append("clf.predict(List.of(\"this is such an amazing movie!\"), 32);\n}\n```\n\n");
        sb.append("It is a TensorFlow SavedModel (signature `serving_default`: int32 `input_word_ids`, `input_mask`, ")
                .append("`input_type_ids` [batch, tokens] to `logits` and `probabilities`), whose tokens come from `")
                .append(vocabulary)
                .append("`")
                .append(lowercase ? ", lower-cased" : "")
                .append(" (`[CLS] text [SEP]`). Python:\n\n```python\nimport tensorflow as tf\n")
                .append("serve = tf.saved_model.load(\"")
                .append(name)
                .append("\").signatures[\"serving_default\"]\n```\n\n")
                .append("TensorFlow Serving: copy the folder to `models/")
                .append(name)
                .append("/1` and run `tensorflow/serving` with `MODEL_NAME=")
                .append(name)
                .append("`.\n");
        return sb.toString();
    }

    private static void row(StringBuilder sb, String key, String value) {
        sb.append("| ")
                .append(key)
                .append(" | ")
                .append(value.replace("|", "\\|"))
                .append(" |\n");
    }
}
