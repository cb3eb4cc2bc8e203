package dev.bertclf.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The registry against the tutorial's own table (copied verbatim into a test resource). */
class ModelCatalogTest {
    private static final Pattern ENTRY = Pattern.compile("'([^']+)':\\s*'(https://tfhub\\.dev/[^']+)'");
    private static final Pattern SHAPE = Pattern.compile("L-(\\d+)_H-(\\d+)_A-(\\d+)");

    /** {@code map_name_to_handle} or {@code map_model_to_preprocess}, name to handle. */
    static Map<String, String> tutorialMap(String variable) throws IOException {
        String text = Files.readString(Path.of("src/test/resources/tutorial-model-table.py.txt"));
        int start = text.indexOf(variable + " = {");
        String block = text.substring(start, text.indexOf('}', start));
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = ENTRY.matcher(block);
        while (m.find()) out.put(m.group(1), m.group(2));
        return out;
    }

    @Test
    void everyTutorialNameResolvesToAnEntryOfItsFamilyAndSize() throws IOException {
        Map<String, String> handles = tutorialMap("map_name_to_handle");
        Map<String, String> preprocess = tutorialMap("map_model_to_preprocess");
        assertEquals(33, handles.size());
        assertEquals(handles.keySet(), preprocess.keySet());
        ModelCatalog catalog = ModelCatalog.standard();
        assertEquals(33, catalog.entries().size());
        for (var t : handles.entrySet()) {
            String name = t.getKey();
            ModelCatalog.Entry e = catalog.find(name).orElseThrow(() -> new AssertionError("missing " + name));
            assertEquals(name, e.name());
            assertEquals(t.getValue(), e.tfhubHandle(), name);
            String pre = preprocess.get(name).replaceAll(".*/([a-z_]+)/\\d+$", "$1");
            assertEquals(pre, e.preprocess(), name);
            assertEquals(!pre.contains("_cased_"), e.lowercase(), name + " casing follows " + pre);
            assertEquals(pre.startsWith("albert"), e.sentencePiece(), name + " vocabulary follows " + pre);
            BertConfig c = e.config();
            Matcher shape = SHAPE.matcher(name);
            int[] lha = shape.find()
                    ? new int[] {
                        Integer.parseInt(shape.group(1)),
                        Integer.parseInt(shape.group(2)),
                        Integer.parseInt(shape.group(3))
                    }
                    : name.equals("electra_small") ? new int[] {12, 256, 4} : new int[] {12, 768, 12};
            assertEquals(lha[0], c.numHiddenLayers, name);
            assertEquals(lha[1], c.hiddenSize, name);
            assertEquals(lha[2], c.numAttentionHeads, name);
            String family = name.startsWith("small_bert/")
                    ? "small_bert"
                    : name.startsWith("bert_")
                            ? "bert"
                            : name.startsWith("talking-heads") ? "talking_heads" : name.replaceAll("_.*", "");
            assertEquals(family, e.family(), name);
            assertEquals(
                    family.equals("electra") ? "electra" : family.equals("albert") ? "albert" : "bert",
                    c.modelType.toString(),
                    name);
            assertEquals(family.equals("talking_heads"), c.talkingHeads && c.gatedFeedforward, name);
            assertEquals(family.equals("electra") ? "gelu_exact" : "gelu", c.hiddenAct.toString(), name);
            assertTrue(e.source().url().startsWith("https://"), name);
            assertEquals(
                    family.equals("experts") || family.equals("talking_heads"),
                    e.source().format() == ModelCatalog.Format.TFHUB_SAVEDMODEL,
                    name);
        }
        assertEquals(128, (int) catalog.find("electra_small").get().config().embeddingSize);
        assertEquals(1024, catalog.find("electra_small").get().config().intermediateSize);
        assertEquals(128, (int) catalog.find("albert_en_base").get().config().embeddingSize);
        assertEquals(
                119547, catalog.find("bert_multi_cased_L-12_H-768_A-12").get().config().vocabSize);
    }

    @Test
    void smallBertsAreAlsoKnownByTheShortForm() {
        ModelCatalog catalog = ModelCatalog.standard();
        assertEquals(
                "small_bert/bert_en_uncased_L-4_H-512_A-8",
                catalog.find("small_bert/L-4_H-512_A-8").get().name());
        assertEquals(
                33 + 24,
                catalog.entries().stream().mapToInt(e -> 1 + e.aliases().size()).sum());
    }

    @Test
    void parameterCountsAreTheKnownOnes() {
        ModelCatalog catalog = ModelCatalog.standard();
        // BERT-base uncased: 109.5M with the pooler; ALBERT-base: 11.7M (one shared layer); ELECTRA-small: 13.5M.
        assertEquals(
                109_482_240L,
                catalog.find("bert_en_uncased_L-12_H-768_A-12").get().config().parameterCount());
        long albert = catalog.find("albert_en_base").get().config().parameterCount();
        assertTrue(albert > 11_500_000 && albert < 12_000_000, "ALBERT base " + albert);
        long electra = catalog.find("electra_small").get().config().parameterCount();
        assertTrue(electra > 13_300_000 && electra < 13_700_000, "ELECTRA small " + electra);
    }

    @Test
    void registryErrorsNameTheProblem() {
        ModelException e = assertThrows(
                ModelException.class,
                () -> ModelCatalog.parse(
                        """
                {"models": [{"name": "x", "aliases": [], "family": "bert", "tfhub_handle": "h", "preprocess": "p",
                  "lowercase": true, "vocabulary": "vocab.txt", "folder": "x",
                  "sources": [{"url": "https://h/x.zip", "format": "floppy", "bytes": null}],
                  "config": {"vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2,
                             "intermediate_size": 16}}]}""",
                        "test"));
        assertTrue(e.getMessage().contains("floppy"), e.getMessage());
        // once read as false without a word
        ModelException yes = assertThrows(
                ModelException.class,
                () -> ModelCatalog.parse(
                        """
                {"models": [{"name": "x", "aliases": [], "family": "bert", "tfhub_handle": "h", "preprocess": "p",
                  "lowercase": "yes", "vocabulary": "vocab.txt", "folder": "x",
                  "sources": [{"url": "https://h/x.zip", "format": "google-tf1-zip", "bytes": null}],
                  "config": {"vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2,
                             "intermediate_size": 16}}]}""",
                        "test"));
        assertTrue(yes.getMessage().contains("\"lowercase\" must be true or false, got \"yes\""), yes.getMessage());
        assertNotNull(ModelCatalog.standard().closest("electra_smal").stream()
                .filter("electra_small"::equals)
                .findAny()
                .orElse(null));
    }
}
