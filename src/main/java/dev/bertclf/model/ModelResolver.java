package dev.bertclf.model;

import dev.bertclf.io.ArchiveExtractor;
import dev.bertclf.io.Downloader;
import dev.bertclf.model.checkpoint.CheckpointIndex;
import dev.bertclf.model.hf.HfConfig;
import dev.bertclf.model.hf.HfEncoderWeights;
import dev.bertclf.model.hf.HfFolder;
import dev.bertclf.model.hub.HubArchitecture;
import dev.bertclf.model.hub.HubEncoderWeights;
import dev.bertclf.model.hub.ObjectGraphCheckpoint;
import dev.bertclf.runtime.DataException;
import dev.bertclf.text.TokenizerJson;
import dev.bertclf.text.WordPieceTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what the user typed after {@code --model} into a {@link PretrainedModel}: a folder on disk in Google's
 * release layout, as a SavedModel, as TF Hub's unpacked TF2 SavedModel, or as Hugging Face saves one
 * ({@code config.json}, {@code model.safetensors}), or a name from the registry ({@link
 * ModelCatalog}), downloaded once into
 * {@code $BERT_CLF_HOME/models} and used from there offline afterwards.
 */
public final class ModelResolver {
    private static final Logger log = LoggerFactory.getLogger(ModelResolver.class);
    private static final List<String> CONFIG_FILES = List.of("bert_config.json", "albert_config.json");

    private final Path cacheDir;
    private final String mirror;
    private final ModelCatalog catalog;

    /** {@code mirror} replaces the download host (keeping paths) for air-gapped users; null for the default. */
    public ModelResolver(Path cacheDir, String mirror) {
        this(cacheDir, mirror, ModelCatalog.standard());
    }

    public ModelResolver(Path cacheDir, String mirror, ModelCatalog catalog) {
        this.cacheDir = cacheDir;
        String m = mirror != null && !mirror.isBlank() ? mirror : System.getenv("BERT_CLF_MODEL_MIRROR");
        this.mirror = m != null && !m.isBlank() ? m.replaceAll("/+$", "") : null;
        this.catalog = catalog;
    }

    public PretrainedModel resolve(String nameOrDir) {
        Path dir = Path.of(nameOrDir);
        if (Files.isDirectory(dir)) return fromDirectory(nameOrDir, dir, null);
        ModelCatalog.Entry entry = catalog.find(nameOrDir)
                .orElseThrow(() -> new ModelException("unknown model '"
                        + nameOrDir + "' (neither a folder nor a name from the tutorial's table); did you mean "
                        + String.join(", ", catalog.closest(nameOrDir)) + "? (bert-clf models lists them all)"));
        return fromDirectory(entry.name(), download(entry), entry);
    }

    /**
     * What {@link #resolve} will need for {@code nameOrDir}, in words, before anything is fetched: a folder, a
     * cached model, or a download (its host and size, where the registry knows it).
     */
    public String need(String nameOrDir) {
        if (Files.isDirectory(Path.of(nameOrDir))) return "model folder " + nameOrDir;
        return catalog.find(nameOrDir)
                .map(e -> {
                    if (Files.isDirectory(cachedFolder(e))) return "model " + e.name() + " (cached)";
                    ModelCatalog.Source s = e.source();
                    String size = s.bytes() == null ? "" : String.format(", %.1f MB", s.bytes() / 1e6);
                    return "model " + e.name() + " (to download from " + url(s).getHost() + size + ")";
                })
                .orElse("model " + nameOrDir);
    }

    /** Where a catalog model is cached once downloaded. */
    public Path cachedFolder(ModelCatalog.Entry e) {
        return cacheDir.resolve(e.folder());
    }

    /** The URL a source is fetched from: the registry's, or the mirror's host with the same path and query. */
    URI url(ModelCatalog.Source source) {
        URI u = URI.create(source.url());
        if (mirror == null) return u;
        return URI.create(mirror + u.getRawPath() + (u.getRawQuery() != null ? "?" + u.getRawQuery() : ""));
    }

