package dev.bertclf.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.model.BertConfig.HiddenAct;
import dev.bertclf.model.BertConfig.ModelType;
import org.junit.jupiter.api.Test;

/** {@code model_type} and {@code hidden_act} are enums in the code and the same words in {@code bert_config.json}. */
class BertConfigJsonTest {
    @Test
    void enumsAreWrittenAndReadAsTheWordsOfTheFile() {
        BertConfig c = BertConfig.of(100, 2, 32, 2);
        c.modelType = ModelType.ELECTRA;
        c.hiddenAct = HiddenAct.GELU_EXACT;
        String json = c.toJson();
        assertTrue(
                json.contains("\"model_type\": \"electra\"") && json.contains("\"hidden_act\": \"gelu_exact\""), json);
        BertConfig back = BertConfig.parse(json, "test");
        assertEquals(ModelType.ELECTRA, back.modelType);
        assertEquals(HiddenAct.GELU_EXACT, back.hiddenAct);
        assertEquals(json, back.toJson());
        assertEquals("albert", ModelType.ALBERT.toString());
        assertEquals("gelu_new", HiddenAct.GELU_NEW.toString());
    }

    @Test
    void googlesFileWithoutTheKeysIsBertWithGelu() {
        BertConfig c = BertConfig.parse(
                """
                {"vocab_size": 100, "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2,
                 "intermediate_size": 64, "hidden_act": "gelu_new"}""",
                "test");
        assertEquals(ModelType.BERT, c.modelType);
        assertEquals(HiddenAct.GELU_NEW, c.hiddenAct);
    }

    @Test
    void anUnknownWordIsRefusedWithTheWordAndTheChoices() {
        String json = BertConfig.of(100, 2, 32, 2).toJson();
        ModelException e = assertThrows(
                ModelException.class, () -> BertConfig.parse(json.replace("\"gelu\"", "\"swish\""), "f.json"));
        assertEquals(
                "model config f.json: hidden_act is 'swish'; it must be gelu, gelu_new, gelu_exact or relu",
                e.getMessage());
        e = assertThrows(
                ModelException.class, () -> BertConfig.parse(json.replace("\"bert\"", "{\"a\": 1}"), "f.json"));
        assertEquals(
                "model config f.json: model_type is '{\"a\":1}'; it must be bert, electra or albert", e.getMessage());
    }
}
