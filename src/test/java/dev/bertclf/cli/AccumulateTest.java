package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.TemporaryHome;
import dev.bertclf.testutil.TinyBert;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --accumulate}: a run of micro-batches trains, counts its steps as effective batches, and records the
 * option in the model (metadata.json, the model card); the numbers themselves are GradientAccumulationTest's.
 */
class AccumulateTest {
    @TempDir
    static Path tmp;

    @Test
    void anAccumulatingRunTrainsAndIsRecorded() throws Exception {
        try (TemporaryHome home = TemporaryHome.at(tmp.resolve("home"))) {
            Path model = TinyBert.write(tmp.resolve("tiny_bert"), "");
            StringBuilder csv = new StringBuilder("text,label\n");
            for (int i = 0; i < 50; i++) csv.append(i % 2 == 0 ? "great film,pos\n" : "awful film,neg\n");
            Path reviews = Files.writeString(tmp.resolve("reviews.csv"), csv);
            Path out = tmp.resolve("accumulated");
            Cli.Run r = Cli.run(
                    "train",
                    "--model",
                    model.toString(),
                    "--train-file",
                    reviews.toString(),
                    "--epochs",
                    "2",
                    "--batch-size",
                    "4",
                    "--accumulate",
                    "3",
                    "--max-seq-len",
                    "8",
                    "--output",
                    out.toString());
            assertEquals(0, r.code(), r.err());
            // 40 training examples in steps of 12: 4 a epoch, the last of 4 examples
            assertTrue(
                    r.err()
                            .contains("Training 40 examples for 2 epochs: 8 steps, 0 warm-up steps, "
                                    + "batch 12 (3 accumulated micro-batches of 4)"),
                    r.err());
            JsonObject hp = JsonParser.parseString(Files.readString(out.resolve("metadata.json")))
                    .getAsJsonObject()
                    .getAsJsonObject("hyperparameters");
            assertEquals(4, hp.get("batch_size").getAsInt());
            assertEquals(3, hp.get("accumulate").getAsInt());
            String card = Files.readString(out.resolve("README.md"));
            assertTrue(card.contains("batch_size 4,") && card.contains("accumulate 3,"), card);
        }
    }
}