    /** The cached, unpacked archive of a catalog model, fetched first if needed. */
    Path download(ModelCatalog.Entry e) {
        Path target = cachedFolder(e);
        if (Files.isDirectory(target)) return target;
        ModelCatalog.Source source = e.source();
        try {
            Files.createDirectories(cacheDir);
            URI url = url(source);
            String path = url.getPath();
            // TF Hub's paths end in a version number ("/2"), the same for many models: name the tar.gz after the model.
            Path archive = cacheDir.resolve(
                    source.format() == ModelCatalog.Format.TFHUB_SAVEDMODEL
                            ? e.folder() + ".tar.gz"
                            : path.substring(path.lastIndexOf('/') + 1));
            if (!Downloader.offline()) log.info("Downloading {} from {}", e.name(), url);
            Downloader.Expected expected = source.bytes() == null
                    ? Downloader.Expected.UNKNOWN
                    : new Downloader.Expected(source.bytes(), null);
            try {
                new Downloader().download(url, archive, expected);
            } catch (Downloader.Unreachable offline) {
                throw new DataException(
                        offline.getMessage() + " The model " + e.name() + " is not in the cache (" + target
                                + ") yet; without the network, give --model-mirror URL (a server holding the same "
                                + "files as " + url.getHost() + ") or --model DIR (its files, copied from a machine "
                                + "that has " + target + ").",
                        offline);
            }
            try {
                new ArchiveExtractor().extract(archive, target, ArchiveExtractor.Limits.DEFAULT);
            } catch (DataException refused) {
                Downloader.discard(archive); // a later run downloads it again rather than reusing it
                throw refused;
            }
            Downloader.discard(archive);
            return target;
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot cache model " + e.name() + " in " + cacheDir, ex);
        }
    }

    /**
     * Reads a model folder, looking one folder down too (2018 archives nest their files in a sub-folder). For a
     * registry model ({@code entry} not null) the registry supplies casing, the vocabulary's file name, and the
     * config when the archive has none (ELECTRA's and ALBERT's releases, TF Hub's SavedModels); a folder needs its
     * own config, except a TF Hub SavedModel, whose weights tell its sizes.
     */
    static PretrainedModel fromDirectory(String name, Path dir, ModelCatalog.Entry entry) {
        if (entry == null && HfFolder.looksLike(dir)) return fromHuggingFace(name, dir);
        Path root = findModelRoot(dir, entry);
        Path prefix = findCheckpoint(root);
        boolean hub =
                prefix != null && CheckpointIndex.read(prefix).containsKey(ObjectGraphCheckpoint.OBJECT_GRAPH_KEY);
        BertConfig cfg = hub ? hubConfig(root, entry) : readConfig(root, entry);
        if (cfg == null) {
            throw new ModelException(
                    dir + " has no bert_config.json: a model folder needs bert_config.json and vocab.txt "
                            + "(Google's release layout), saved_model.pb, variables/ and "
                            + "assets/vocab.txt with bert_config.json "
                            + "beside them, is a TF Hub TF2 SavedModel, or is a Hugging Face folder (config.json, "
                            + "model.safetensors, vocab.txt)");
        }
        Path vocab = findVocabulary(root, entry, dir);
        boolean sentencePiece = WordPieceTokenizer.isSentencePiece(vocab);
        checkFits(cfg, hub ? "of the TF Hub model in " + root : configName(root, entry), vocab, sentencePiece);
        String scope = "";
        if (prefix != null && !hub) {
            String marker = cfg.wordEmbeddingsName();
            scope = CheckpointIndex.read(prefix).keySet().stream()
                    .filter(k -> k.endsWith(marker))
                    .findFirst()
                    .map(k -> k.substring(0, k.length() - marker.length()))
                    .orElseThrow(() -> new ModelException("checkpoint in " + dir + " has no variable named " + marker
                            + " (with or without a scope): not a " + cfg.modelType + " checkpoint"));
        }
        boolean lower = entry != null ? entry.lowercase() : lowercaseByVocabulary(vocab, sentencePiece);
        return new PretrainedModel(
                name,
                root,
                cfg,
                vocab,
                sentencePiece,
                lower,
                prefix,
                scope,
                hub ? PretrainedModel.Format.TF_HUB : PretrainedModel.Format.CHECKPOINT);
    }

