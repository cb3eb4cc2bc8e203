package dev.bertclf.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.StepStats;

class OpProfileTest {
    private static NodeExecStats node(String label, long nanos) {
        return NodeExecStats.newBuilder()
                .setNodeName(label.substring(0, label.indexOf(' ')))
                .setTimelineLabel(label)
                .setOpEndRelNanos(nanos)
                .build();
    }

    @Test
    void sumsNodeTimesByOpTypeCostliestFirst() {
        RunMetadata trace = RunMetadata.newBuilder()
                .setStepStats(StepStats.newBuilder()
                        .addDevStats(DeviceStepStats.newBuilder()
                                .setDevice("/job:localhost/replica:0/task:0/device:CPU:0")
                                .addNodeStats(node("a/BiasAdd = _MklNativeFusedMatMul(x, w, b)", 6_000_000))
                                .addNodeStats(node("[mklcpu 8.0MB 8.0MB] g/MatMul = _MklMatMul(dy, w)", 3_000_000))
                                .addNodeStats(node("a/Mul = Mul(a/BiasAdd, c)", 500_000))
                                .addNodeStats(node("b/Mul = Mul(b/x, c)", 500_000))
                                .addNodeStats(node("s/Einsum = _MklEinsum(q, k)", 0))))
                .build();
        OpProfile p = OpProfile.of(trace);
        assertEquals(10.0, p.totalMillis(), 1e-9);
        assertEquals("_MklNativeFusedMatMul", p.ops().get(0).type());
        assertEquals("_MklMatMul", p.ops().get(1).type());
        assertEquals("Mul", p.ops().get(2).type());
        assertEquals(2, p.ops().get(2).count());
        assertEquals(1.0, p.ops().get(2).millis(), 1e-9);
        assertEquals(0.9, p.matMulShare(), 1e-9);
        assertEquals(0.6, (double) p.top(1).get(0).get("share"), 1e-9);
        String table = p.toTable("Training fp32 step, traced", 2);
        assertTrue(table.startsWith("Training fp32 step, traced: 10 ms of op time, 90% in MatMul work"), table);
        assertEquals(3, table.lines().count(), table);
    }

    @Test
    void aLabelOfAnotherFormIsItsOwnType() {
        assertEquals("NoOp", OpProfile.opType("_SOURCE = NoOp()"));
        assertEquals("weird label", OpProfile.opType("weird label"));
    }
}
