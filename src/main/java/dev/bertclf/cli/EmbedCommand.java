package dev.bertclf.cli;

import dev.bertclf.infer.EncoderRunner;
import dev.bertclf.model.PretrainedModel;
import dev.bertclf.runtime.ConsoleText;
import dev.bertclf.runtime.Json;
import dev.bertclf.text.WordPieceTokenizer;
import dev.bertclf.train.Hyperparameters;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "embed",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Run a pretrained encoder on a text and show its pooled and sequence outputs.",
            "Without TEXT, reads one text per line from standard input (blank lines are skipped)."
        })
final class EmbedCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    ModelOptions modelOptions;

    @Option(
            names = "--max-seq-len",
            paramLabel = "N",
            defaultValue = "" + Hyperparameters.MAX_SEQ_LEN,
            description = "Tokens per text, [CLS] and [SEP] included; shorter texts are padded.")
    int maxSeqLen;

    @Option(
            names = "--json",
            description = "One JSON object per text, on one line: the text, the whole pooled_output (hidden size "
                    + "values) and sequence_output (one row per token, padding included).")
    boolean json;

    @Parameters(paramLabel = "TEXT", arity = "0..1", description = "The text to encode.")
    String text;

    @Override
    public Integer call() throws IOException {
        PretrainedModel m = modelOptions.resolve(maxSeqLen);
        try (WordPieceTokenizer tok = m.tokenizer(maxSeqLen);
                EncoderRunner encoder = new EncoderRunner(m)) {
            if (!json) System.out.println("Loaded BERT: " + m.name());
            if (text != null) print(tok, encoder, text);
            else StdinLines.forEach(t -> print(tok, encoder, t));
        }
        return 0;
    }

    private void print(WordPieceTokenizer tok, EncoderRunner encoder, String t) {
        EncoderRunner.Outputs o = encoder.run(tok.encode(List.of(t)));
        if (json) {
            float[][] sequence = new float[o.seqLen()][];
            for (int s = 0; s < o.seqLen(); s++) {
                sequence[s] = Arrays.copyOfRange(o.sequence(), s * o.hidden(), (s + 1) * o.hidden());
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("text", t);
            row.put("pooled_output", o.pooled());
            row.put("sequence_output", sequence);
            System.out.println(ConsoleText.escapeJson(Json.COMPACT.toJson(row)));
            return;
        }
        if (text == null) System.out.println("Text: " + PredictCommand.shown(t));
        System.out.println("Pooled Outputs Shape:(" + o.batch() + ", " + o.hidden() + ")");
        System.out.println("Pooled Outputs Values:" + NumpyPrint.head(o.pooled(), 0, 12));
        System.out.println("Sequence Outputs Shape:(" + o.batch() + ", " + o.seqLen() + ", " + o.hidden() + ")");
        for (int s = 0; s < Math.min(4, o.seqLen()); s++) {
            System.out.println(
                    "Sequence Outputs Values[0][" + s + "]:" + NumpyPrint.head(o.sequence(), s * o.hidden(), 6));
        }
    }
}
