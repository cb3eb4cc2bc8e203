package dev.bertclf.cli;

import dev.bertclf.data.TableFile;
import dev.bertclf.data.TableFormat;
import dev.bertclf.infer.Prediction;
import dev.bertclf.infer.TextClassifier;
import dev.bertclf.options.ScoringOptions;
import dev.bertclf.runtime.ConsoleText;
import dev.bertclf.runtime.Json;
import dev.bertclf.runtime.Precision;
import dev.bertclf.score.FileScorer;
import dev.bertclf.score.OnError;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Classify texts with a trained model: the probability of the positive class, a label (the positive",
            "class when that probability is above the threshold: --threshold, else the model's, else 0.5) and",
            "the label's own probability (label_probability)",
            "(for a multi-class model: the most probable classes with their probabilities; for a multi-label model:",
            "every class over the model's threshold, with its probability).",
            "Reads one text per line from standard input when no TEXT is given (blank lines are skipped,",
            "invalid UTF-8 is replaced); an empty TEXT is a usage error. Long texts are cut to the model's tokens.",
            "With --input FILE --output FILE: scores a CSV, TSV or JSON Lines file in batches (memory bounded by",
            "the batch, not the file), keeping every input column and adding label, probability, for a",
            "multi-class model top, for a multi-label model labels (the classes over the threshold), and last",
            "label_probability (predicted_label, ... when the input has a label column). The output is written",
            "as OUTPUT.part and renamed when complete; --resume continues an interrupted run."
        })
