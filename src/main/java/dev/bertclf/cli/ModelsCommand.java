package dev.bertclf.cli;

import dev.bertclf.model.BertConfig;
import dev.bertclf.model.ModelCatalog;
import dev.bertclf.model.ModelResolver;
import dev.bertclf.runtime.BertClfHome;
import dev.bertclf.runtime.Json;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "models",
        mixinStandardHelpOptions = true,
        description = {"List the tutorial's model names with family, size, download size and whether each is cached."})
final class ModelsCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--json", description = "Print the list as JSON.")
    boolean json;

    @Override
    public Integer call() {
        ModelResolver resolver = new ModelResolver(BertClfHome.models(), null);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ModelCatalog.Entry e : ModelCatalog.standard().entries()) {
            BertConfig c = e.config();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", e.name());
            row.put("aliases", e.aliases());
            row.put("family", e.family());
            row.put("layers", c.numHiddenLayers);
            row.put("hidden_size", c.hiddenSize);
            row.put("heads", c.numAttentionHeads);
            row.put("parameters", c.parameterCount());
            row.put("download_bytes", e.source().bytes());
            row.put("format", e.source().format().id);
            row.put("supported", true); // every registry format and both tokenizers are wired; kept for --json readers
            row.put("cached", Files.isDirectory(resolver.cachedFolder(e)));
            rows.add(row);
        }
        if (json) {
            System.out.println(Json.PRETTY_WITH_NULLS.toJson(rows));
            return 0;
        }
        String format = "%-42s %-13s %6s %6s %5s %12s %10s %s%n";
        System.out.printf(format, "NAME", "FAMILY", "LAYERS", "HIDDEN", "HEADS", "PARAMETERS", "DOWNLOAD", "CACHED");
        for (Map<String, Object> r : rows) {
            Long bytes = (Long) r.get("download_bytes");
            System.out.printf(
                    format,
                    r.get("name"),
                    r.get("family"),
                    r.get("layers"),
                    r.get("hidden_size"),
                    r.get("heads"),
                    String.format("%,d", (Long) r.get("parameters")),
                    bytes == null ? "unknown" : String.format("%.0f MB", bytes / 1e6),
                    (Boolean) r.get("cached") ? "yes" : "no");
        }
        return 0;
    }
}
