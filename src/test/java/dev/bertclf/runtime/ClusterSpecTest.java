package dev.bertclf.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClusterSpecTest {
    @Test
    void readsTensorFlowsTfConfig() {
        ClusterSpec c = ClusterSpec.fromTfConfig(
                "{\"cluster\": {\"worker\": [\"w0.example:2222\", \"w1.example:2222\", \"10.0.0.3:2223\"]},"
                        + " \"task\": {\"type\": \"worker\", \"index\": 2}}");
        assertEquals(List.of("w0.example:2222", "w1.example:2222", "10.0.0.3:2223"), c.workers());
        assertEquals(2, c.taskIndex());
        assertEquals("10.0.0.3", c.host(2));
        assertEquals(2223, c.port(2));
        assertTrue(!c.chief());
    }

    @Test
    void aChiefJobComesFirst() {
        String cluster = "\"cluster\": {\"worker\": [\"b:1\", \"c:1\"], \"chief\": [\"a:1\"]}";
        ClusterSpec chief =
                ClusterSpec.fromTfConfig("{" + cluster + ", \"task\": {\"type\": \"chief\", \"index\": 0}}");
        ClusterSpec worker =
                ClusterSpec.fromTfConfig("{" + cluster + ", \"task\": {\"type\": \"worker\", \"index\": 1}}");
        assertEquals(List.of("a:1", "b:1", "c:1"), chief.workers());
        assertTrue(chief.chief());
        assertEquals(2, worker.taskIndex());
    }

    @Test
    void readsTheClusterOption() {
        ClusterSpec c = ClusterSpec.of("localhost:5000, localhost:5001", 1);
        assertEquals(List.of("localhost:5000", "localhost:5001"), c.workers());
        assertEquals("localhost:5001", c.self());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"cluster\": {\"worker\": [",
                "[]",
                "{\"cluster\": {\"worker\": [\"a:1\", \"b:1\"]}}",
                "{\"cluster\": {\"worker\": [\"a:1\", \"b:1\"], \"ps\": [\"p:1\"]}, "
                        + "\"task\": {\"type\": \"worker\", \"index\": 0}}",
                "{\"cluster\": {\"worker\": [\"a:1\", \"b:1\"]}, \"task\": {\"type\": \"worker\", \"index\": 2}}",
                "{\"cluster\": {\"worker\": [\"a:1\", \"b:1\"]}, \"task\": {\"type\": \"evaluator\", \"index\": 0}}",
                "{\"cluster\": {\"worker\": [\"a:1\", \"b\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}",
                "{\"cluster\": {\"worker\": [\"a:1\", \"a:1\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}",
                "{\"cluster\": {\"worker\": [\"a:1\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}",
                "{\"cluster\": {\"worker\": \"a:1\"}, \"task\": {\"type\": \"worker\", \"index\": 0}}",
                "{\"cluster\": {\"worker\": [\"a:1\", \"b:1\"]}, \"task\": {\"type\": \"worker\", \"index\": \"x\"}}",
                "{\"cluster\": {\"worker\": [\"a:1\", \"b:1\"]}, \"task\": {\"type\": \"worker\"}}",
                "{\"cluster\": {\"worker\": [\"a:1\", \"b:1\"]}, \"task\": {\"type\": null, \"index\": 0}}",
                // once -1 named the chief, and 1.5 and 4294967297 were read as worker 1
                "{\"cluster\": {\"chief\": [\"c:1\"], \"worker\": [\"a:1\"]}, "
                        + "\"task\": {\"type\": \"worker\", \"index\": -1}}",
                "{\"cluster\": {\"worker\": [\"a:1\", \"b:1\"]}, \"task\": {\"type\": \"worker\", \"index\": 1.5}}",
                "{\"cluster\": {\"worker\": [\"a:1\", \"b:1\"]}, "
                        + "\"task\": {\"type\": \"worker\", \"index\": 4294967297}}"
            })
    void malformedTfConfigsAreUsageErrors(String json) {
        InvalidOptionException e = assertThrows(InvalidOptionException.class, () -> ClusterSpec.fromTfConfig(json));
        assertTrue(
                e.getMessage().startsWith("the TF_CONFIG environment variable")
                        || e.getMessage().contains("worker"),
                e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "localhost:0,localhost:1",
                "localhost:1",
                "host:99999,b:1",
                ":1,b:2",
                "a:1,,b:2",
                "a b:1,c:2",
                "localhost:5000,127.0.0.1:5000" // one address, named twice
            })
    void badClusterOptionsAreUsageErrors(String cluster) {
        assertThrows(InvalidOptionException.class, () -> ClusterSpec.of(cluster, 0));
    }

    @Test
    void theTaskIndexMustBeInTheCluster() {
        InvalidOptionException e = assertThrows(InvalidOptionException.class, () -> ClusterSpec.of("a:1,b:1", 2));
        assertTrue(e.getMessage().contains("0 to 1"), e.getMessage());
    }
}
