package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

/** {@code --class-weight} end to end: resolved against the training split, logged, recorded in the model. */
class ClassWeightTest {
    @TempDir
    Path tmp;

    Cli.Run train(Path output, String weights) throws Exception {
        Path model = TinyBert.write(tmp.resolve("tiny_bert"), "");
        StringBuilder csv = new StringBuilder("text,label\n");
        for (int i = 0; i < 40; i++) csv.append(i % 4 == 0 ? "great film,pos\n" : "awful film,neg\n");
        Path reviews = Files.writeString(tmp.resolve("reviews.csv"), csv);
        return Cli.run(
                "train",
                "--model",
                model.toString(),
                "--train-file",
                reviews.toString(),
                "--epochs",
                "1",
                "--batch-size",
                "8",
                "--max-seq-len",
                "8",
                "--class-weight",
                weights,
                "--output",
                output.toString());
    }

    @Test
    void balancedWeightsAreRecordedInTheModel() throws Exception {
        try (TemporaryHome home = TemporaryHome.at(tmp.resolve("home"))) {
            Path out = tmp.resolve("weighted");
            Cli.Run r = train(out, "balanced");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.err().contains("Class weights in the training loss: {neg="), r.err());
            JsonObject w = JsonParser.parseString(Files.readString(out.resolve("metadata.json")))
                    .getAsJsonObject()
                    .getAsJsonObject("hyperparameters")
                    .getAsJsonObject("class_weight");
            double neg = w.get("neg").getAsDouble(), pos = w.get("pos").getAsDouble();
            assertTrue(pos > 1 && neg < 1, w.toString()); // 1 in 4 is positive
        }
    }

    @Test
    void aClassTheDataDoesNotHaveIsAUsageErrorBeforeTraining() throws Exception {
        try (TemporaryHome home = TemporaryHome.at(tmp.resolve("home"))) {
            Path out = tmp.resolve("never");
            Cli.Run r = train(out, "spam=2");
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains("--class-weight names class 'spam', which the data does not have"), r.err());
            assertFalse(r.err().contains("Epoch 1/1"), r.err());
            assertFalse(Files.exists(out));
        }
    }
}
