package dev.bertclf.cli;

import dev.bertclf.infer.Prediction;
import dev.bertclf.infer.TextClassifier;
import dev.bertclf.runtime.ConsoleText;
import dev.bertclf.runtime.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
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
            "Classify texts with a trained model: the probability of the positive class and a label",
            "(for a multi-class model: the most probable classes with their probabilities).",
            "Reads one text per line from standard input when no TEXT is given (blank lines are skipped,",
            "invalid UTF-8 is replaced); an empty TEXT is a usage error. Long texts are cut to the model's tokens."
        })
final class PredictCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    DeviceOption deviceOption;

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
        if (top < 1 || top > TextClassifier.TOP) {
            throw new ParameterException(spec.commandLine(), "--top must be between 1 and " + TextClassifier.TOP);
        }
        boolean gpu = deviceOption.useGpu();
        List<String> inputs = texts.isEmpty() ? readStdin() : texts;
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
        try (TextClassifier clf = TextClassifier.load(dir, gpu)) {
            List<Prediction> predictions =
                    clf.predict(inputs, 32).stream().map(p -> p.withTop(top)).toList();
            if (json) {
                System.out.println(ConsoleText.escapeJson(Json.PRETTY.toJson(predictions)));
            } else {
                for (Prediction p : predictions) {
                    if (p.top() == null) {
                        System.out.printf(
                                Locale.ROOT,
                                "input: %-40s : score: %.6f  %s%n",
                                shown(p.text()),
                                p.probability(),
                                ConsoleText.escape(p.label()));
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

    /**
     * The text on one line, cut to {@value #SHOWN} characters, with control characters made visible: one
     * prediction per line whatever the input holds, and nothing in it acts on the terminal.
     */
    static String shown(String text) {
        String line = text.replaceAll("\\s+", " ");
        return ConsoleText.escape(line.length() <= SHOWN ? line : line.substring(0, SHOWN - 3) + "...");
    }

    /** Non-empty lines of stdin, invalid UTF-8 replaced rather than fatal. */
    private static List<String> readStdin() throws IOException {
        var decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(System.in, decoder))) {
            for (String line; (line = r.readLine()) != null; ) if (!line.isBlank()) lines.add(line);
        }
        return lines;
    }
}
