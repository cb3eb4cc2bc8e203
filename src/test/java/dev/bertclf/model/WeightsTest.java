package dev.bertclf.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.runtime.TfRuntime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.types.TFloat32;

/** Weights own their tensors until closed or taken out; a GraphSession owns graph, variables and session. */
class WeightsTest {
    @BeforeAll
    static void engine() {
        TfRuntime.engine();
    }

    @Test
    void weightsKeepOrderMoveTensorsAndCloseWhatTheyHold() {
        Map<String, TFloat32> read = new LinkedHashMap<>();
        read.put("b", TFloat32.scalarOf(2f));
        read.put("a", TFloat32.scalarOf(1f));
        TFloat32 kept;
        try (Weights init = Weights.of(Map.of("a", TFloat32.scalarOf(0f), "c", TFloat32.scalarOf(3f)));
                Weights restored = Weights.of(read)) {
            assertEquals(List.of("b", "a"), List.copyOf(restored.names()));
            init.takeAll(restored);
            assertEquals(0, restored.size());
            assertEquals(1f, init.get("a").getFloat());
            assertEquals(3, init.size());
            assertTrue(init.containsKey("b"));
            kept = init.remove("c");
        }
        try (kept) {
            assertEquals(3f, kept.getFloat(), "a tensor taken out outlives the weights");
        }
    }

    @Test
    void aGraphSessionLoadsAndReadsItsVariablesByName() {
        try (GraphSession g = new GraphSession()) {
            g.variables().create("x/kernel", 2);
            assertThrows(IllegalStateException.class, g::session);
            g.start(null);
            assertThrows(IllegalStateException.class, () -> g.start(null));
            try (Weights w = new Weights()) {
                w.put("x/kernel", TFloat32.vectorOf(1f, 2f));
                g.load(w);
            }
            try (Weights back = g.read()) {
                assertEquals(2f, back.get("x/kernel").getFloat(1));
            }
        }
    }
}