    /**
     * A Hugging Face folder: {@code config.json}, {@code model.safetensors}, and {@code vocab.txt} (BERT, ELECTRA)
     * or a SentencePiece {@code spiece.model} (ALBERT). Casing is what {@code tokenizer_config.json} or
     * {@code tokenizer.json} declare, else what the vocabulary suggests. The weights' header is checked now; the
     * tensors are read when a graph wants them.
     */
    private static PretrainedModel fromHuggingFace(String name, Path dir) {
        Path configFile = dir.resolve(HfFolder.CONFIG);
        BertConfig cfg = HfConfig.read(configFile);
        Path weights = HfFolder.weights(dir);
        Path vocab;
        try {
            vocab = findVocabulary(dir, null, dir);
        } catch (ModelException missing) {
            if (!Files.exists(dir.resolve("tokenizer.json"))) throw missing;
            throw new ModelException(dir + " has tokenizer.json but no vocab.txt (nor a SentencePiece .model); "
                    + "bert-clf reads the vocabulary from vocab.txt: write it with "
                    + "AutoTokenizer.from_pretrained(DIR).save_pretrained(DIR, legacy_format=True)");
        }
        boolean sentencePiece = WordPieceTokenizer.isSentencePiece(vocab);
        checkFits(cfg, configFile.toString(), vocab, sentencePiece);
        HfEncoderWeights.check(weights, cfg);
        Boolean declared = HfFolder.lowercase(dir);
        boolean lower = declared != null ? declared : lowercaseByVocabulary(vocab, sentencePiece);
        log.debug("Hugging Face {} folder {}: {}", cfg.modelType, dir, cfg);
        return new PretrainedModel(
                name, dir, cfg, vocab, sentencePiece, lower, weights, "", PretrainedModel.Format.HUGGING_FACE);
    }

    /**
     * The vocabulary must make a tokenizer whose ids all index the embedding table, and the weights must fit this
     * machine: both found out here, before a graph is built, rather than as TensorFlow errors or an OOM kill.
     */
    private static void checkFits(BertConfig cfg, String config, Path vocab, boolean sentencePiece) {
        int ids;
        try {
            ids = TokenizerJson.idCount(vocab, sentencePiece);
        } catch (DataException e) {
            throw new ModelException(e.getMessage(), e);
        }
        if (ids > cfg.vocabSize) {
            throw new ModelException("model config " + config + ": vocab_size is " + cfg.vocabSize + " but " + vocab
                    + " has " + ids + " tokens; vocab_size must be at least " + ids + " (one embedding row per id)");
        }
        ModelMemory.require(cfg, config, ModelMemory.Use.INFERENCE);
    }

    private static String configName(Path root, ModelCatalog.Entry entry) {
        Path file = ownConfigFile(root, entry);
        return file != null ? file.toString() : "of the registry entry " + entry.name();
    }

    /** The registry's or the folder's config, checked against the weights; inferred from them if there is none. */
    private static BertConfig hubConfig(Path root, ModelCatalog.Entry entry) {
        HubArchitecture weights = HubEncoderWeights.open(root).architecture();
        // TF Hub's archives hold no config file, so a registry model's config is the registry's.
        BertConfig declared = entry != null ? entry.config() : readConfig(root, null);
        String declaredBy = entry != null ? "the registry entry " + entry.name() : String.valueOf(configFile(root));
        BertConfig cfg = HubConfig.resolve(weights, declared, declaredBy, root.toString());
        log.info("TF Hub SavedModel in {}: {}", root, weights);
        return cfg;
    }

    /** The config file in the model folder or above it, the registry's for a registry model; null if neither. */
    private static BertConfig readConfig(Path root, ModelCatalog.Entry entry) {
        Path file = ownConfigFile(root, entry);
        if (file == null) return entry != null ? entry.config() : null;
        BertConfig c = BertConfig.read(file);
        if (file.getFileName().toString().equals("albert_config.json")) c.modelType = BertConfig.ModelType.ALBERT;
        return c;
    }

