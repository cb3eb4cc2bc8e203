package dev.bertclf.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.infer.EncoderRunner;
import dev.bertclf.model.BertConfig;
import dev.bertclf.model.ModelResolver;
import dev.bertclf.model.PretrainedModel;
import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.testutil.HfFolders;
import dev.bertclf.text.EncodedBatch;
import dev.bertclf.text.WordPieceTokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.SavedModelBundle;

/**
 * Google's real BERT-base weights written as a Hugging Face folder (transformers' tensor names, written literally
 * by {@link HfFolders}, Linear weights transposed to {@code [out, in]}, float32 safetensors), loaded through
 * {@code --model}'s Hugging Face path, against Google's own graph on its own checkpoint, to the tolerance of
 * {@link GoogleGraphGoldenTest}. The config says {@code gelu_new}, the tanh GELU Google's graph computes (the Hub's
 * {@code bert-base-uncased} says {@code gelu}, the erf form, and differs from Google's graph by about 1e-3).
 * Opt-in, as {@link GoogleGraphGoldenTest}: {@code mvn -Pgolden test -Dtest=HuggingFaceGoldenTest}.
 */
@Tag("golden")
class HuggingFaceGoldenTest {
    private static final int SEQ = GoogleGraphGoldenTest.SEQ, HIDDEN = GoogleGraphGoldenTest.HIDDEN;

    @TempDir
    Path tmp;

    @Test
    void googlesWeightsAsAHuggingFaceFolderMatchGooglesGraph() throws Exception {
        TfRuntime.engine();
        Path google = GoogleGraphGoldenTest.unzip(tmp.resolve("bert-base"));
        BertConfig config = BertConfig.of(30522, 12, 768, 12);
        Path hf = HfFolders.write(
                tmp.resolve("hf"),
                config,
                google.resolve("variables/variables"),
                "module/",
                google.resolve("assets/vocab.txt"),
                HfFolders.Style.of(config));
        PretrainedModel ours = new ModelResolver(tmp.resolve("cache"), null).resolve(hf.toString());
        assertTrue(ours.format() == PretrainedModel.Format.HUGGING_FACE && ours.lowercase());
        List<String> sentences = List.of(
                "this is such an amazing movie!",
                "The movie was terrible... I hated every minute of it.",
                "ok",
                "Naïve café-goers say: «unbelievable» — 100% worth it?! 日本語 too. \uD83D\uDE00 \u2603",
                "A long review. ".repeat(60));
        double maxPooled = 0, maxSequence = 0;
        try (WordPieceTokenizer tok = ours.tokenizer(SEQ);
                EncoderRunner runner = new EncoderRunner(ours);
                SavedModelBundle bundle = SavedModelBundle.load(google.toString(), "serve")) {
            EncodedBatch b = GoogleGraphGoldenTest.withPair(
                    tok.encode(sentences), tok.encode(List.of("the cat sat on the mat.", "it was very comfortable.")));
            EncoderRunner.Outputs mine = runner.run(b);
            float[][] ref = GoogleGraphGoldenTest.runGoogle(bundle, b);
            assertEquals(HIDDEN, mine.hidden());
            for (int row = 0; row < b.batchSize(); row++) {
                maxPooled = Math.max(
                        maxPooled, GoogleGraphGoldenTest.maxDiff(mine.pooled(), ref[0], row * HIDDEN, HIDDEN, null, 0));
                maxSequence = Math.max(
                        maxSequence,
                        GoogleGraphGoldenTest.maxDiff(
                                mine.sequence(), ref[1], row * SEQ * HIDDEN, SEQ * HIDDEN, b.mask(), 1));
            }
        }
        System.out.printf(
                "golden hf: largest pooled difference %.3g, largest sequence difference %.3g%n",
                maxPooled, maxSequence);
        assertTrue(maxPooled <= GoogleGraphGoldenTest.TOLERANCE, "pooled output differs by " + maxPooled);
        assertTrue(maxSequence <= GoogleGraphGoldenTest.TOLERANCE, "sequence output differs by " + maxSequence);
    }
}
