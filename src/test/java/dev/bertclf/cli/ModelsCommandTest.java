package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bertclf.runtime.BertClfHome;
import dev.bertclf.runtime.FileUtil;
import dev.bertclf.testutil.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code bert-clf models}: every name of the registry with its sizes and cache state, as a table and as JSON. */
class ModelsCommandTest {
    @Test
    void listsEveryNameWithSizesAndCacheState() throws Exception {
        Path cached = BertClfHome.models().resolve("electra_small");
        Files.createDirectories(cached);
        try {
            Cli.Run table = Cli.run("models");
            assertEquals(0, table.code(), table.err());
            assertEquals(34, table.out().lines().count(), "a header and 33 names");
            assertTrue(
                    table.out()
                            .lines()
                            .anyMatch(l -> l.startsWith("small_bert/bert_en_uncased_L-4_H-512_A-8 ")
                                    && l.contains("small_bert")
                                    && l.contains(" 4 ")
                                    && l.contains(" 512 ")
                                    && l.contains(" 8 ")),
                    table.out());
            assertTrue(
                    table.out().lines().anyMatch(l -> l.startsWith("electra_small ") && l.endsWith("yes")),
                    table.out());
            assertTrue(
                    table.out()
                            .lines()
                            .anyMatch(l ->
                                    l.startsWith("talking-heads_base ") && l.contains("unknown") && l.endsWith("no")),
                    table.out());

            Cli.Run json = Cli.run("models", "--json");
            assertEquals(0, json.code(), json.err());
            JsonArray rows = JsonParser.parseString(json.out()).getAsJsonArray();
            assertEquals(33, rows.size());
            for (var r : rows) {
                JsonObject o = r.getAsJsonObject();
                String name = o.get("name").getAsString();
                assertTrue(o.get("parameters").getAsLong() > 4_000_000, name);
                assertEquals(name.equals("electra_small"), o.get("cached").getAsBoolean(), name);
                assertTrue(
                        o.get("download_bytes").isJsonNull()
                                || o.get("download_bytes").getAsLong() > 0,
                        name);
                if (name.equals("bert_en_uncased_L-12_H-768_A-12")) {
                    assertEquals(109_482_240L, o.get("parameters").getAsLong());
                    assertEquals("bert", o.get("family").getAsString());
                    assertEquals(12, o.get("layers").getAsInt());
                    assertEquals(768, o.get("hidden_size").getAsInt());
                    assertEquals(12, o.get("heads").getAsInt());
                }
                assertTrue(o.get("supported").getAsBoolean(), name);
            }
        } finally {
            FileUtil.deleteTree(cached);
        }
    }

    @Test
    void unknownModelNameFailsWithTheClosestNames() {
        Cli.Run r = Cli.run("preprocess", "--model", "electra_smal", "text");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("electra_small") && !r.err().contains("at dev.bertclf"), r.err());
    }
}