    /** The folder's config file, unless it is an ALBERT release's, whose registry entry knows better; or null. */
    private static Path ownConfigFile(Path root, ModelCatalog.Entry entry) {
        Path file = configFile(root);
        boolean albert = file != null && file.getFileName().toString().equals("albert_config.json");
        return entry != null && albert ? null : file;
    }

    /** {@code bert_config.json} or {@code albert_config.json} in the model folder or the one above; null if none. */
    private static Path configFile(Path root) {
        for (Path d : root.getParent() != null ? List.of(root, root.getParent()) : List.of(root)) {
            for (String file : CONFIG_FILES) {
                if (Files.isRegularFile(d.resolve(file))) return d.resolve(file);
            }
        }
        return null;
    }

    private static Path findVocabulary(Path root, ModelCatalog.Entry entry, Path dir) {
        List<Path> candidates = new ArrayList<>();
        if (entry != null) {
            candidates.add(root.resolve(entry.vocabulary()));
            candidates.add(root.resolve("assets").resolve(entry.vocabulary()));
        } else {
            candidates.addAll(List.of(root.resolve("vocab.txt"), root.resolve("assets/vocab.txt")));
            for (Path d : List.of(root, root.resolve("assets"))) {
                if (!Files.isDirectory(d)) continue;
                try (Stream<Path> files = Files.list(d)) {
                    files.filter(WordPieceTokenizer::isSentencePiece).sorted().forEach(candidates::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return candidates.stream()
                .filter(Files::isRegularFile)
                .findFirst()
                .orElseThrow(() -> new ModelException(dir + " has no "
                        + (entry != null
                                ? entry.vocabulary()
                                : "vocab.txt (nor assets/vocab.txt, nor a SentencePiece .model)")));
    }

    private static Path findModelRoot(Path dir, ModelCatalog.Entry entry) {
        if (isModelRoot(dir, entry)) return dir;
        try (Stream<Path> children = Files.list(dir)) {
            List<Path> roots = children.filter(Files::isDirectory)
                    .filter(d -> isModelRoot(d, entry))
                    .toList();
            return roots.size() == 1 ? roots.get(0) : dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isModelRoot(Path d, ModelCatalog.Entry entry) {
        return CONFIG_FILES.stream().anyMatch(f -> Files.isRegularFile(d.resolve(f)))
                || Files.isRegularFile(d.resolve("saved_model.pb"))
                || (entry != null && Files.isRegularFile(d.resolve(entry.vocabulary())));
    }

    /**
     * {@code bert_model.ckpt} (or any single {@code *.index}) in Google's layout, {@code variables/variables} in a
     * SavedModel.
     */
    static Path findCheckpoint(Path root) {
        Path saved = root.resolve("variables/variables");
        if (Files.isRegularFile(root.resolve("variables/variables.index"))) return saved;
        try (Stream<Path> files = Files.list(root)) {
            List<Path> indexes = files.filter(p -> p.getFileName().toString().endsWith(".index"))
                    .sorted()
                    .toList();
            if (indexes.isEmpty()) return null;
            Path index = indexes.contains(root.resolve("bert_model.ckpt.index"))
                    ? root.resolve("bert_model.ckpt.index")
                    : indexes.get(indexes.size() - 1);
            String f = index.getFileName().toString();
            return index.resolveSibling(f.substring(0, f.length() - ".index".length()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The casing a vocabulary implies where nothing declares one: ALBERT's SentencePiece model lower-cases
     * (albert_en_preprocess); a WordPiece vocabulary tells by its pieces.
     */
    private static boolean lowercaseByVocabulary(Path vocab, boolean sentencePiece) {
        return sentencePiece || looksUncased(vocab);
    }

    /** Uncased vocabularies hold no upper-case word pieces; cased ones hold thousands. */
    static boolean looksUncased(Path vocab) {
        try (Stream<String> lines = Files.lines(vocab)) {
            long upper = lines.filter(t -> !(t.startsWith("[") && t.endsWith("]")))
                    .filter(t -> t.chars().anyMatch(Character::isUpperCase))
                    .limit(50)
                    .count();
            return upper < 50;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + vocab, e);
        }
    }
}
