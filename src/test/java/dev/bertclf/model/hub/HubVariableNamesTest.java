package dev.bertclf.model.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.model.checkpoint.CheckpointException;
import dev.bertclf.model.hub.HubVariableNames.Fold;
import org.junit.jupiter.api.Test;

class HubVariableNamesTest {
    @Test
    void foldsEinsumShapesAndLeavesDenseOnesAlone() {
        assertArrayEquals(new long[] {768, 768}, Fold.LAST_TWO.apply(new long[] {768, 12, 64}, "x/query/kernel"));
        assertArrayEquals(new long[] {768}, Fold.LAST_TWO.apply(new long[] {12, 64}, "x/query/bias"));
        assertArrayEquals(
                new long[] {768, 768}, Fold.FIRST_TWO.apply(new long[] {12, 64, 768}, "x/attention_output/kernel"));
        // An export that already stored dense [hidden, hidden] kernels and [hidden] biases needs no folding.
        assertArrayEquals(new long[] {768, 768}, Fold.LAST_TWO.apply(new long[] {768, 768}, "x/query/kernel"));
        assertArrayEquals(new long[] {768}, Fold.LAST_TWO.apply(new long[] {768}, "x/query/bias"));
        String message = assertThrows(
                        CheckpointException.class, () -> Fold.LAST_TWO.apply(new long[] {2, 3, 4, 5}, "x/query/kernel"))
                .getMessage();
        assertTrue(message.contains("x/query/kernel") && message.contains("[2, 3, 4, 5]"), message);
    }
}
