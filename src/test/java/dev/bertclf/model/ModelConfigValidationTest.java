package dev.bertclf.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.testutil.TinyBert;
import dev.bertclf.testutil.TinyHubModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A model folder whose {@code bert_config.json} or vocabulary cannot make a working model is refused when it is
 * resolved, before any graph is built, with one message naming the file, the key and what it must be.
 */
class ModelConfigValidationTest {
    @TempDir
    Path tmp;

    private ModelException resolve(Path dir) {
        ModelResolver resolver = new ModelResolver(tmp.resolve("cache"), null);
        return assertThrows(ModelException.class, () -> resolver.resolve(dir.toString()));
    }

    /** The tiny model's folder with {@code key} set to the JSON {@code value} in its config. */
    private Path withConfig(String key, String value) throws Exception {
        Path dir = TinyBert.write(tmp.resolve("model"), "");
        Path config = dir.resolve("bert_config.json");
        String json = Files.readString(config).replaceFirst("\\s*\"" + key + "\": [^,\\n]*,?", "");
        Files.writeString(config, json.replaceFirst("\\{", "{\"" + key + "\": " + value + ","));
        return dir;
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            hidden_dropout_prob          | 1.0      | a probability in [0, 1)
            hidden_dropout_prob          | NaN      | a probability in [0, 1)
            attention_probs_dropout_prob | -0.1     | a probability in [0, 1)
            initializer_range            | -0.02    | a positive standard deviation
            initializer_range            | 0        | a positive standard deviation
            type_vocab_size              | 0        | 1 or more
            type_vocab_size              | -1       | 1 or more
            vocab_size                   | -5       | 1 or more
            vocab_size                   | 10       | vocab_size must be at least 36
            hidden_size                  | 0        | 1 or more
            num_hidden_layers            | -2       | 1 or more
            num_attention_heads          | 3        | not a multiple of num_attention_heads 3
            intermediate_size            | 0        | 1 or more
            max_position_embeddings      | 1        | 2 or more
            embedding_size               | 0        | 1 or more
            hidden_act                   | "swish"  | gelu, gelu_new, gelu_exact or relu
            model_type                   | "gpt2"   | bert, electra or albert
            """)
    void badKeyIsRefusedNamingTheFileTheKeyAndTheRange(String key, String value, String range) throws Exception {
        ModelException e = resolve(withConfig(key, value));
        String m = e.getMessage();
        assertTrue(m.contains("bert_config.json") && m.contains(key) && m.contains(range), m);
    }

    /** A TF Hub SavedModel's {@code bert_config.json} is checked as a release's, before it meets the weights. */
    @Test
    void hubSavedModelConfigIsCheckedToo() throws Exception {
        int vocab = TinyBert.vocabulary().size();
        Map<String, long[]> shapes = TinyHubModel.variableShapes(TinyHubModel.Family.BERT, vocab);
        Path dir = TinyHubModel.write(
                tmp.resolve("hub"),
                shapes,
                TinyHubModel.randomValues(shapes, 1),
                true,
                Map.of("vocab.txt", String.join("\n", TinyBert.vocabulary()).getBytes(StandardCharsets.UTF_8)));
        BertConfig config = TinyBert.config();
        config.hiddenDropoutProb = 1;
        config.write(dir.resolve("bert_config.json"));
        String m = resolve(dir).getMessage();
        assertTrue(m.contains("bert_config.json: hidden_dropout_prob is 1.0; it must be a probability in [0, 1)"), m);
    }

    @Test
    void missingKeyIsNamed() throws Exception {
        Path dir = TinyBert.write(tmp.resolve("model"), "");
        Path config = dir.resolve("bert_config.json");
        Files.writeString(config, Files.readString(config).replaceFirst("\\s*\"hidden_size\": \\d+,", ""));
        String m = resolve(dir).getMessage();
        assertTrue(m.contains("hidden_size is 0 (or missing); it must be 1 or more"), m);
    }

    /** 26 billion parameters used to be logged, then allocated; now the figures are in the refusal. */
    @Test
    void weightsThatCannotFitInMemoryAreRefusedWithTheFigures() throws Exception {
        String m = resolve(withConfig("hidden_size", "1048576")).getMessage();
        assertTrue(
                m.contains("bert_config.json")
                        && m.contains("parameters")
                        && m.contains("GB of float32 weights alone")
                        && m.contains("GB of memory"),
                m);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            [CLS] twice       | [CLS]   | [CLS] twice, on lines 3 and
            no [SEP]          | [SEP]   | has no [SEP] line
            """)
    void vocabularyWithAMissingOrRepeatedSpecialTokenIsRefused(String name, String token, String expected)
            throws Exception {
        Path dir = TinyBert.write(tmp.resolve("model"), "");
        List<String> vocab = new ArrayList<>(TinyBert.vocabulary());
        if (name.contains("twice")) vocab.add(token);
        else vocab.remove(token);
        Files.write(dir.resolve("vocab.txt"), vocab);
        String m = resolve(dir).getMessage();
        assertTrue(m.contains("vocab.txt") && m.contains(expected), m);
    }

    @Test
    void binaryVocabularyIsNotAUtf8TextVocabulary() throws Exception {
        Path dir = TinyBert.write(tmp.resolve("model"), "");
        Files.write(dir.resolve("vocab.txt"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, (byte) 0xff, (byte) 0xfe});
        String m = resolve(dir).getMessage();
        assertTrue(m.contains("vocab.txt is not a UTF-8 text vocabulary"), m);
    }
}
