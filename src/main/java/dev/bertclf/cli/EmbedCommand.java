package dev.bertclf.cli;

import dev.bertclf.infer.EncoderRunner;
import dev.bertclf.model.PretrainedModel;
import dev.bertclf.text.WordPieceTokenizer;
import dev.bertclf.train.Hyperparameters;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "embed",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = "Run a pretrained encoder on a text and show its pooled and sequence outputs.")
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

    @Parameters(paramLabel = "TEXT", arity = "1", description = "The text to encode.")
    String text;

    @Override
    public Integer call() {
        PretrainedModel m = modelOptions.resolve(maxSeqLen);
        try (WordPieceTokenizer tok = m.tokenizer(maxSeqLen);
                EncoderRunner encoder = new EncoderRunner(m)) {
            EncoderRunner.Outputs o = encoder.run(tok.encode(List.of(text)));
            System.out.println("Loaded BERT: " + m.name());
            System.out.println("Pooled Outputs Shape:(" + o.batch() + ", " + o.hidden() + ")");
            System.out.println("Pooled Outputs Values:" + NumpyPrint.head(o.pooled(), 0, 12));
            System.out.println("Sequence Outputs Shape:(" + o.batch() + ", " + o.seqLen() + ", " + o.hidden() + ")");
            for (int t = 0; t < Math.min(4, o.seqLen()); t++) {
                System.out.println(
                        "Sequence Outputs Values[0][" + t + "]:" + NumpyPrint.head(o.sequence(), t * o.hidden(), 6));
            }
        }
        return 0;
    }
}
