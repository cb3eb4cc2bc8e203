package dev.bertclf.cli;

import dev.bertclf.model.PretrainedModel;
import dev.bertclf.runtime.ConsoleText;
import dev.bertclf.runtime.Json;
import dev.bertclf.text.EncodedBatch;
import dev.bertclf.text.WordPieceTokenizer;
import dev.bertclf.train.Hyperparameters;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "preprocess",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Show how a model's preprocessing turns a text into its three input tensors.",
            "Without TEXT, reads one text per line from standard input (blank lines are skipped)."
        })
final class PreprocessCommand implements Callable<Integer> {
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
            description = "One JSON object per text, on one line: the text, its word pieces and every id of "
                    + "input_word_ids, input_mask and input_type_ids.")
    boolean json;

    @Parameters(paramLabel = "TEXT", arity = "0..1", description = "The text to tokenize.")
    String text;

    @Override
    public Integer call() throws IOException {
        PretrainedModel m = modelOptions.resolve(maxSeqLen);
        try (WordPieceTokenizer tok = m.tokenizer(maxSeqLen)) {
            if (text != null) print(tok, text);
            else StdinLines.forEach(t -> print(tok, t));
        }
        return 0;
    }

    private void print(WordPieceTokenizer tok, String t) {
        EncodedBatch b = tok.encode(List.of(t));
        if (json) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("text", t);
            row.put("tokens", tok.tokens(t));
            row.put("input_word_ids", b.wordIds());
            row.put("input_mask", b.mask());
            row.put("input_type_ids", b.typeIds());
            System.out.println(ConsoleText.escapeJson(Json.COMPACT.toJson(row)));
            return;
        }
        if (text == null) System.out.println("Text       : " + PredictCommand.shown(t));
        System.out.println("Keys       : ['input_word_ids', 'input_mask', 'input_type_ids']");
        System.out.println("Shape      : (" + b.batchSize() + ", " + b.seqLen() + ")");
        System.out.println("Word Ids   : " + NumpyPrint.head(b.wordIds(), 12));
        System.out.println("Input Mask : " + NumpyPrint.head(b.mask(), 12));
        System.out.println("Type Ids   : " + NumpyPrint.head(b.typeIds(), 12));
    }
}
