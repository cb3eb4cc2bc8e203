package dev.bertclf.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClosestNamesTest {
    @Test
    void ranksByEditDistance() {
        List<String> names = List.of("bert/pooler/dense/kernel", "bert/pooler/dense/bias", "cls/squad/output_bias");
        assertEquals(
                List.of("bert/pooler/dense/bias", "bert/pooler/dense/kernel"),
                ClosestNames.closest("bert/pooler/dense/biases", names, 2));
        assertEquals(3, ClosestNames.editDistance("kitten", "sitting"));
        assertEquals(0, ClosestNames.editDistance("", ""));
    }
}
