package dev.bertclf.model;

import dev.bertclf.data.ArchiveExtractor;
import dev.bertclf.data.Downloader;
import dev.bertclf.model.checkpoint.CheckpointIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what the user typed after {@code --model} into a {@link PretrainedModel}: a folder on disk in Google's
 * release layout or as a SavedModel, or a name from the tutorial's table, downloaded once into
 * {@code $BERT_CLF_HOME/models} and used from there offline afterwards.
 */
public final class ModelResolver {
    private static final Logger log = LoggerFactory.getLogger(ModelResolver.class);
    private static final String ENCODER_MARKER = "bert/embeddings/word_embeddings";

    private final Path cacheDir;
    private final String host;

    /** {@code mirror} replaces Google's host (keeping paths) for air-gapped users; null for the default. */
    public ModelResolver(Path cacheDir, String mirror) {
        this.cacheDir = cacheDir;
        String m = mirror != null && !mirror.isBlank() ? mirror : System.getenv("BERT_CLF_MODEL_MIRROR");
        this.host = m != null && !m.isBlank() ? m.replaceAll("/+$", "") : ModelCatalog.DEFAULT_HOST;
    }

    public PretrainedModel resolve(String nameOrDir) {
        Path dir = Path.of(nameOrDir);
        if (Files.isDirectory(dir)) return fromDirectory(nameOrDir, dir, null);
        Optional<ModelCatalog.Entry> entry = ModelCatalog.find(nameOrDir);
        if (entry.isEmpty()) {
            throw new ModelException("unknown model '" + nameOrDir + "' (neither a folder nor a name from the "
                    + "tutorial's table); did you mean " + String.join(", ", ModelCatalog.closest(nameOrDir)) + "?");
        }
        return fromDirectory(entry.get().name(), download(entry.get()), entry.get().lowercase());
    }

    /** The cached, unpacked archive of a catalog model, fetched first if needed. */
    Path download(ModelCatalog.Entry e) {
        Path target = cacheDir.resolve(e.folderName());
        if (Files.isDirectory(target)) return target;
        try {
            Files.createDirectories(cacheDir);
            Path archive = cacheDir.resolve(e.archiveName());
            URI url = URI.create(host + e.path());
            log.info("Downloading {} from {}", e.name(), url);
            new Downloader().download(url, archive, Downloader.Expected.UNKNOWN);
            new ArchiveExtractor().extract(archive, target, ArchiveExtractor.Limits.DEFAULT);
            Files.deleteIfExists(archive);
            return target;
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot cache model " + e.name() + " in " + cacheDir, ex);
        }
    }

    /** Reads either layout, looking one folder down too (2018 archives nest their files in a sub-folder). */
    static PretrainedModel fromDirectory(String name, Path dir, Boolean lowercase) {
        Path root = findModelRoot(dir);
        Path config = root.resolve("bert_config.json");
        if (!Files.isRegularFile(config) && root.getParent() != null && Files.isRegularFile(root.getParent().resolve("bert_config.json"))) {
            config = root.getParent().resolve("bert_config.json");
        }
        if (!Files.isRegularFile(config)) {
            throw new ModelException(dir + " has no bert_config.json: a model folder needs bert_config.json and vocab.txt "
                    + "(Google's release layout) or saved_model.pb, variables/ and assets/vocab.txt");
        }
        Path vocab = Stream.of(root.resolve("vocab.txt"), root.resolve("assets/vocab.txt"))
                .filter(Files::isRegularFile).findFirst()
                .orElseThrow(() -> new ModelException(dir + " has no vocab.txt (nor assets/vocab.txt)"));
        BertConfig cfg = BertConfig.read(config);
        Path prefix = findCheckpoint(root);
        String scope = "";
        if (prefix != null) {
            scope = CheckpointIndex.read(prefix).keySet().stream()
                    .filter(k -> k.endsWith(ENCODER_MARKER)).findFirst()
                    .map(k -> k.substring(0, k.length() - ENCODER_MARKER.length()))
                    .orElseThrow(() -> new ModelException("checkpoint in " + dir + " has no variable named "
                            + ENCODER_MARKER + " (with or without a scope): not a BERT checkpoint"));
        }
        boolean lower = lowercase != null ? lowercase : looksUncased(vocab);
        return new PretrainedModel(name, root, cfg, vocab, lower, prefix, scope);
    }

    private static Path findModelRoot(Path dir) {
        if (isModelRoot(dir)) return dir;
        try (Stream<Path> children = Files.list(dir)) {
            List<Path> roots = children.filter(Files::isDirectory).filter(ModelResolver::isModelRoot).toList();
            return roots.size() == 1 ? roots.get(0) : dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isModelRoot(Path d) {
        return Files.isRegularFile(d.resolve("bert_config.json")) || Files.isRegularFile(d.resolve("saved_model.pb"));
    }

    /** {@code bert_model.ckpt} (or any single {@code *.index}) in Google's layout, {@code variables/variables} in a SavedModel. */
    static Path findCheckpoint(Path root) {
        Path saved = root.resolve("variables/variables");
        if (Files.isRegularFile(root.resolve("variables/variables.index"))) return saved;
        try (Stream<Path> files = Files.list(root)) {
            List<Path> indexes = files.filter(p -> p.getFileName().toString().endsWith(".index")).sorted().toList();
            if (indexes.isEmpty()) return null;
            Path index = indexes.contains(root.resolve("bert_model.ckpt.index")) ? root.resolve("bert_model.ckpt.index")
                    : indexes.get(indexes.size() - 1);
            String f = index.getFileName().toString();
            return index.resolveSibling(f.substring(0, f.length() - ".index".length()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Uncased vocabularies hold no upper-case word pieces; cased ones hold thousands. */
    static boolean looksUncased(Path vocab) {
        try (Stream<String> lines = Files.lines(vocab)) {
            long upper = lines.filter(t -> !(t.startsWith("[") && t.endsWith("]")))
                    .filter(t -> t.chars().anyMatch(Character::isUpperCase)).limit(50).count();
            return upper < 50;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + vocab, e);
        }
    }
}
