package dev.bertclf.infer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.model.ModelResolver;
import dev.bertclf.model.PretrainedModel;
import dev.bertclf.runtime.SessionOptions;
import dev.bertclf.testutil.TinyBert;
import dev.bertclf.text.EncodedBatch;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bf16 inference (oneDNN's auto mixed precision rewrite) against fp32 on the same weights: as close as bf16's 8
 * significant bits allow, and really rounded (a rewrite that silently did not run would give equal outputs). The
 * golden test compares BERT-base in bf16 with Google's fp32 graph the same way.
 */
class Bf16InferenceTest {
    @TempDir
    Path tmp;

    @Test
    void bf16OutputsAreFp32sToBf16Precision() throws Exception {
        PretrainedModel model = new ModelResolver(tmp.resolve("cache"), null)
                .resolve(TinyBert.write(tmp.resolve("m"), "").toString());
        int rows = 4, seq = 24, vocab = TinyBert.vocabulary().size();
        int[] ids = new int[rows * seq], mask = new int[rows * seq];
        Random rnd = new Random(3);
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 5 + rnd.nextInt(vocab - 5);
            mask[i] = i % seq < 8 + 4 * (i / seq) ? 1 : 0;
        }
        EncodedBatch batch = new EncodedBatch(rows, seq, ids, mask, new int[rows * seq]);
        EncoderRunner.Outputs fp32, bf16;
        try (EncoderRunner r = new EncoderRunner(model, new SessionOptions(0, 0, false))) {
            fp32 = r.run(batch);
        }
        try (EncoderRunner r = new EncoderRunner(model, new SessionOptions(0, 0, true))) {
            bf16 = r.run(batch);
        }
        double[] seqDiff = difference(bf16.sequence(), fp32.sequence());
        double[] pooledDiff = difference(bf16.pooled(), fp32.pooled());
        // Hidden states are LayerNorm outputs of order 1: bf16 rounds each op's inputs to 2^-9 relative.
        assertTrue(
                seqDiff[0] < 0.1 && seqDiff[1] < 0.02, "sequence max/mean difference " + seqDiff[0] + "/" + seqDiff[1]);
        assertTrue(pooledDiff[0] < 0.01, "pooled max difference " + pooledDiff[0]);
        assertTrue(seqDiff[0] > 1e-4, "bf16 rounding shows, so the rewrite ran: " + seqDiff[0]);
    }

    /** Largest and mean absolute difference. */
    private static double[] difference(float[] a, float[] b) {
        double max = 0, sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs(a[i] - b[i]);
            max = Math.max(max, d);
            sum += d;
        }
        System.out.printf("bf16 vs fp32: max %.3g, mean %.3g%n", max, sum / a.length);
        return new double[] {max, sum / a.length};
    }
}
