package dev.bertclf.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.model.BertConfig;
import dev.bertclf.runtime.Precision;
import dev.bertclf.runtime.TfRuntime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat32;

class MatMulCeilingTest {
    private static final MatMulCeiling.Shape SHAPE = new MatMulCeiling.Shape(64, 32, 128);

    /**
     * The timed runs read variables of the precision and multiply two, bare or adding the third as a bias (one fused
     * kernel, as in the model's dense layers): no Cast, no Sum, no random numbers, nothing fetched. Both forms are
     * timed, as neither is the faster everywhere.
     */
    @Test
    void theTimedRunIsTheDenseProductOfVariablesInThePrecision() {
        TfRuntime.engine();
        for (boolean withBias : new boolean[] {false, true}) {
            assertTimedGraph(TFloat32.class, DataType.DT_FLOAT, withBias);
            assertTimedGraph(TBfloat16.class, DataType.DT_BFLOAT16, withBias);
        }
    }

    private static void assertTimedGraph(
            Class<? extends org.tensorflow.types.family.TFloating> type, DataType dtype, boolean withBias) {
        try (Graph g = new Graph()) {
            Operand<?> product = MatMulCeiling.timedProduct(Ops.create(g), SHAPE, type, withBias);
            GraphOperation top = (GraphOperation) product.op();
            assertEquals(withBias ? "BiasAdd" : "MatMul", top.type());
            assertEquals(dtype, product.asOutput().dataType());
            List<String> types = new ArrayList<>();
            Set<GraphOperation> seen = new HashSet<>();
            Deque<GraphOperation> todo = new ArrayDeque<>(List.of(top));
            while (!todo.isEmpty()) {
                GraphOperation op = todo.pop();
                if (!seen.add(op)) continue;
                types.add(op.type());
                for (int i = 0; i < op.numInputs(); i++) {
                    todo.push((GraphOperation) op.input(i).op());
                    String read = op.input(i).dataType().name().replace("_REF", ""); // a variable's output is a ref
                    assertEquals(dtype.name(), read, op.type() + " reads " + dtype);
                }
                todo.addAll(op.controlInputs());
            }
            types.sort(null);
            assertEquals(
                    withBias
                            ? List.of("BiasAdd", "MatMul", "VariableV2", "VariableV2", "VariableV2")
                            : List.of("MatMul", "VariableV2", "VariableV2"),
                    types,
                    "what the timed run computes");
        }
    }

    @Test
    void shapesAreTheDenseProductsOfTheModel() {
        BertConfig c = BertConfig.of(30522, 4, 512, 8);
        assertEquals(
                List.of(
                        new MatMulCeiling.Shape(4096, 512, 512),
                        new MatMulCeiling.Shape(4096, 512, 2048),
                        new MatMulCeiling.Shape(4096, 2048, 512)),
                MatMulCeiling.shapesOf(c, 32, 128));
        assertEquals(
                "[4096,512]x[512,2048]",
                MatMulCeiling.shapesOf(c, 32, 128).get(1).toString());
    }

    /** The ceiling is the best shape; measured again, each shape keeps its best figure. */
    @Test
    void theCeilingIsTheBestShapeAndKeepsTheBestOfTwoMeasurements() {
        MatMulCeiling.Result a = ceiling(100, 300);
        MatMulCeiling.Result b = new MatMulCeiling.Result(
                List.of(new MatMulCeiling.Figure(SHAPE, 150, 200), new MatMulCeiling.Figure(SHAPE, 50, 250)));
        assertEquals(100, a.fp32());
        assertEquals(300, a.bf16());
        MatMulCeiling.Result best = a.max(b);
        assertEquals(150, best.fp32());
        assertEquals(300, best.bf16());
    }

    /** A share above 1 has the ceiling measured again (bounded), then is shown as noisy, never as a figure. */
    @Test
    void aShareAboveTheCeilingIsMeasuredAgainThenShownAsNoisy() {
        BertConfig c = BertConfig.of(30522, 4, 512, 8);
        double gflops = FlopCount.trainingPerExample(c, 128) * 32 / 1.0 / 1e9; // one step a second: ~322 GFLOP/s
        AtomicInteger calls = new AtomicInteger();
        BenchReport low = report(c, ceiling(gflops / 2, gflops * 10));
        BenchReport noisy = low.settled(
                () -> {
                    calls.incrementAndGet();
                    return ceiling(gflops / 3, gflops);
                },
                2);
        assertEquals(2, calls.get(), "bounded retries");
        assertEquals(2, noisy.ceilingRemeasures());
        assertEquals(gflops / 2, noisy.ceiling().fp32(), 1e-9, "the best ceiling is kept");
        assertEquals(BenchReport.NOISY, noisy.toMap().get("train_fp32_share_of_ceiling"));
        String table = noisy.toTable();
        assertTrue(table.contains("noisy (above the ceiling)"), table);
        assertTrue(table.contains("measured again 2x"), table);
        assertFalse(noisy.toMap().containsKey("serve_clients"), "serve skipped: no serve figures");
        assertFalse(table.contains("serve "), table);

        BenchReport settled = low.settled(() -> ceiling(gflops * 2, gflops * 10), 2);
        assertEquals(1, settled.ceilingRemeasures());
        assertEquals(0.5, (double) settled.toMap().get("train_fp32_share_of_ceiling"), 1e-9);
        assertFalse(settled.toTable().contains("above the ceiling"), settled.toTable());
    }

    private static MatMulCeiling.Result ceiling(double fp32, double bf16) {
        return new MatMulCeiling.Result(List.of(new MatMulCeiling.Figure(SHAPE, fp32, bf16)));
    }

    private static BenchReport report(BertConfig c, MatMulCeiling.Result ceiling) {
        ModelBenchmark.Timing step = new ModelBenchmark.Timing(1.0, 0.0, 1L << 30);
        ModelBenchmark.Timing batch = new ModelBenchmark.Timing(10.0, 0.0, 1L << 30);
        Map<Precision, BenchReport.Phases> phases = new LinkedHashMap<>();
        phases.put(Precision.fp32, new BenchReport.Phases(step, batch));
        return new BenchReport(
                "L-4_H-512_A-8",
                c,
                32,
                128,
                ceiling,
                0,
                phases,
                1000,
                Map.of(),
                new double[0],
                BenchReport.Serving.NONE,
                0);
    }
}