final class PredictCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    DeviceOption deviceOption;

    @Mixin
    ScoringOptions scoring;

    @Option(
            names = "--model-dir",
            paramLabel = "DIR",
            description = "Trained model (default: the one the last 'train' wrote).")
    Path modelDir;

    @Option(names = "--json", description = "Print one JSON array of results.")
    boolean json;

    @Option(
            names = "--top",
            paramLabel = "N",
            defaultValue = "3",
            description = "Classes shown per text for a multi-class model, most probable first (1 to "
                    + TextClassifier.TOP + ").")
    int top;

    @Option(
            names = "--input",
            paramLabel = "FILE",
            description = "Score a CSV, TSV or JSON Lines file (format from its extension or --format) into --output "
                    + "(default: none: score TEXT or standard input).")
    Path input;

    @Option(
            names = "--output",
            paramLabel = "FILE",
            description =
                    "Where --input's scored rows go, in the input's format; never an existing file (default: none).")
    Path output;

    @Option(
            names = "--format",
            paramLabel = "csv|tsv|jsonl",
            description = "Format of --input (default: from its extension, .csv, .tsv, .jsonl or .ndjson).")
    TableFormat format;

    @Option(
            names = "--text-column",
            paramLabel = "NAME",
            defaultValue = TableFile.TEXT_COLUMN,
            description = "Column (JSON Lines: key) of --input holding the text.")
    String textColumn;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32", description = "Texts per model call.")
    int batchSize;

    @Option(
            names = "--on-error",
            paramLabel = "skip|fail",
            defaultValue = "fail",
            description = "A bad row of --input (empty text, a broken line): fail stops the run naming its line "
                    + "(the rows before it are kept for --resume); skip leaves it out of the output, counted and "
                    + "reported.")
    OnError onError;

    @Option(
            names = "--resume",
            description = "Continue the interrupted --input run that left OUTPUT.part, with the same options.")
    boolean resume;

    @Option(
            names = "--precision",
            paramLabel = "fp32|bf16",
            defaultValue = "fp32",
            description =
                    "fp32, or bf16: bfloat16 compute (oneDNN auto mixed precision; CPUs with AVX512-BF16 or AMX).")
    Precision precision;

    @Parameters(
            arity = "0..*",
            paramLabel = "TEXT",
            description = "Texts to classify (default: one per line from standard input).")
    List<String> texts = new ArrayList<>();

    /** Longest input shown in the plain-text output; longer ones are cut there (the model reads max_seq_len tokens). */
    private static final int SHOWN = 60;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (batchSize < 1) throw new ParameterException(spec.commandLine(), "--batch-size must be positive");
        if (precision == Precision.bf16 && deviceOption.useGpu()) {
            throw new ParameterException(
                    spec.commandLine(), "--precision bf16 is for CPUs (oneDNN); on a GPU use --precision fp32");
        }
        if (top < 1 || top > TextClassifier.TOP) {
            throw new ParameterException(spec.commandLine(), "--top must be between 1 and " + TextClassifier.TOP);
        }
        if (input != null || output != null) return scoreFile();
        if (resume || onError != OnError.fail || format != null) {
            throw new ParameterException(spec.commandLine(), "--resume, --on-error and --format go with --input FILE");
        }
        boolean gpu = deviceOption.useGpu();
        List<String> inputs = texts.isEmpty() ? StdinLines.readAll() : texts;
        if (inputs.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "no text to classify: pass TEXT or pipe lines to stdin");
        }
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i).isBlank()) {
                throw new ParameterException(
                        spec.commandLine(),
                        "TEXT " + (i + 1) + " is " + (texts.get(i).isEmpty() ? "empty" : "only whitespace")
                                + ": there is nothing to classify");
            }
        }
        Path dir = Defaults.modelDirOrLast(modelDir);
        try (TextClassifier clf = scoring.applyTo(TextClassifier.load(dir, gpu, precision, 0))) {
            List<Prediction> predictions = clf.predict(inputs, batchSize).stream()
                    .map(p -> p.withTop(top))
                    .toList();
            if (json) {
                System.out.println(ConsoleText.escapeJson(Json.PRETTY.toJson(predictions)));
            } else {
                for (Prediction p : predictions) {
                    if (p.labels() != null) {
                        StringBuilder labels = new StringBuilder();
                        for (Prediction.ClassProbability c : p.labels()) {
                            labels.append(String.format(
                                    Locale.ROOT, "  %s %.6f", ConsoleText.escape(c.label()), c.probability()));
                        }
                        System.out.printf(
                                Locale.ROOT,
                                "input: %-40s : labels:%s%n",
                                shown(p.text()),
                                labels.length() == 0 ? "  (none)" : labels);
                    } else if (p.top() == null) {
                        System.out.printf(
                                Locale.ROOT,
                                "input: %-40s : score: %.6f  %s  label_probability: %.6f%n",
                                shown(p.text()),
                                p.probability(),
                                ConsoleText.escape(p.label()),
                                p.labelProbability());
                    } else {
                        StringBuilder classes = new StringBuilder();
                        for (Prediction.ClassProbability c : p.top()) {
                            classes.append(String.format(
                                    Locale.ROOT, "  %s %.6f", ConsoleText.escape(c.label()), c.probability()));
                        }
                        System.out.printf(Locale.ROOT, "input: %-40s :%s%n", shown(p.text()), classes);
                    }
                }
            }
        }
        return 0;
    }

    /** {@code --input FILE --output FILE}: the file scored batch by batch, then a summary on stderr. */
    private int scoreFile() throws IOException {
        if (input == null || output == null) {
            throw new ParameterException(spec.commandLine(), "--input and --output go together: name both files");
        }
        if (!texts.isEmpty() || json) {
            throw new ParameterException(
                    spec.commandLine(), "--input reads the texts from the file: no TEXT or --json");
        }
        FileScorer.Job job = new FileScorer.Job(
                Defaults.modelDirOrLast(modelDir), input, output, format, textColumn, batchSize, onError, top, resume);
        FileScorer.check(job);
        FileScorer.Summary s;
        // SIGTERM or Ctrl-C mid-file: the rows done are kept for --resume; say so (it once ended without a word).
        List<String> typed = new ArrayList<>(spec.commandLine().getParseResult().originalArgs()); // "predict ..."
        if (!typed.contains("--resume")) typed.add("--resume");
        Thread hint = new Thread(
                () -> System.err.println("\nstopped; the rows scored so far are kept in "
                        + ConsoleText.escape(output + ".part") + ". Resume with: bert-clf "
                        + ConsoleText.escape(String.join(" ", typed))),
                "predict-resume-hint");
        Runtime.getRuntime().addShutdownHook(hint);
        try (TextClassifier clf =
                scoring.applyTo(TextClassifier.load(job.model(), deviceOption.useGpu(), precision, 0))) {
            s = FileScorer.score(job, clf);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hint);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it says how to resume
            }
        }
        String skipped = s.skipped() == 0
                ? ""
                : String.format(
                        Locale.ROOT,
                        "; %d bad row%s skipped, not in the output (line%s %s%s)",
                        s.skipped(),
                        s.skipped() == 1 ? "" : "s",
                        s.skipped() == 1 ? "" : "s",
                        s.skippedLines().stream().map(String::valueOf).collect(Collectors.joining(", ")),
                        s.skipped() > s.skippedLines().size() ? ", ..." : "");
        System.err.println(ConsoleText.escape(String.format(
                Locale.ROOT, "Scored %d rows%s, %.1f rows/s: %s", s.scored(), skipped, s.rate(), s.output())));
        return 0;
    }

    /**
     * The text on one line, cut to {@value #SHOWN} characters, with control characters made visible: one
     * prediction per line whatever the input holds, and nothing in it acts on the terminal.
     */
    static String shown(String text) {
        String line = text.replaceAll("\\s+", " ");
        return ConsoleText.escape(line.length() <= SHOWN ? line : line.substring(0, SHOWN - 3) + "...");
    }
}
