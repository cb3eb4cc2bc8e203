package dev.bertclf.cli;

import com.google.gson.GsonBuilder;
import dev.bertclf.infer.Prediction;
import dev.bertclf.infer.TextClassifier;
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
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "predict", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Classify texts with a trained model: the probability of the positive class and a label.",
                "Reads one text per line from standard input when no TEXT is given."})
final class PredictCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin DeviceOption deviceOption;

    @Option(names = "--model-dir", paramLabel = "DIR",
            description = "Trained model (default: the one the last 'train' wrote).")
    Path modelDir;

    @Option(names = "--json", description = "Print one JSON array of results.")
    boolean json;

    @Parameters(arity = "0..*", paramLabel = "TEXT", description = "Texts to classify (default: one per line from standard input).")
    List<String> texts = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        boolean gpu = deviceOption.useGpu();
        Path dir = Defaults.modelDirOrLast(modelDir);
        List<String> inputs = texts.isEmpty() ? readStdin() : texts;
        if (inputs.isEmpty()) throw new IllegalArgumentException("no text to classify: pass TEXT or pipe lines to stdin");
        try (TextClassifier clf = TextClassifier.load(dir, gpu)) {
            List<Prediction> predictions = clf.predict(inputs, 32);
            if (json) {
                System.out.println(new GsonBuilder().setPrettyPrinting().create().toJson(predictions));
            } else {
                for (Prediction p : predictions) {
                    System.out.printf(Locale.ROOT, "input: %-40s : score: %.6f  %s%n", p.text(), p.probability(), p.label());
                }
            }
        }
        return 0;
    }

    /** Non-empty lines of stdin, invalid UTF-8 replaced rather than fatal. */
    private static List<String> readStdin() throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(System.in, decoder))) {
            for (String line; (line = r.readLine()) != null; ) if (!line.isBlank()) lines.add(line);
        }
        return lines;
    }
}
