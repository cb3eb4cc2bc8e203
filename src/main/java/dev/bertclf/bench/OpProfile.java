package dev.bertclf.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;

/**
 * Where one traced step's time goes, by op type as the kernels ran it (after TensorFlow's graph rewrites, so a
 * dense layer shows as {@code _MklFusedMatMul}, not as the MatMul and BiasAdd the graph was built from). Times are
 * each op's own compute time summed over the step: ops that ran side by side on different threads both count, so
 * the shares are of the total op time, not of the step's wall time. MatMul work (every op type whose kernel is a
 * matrix product: MatMul, fused MatMul, Einsum, BatchMatMul) is summed apart, as what the ceiling measures; the
 * rest is what stands between a step and the ceiling.
 */
public record OpProfile(List<OpTime> ops, double totalMillis) {
    /** One op type's total compute time over the step and how many times it ran. */
    public record OpTime(String type, double millis, int count) {}

    public OpProfile {
        ops = List.copyOf(ops);
    }

    /** Sums the trace's node timings by op type, the costliest first. */
    public static OpProfile of(RunMetadata trace) {
        Map<String, double[]> byType = new LinkedHashMap<>();
        for (DeviceStepStats device : trace.getStepStats().getDevStatsList()) {
            for (NodeExecStats node : device.getNodeStatsList()) {
                double[] t = byType.computeIfAbsent(opType(node.getTimelineLabel()), k -> new double[2]);
                t[0] += node.getOpEndRelNanos() > 0 ? node.getOpEndRelNanos() / 1e6 : node.getOpEndRelMicros() / 1e3;
                t[1]++;
            }
        }
        List<OpTime> ops = new ArrayList<>();
        byType.forEach((type, t) -> ops.add(new OpTime(type, t[0], (int) t[1])));
        ops.sort(Comparator.comparingDouble(OpTime::millis).reversed());
        return new OpProfile(ops, ops.stream().mapToDouble(OpTime::millis).sum());
    }

    /** The op type in a timeline label {@code name = Type(inputs)}; the whole label if it has another form. */
    static String opType(String timelineLabel) {
        int eq = timelineLabel.indexOf(" = "), paren = timelineLabel.indexOf('(', Math.max(eq, 0));
        if (eq < 0 || paren < 0) return timelineLabel;
        return timelineLabel.substring(eq + 3, paren);
    }

    /** Whether ops of {@code type} are matrix products. */
    static boolean isMatMul(String type) {
        return type.contains("MatMul") || type.contains("Einsum");
    }

    /** The share of the op time spent in matrix products. */
    public double matMulShare() {
        return ops.stream()
                        .filter(o -> isMatMul(o.type()))
                        .mapToDouble(OpTime::millis)
                        .sum()
                / totalMillis;
    }

    /** The {@code top} costliest op types, each with its share of the op time. */
    public List<Map<String, Object>> top(int top) {
        return ops.stream()
                .limit(top)
                .map(o -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("op", o.type());
                    m.put("share", o.millis() / totalMillis);
                    m.put("ms", o.millis());
                    m.put("count", o.count());
                    return m;
                })
                .toList();
    }

    /** A few lines for the bench table: the MatMul share, then one op type a line. */
    public String toTable(String title, int top) {
        StringBuilder sb = new StringBuilder(String.format(
                Locale.ROOT,
                "%s: %.0f ms of op time, %.0f%% in MatMul work; the %d costliest op types:%n",
                title,
                totalMillis,
                100 * matMulShare(),
                Math.min(top, ops.size())));
        for (OpTime o : ops.subList(0, Math.min(top, ops.size()))) {
            sb.append(String.format(
                    Locale.ROOT,
                    "  %-28s %5.1f%% %8.1f ms %5d ops%n",
                    o.type(),
                    100 * o.millis() / totalMillis,
                    o.millis(),
                    o.count()));
        }
        return sb.toString();
    }
}
