package dev.bertclf.cli;

import dev.bertclf.model.PretrainedModel;
import dev.bertclf.text.EncodedBatch;
import dev.bertclf.text.WordPieceTokenizer;
import dev.bertclf.train.Hyperparameters;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "preprocess",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = "Show how a model's WordPiece preprocessing turns a text into its three input tensors.")
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

    @Parameters(paramLabel = "TEXT", arity = "1", description = "The text to tokenize.")
    String text;

    @Override
    public Integer call() {
        PretrainedModel m = modelOptions.resolve(maxSeqLen);
        try (WordPieceTokenizer tok = m.tokenizer(maxSeqLen)) {
            EncodedBatch b = tok.encode(List.of(text));
            System.out.println("Keys       : ['input_word_ids', 'input_mask', 'input_type_ids']");
            System.out.println("Shape      : (" + b.batchSize() + ", " + b.seqLen() + ")");
            System.out.println("Word Ids   : " + NumpyPrint.head(b.wordIds(), 12));
            System.out.println("Input Mask : " + NumpyPrint.head(b.mask(), 12));
            System.out.println("Type Ids   : " + NumpyPrint.head(b.typeIds(), 12));
        }
        return 0;
    }
}
