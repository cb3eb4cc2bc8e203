package dev.bertclf.spark;

import dev.bertclf.infer.InferenceException;
import dev.bertclf.infer.ModelMetadata;
import dev.bertclf.infer.PredictionColumns;
import dev.bertclf.model.ModelException;
import dev.bertclf.options.ScoringOptions;
import dev.bertclf.runtime.ConsoleText;
import dev.bertclf.runtime.DataException;
import dev.bertclf.runtime.InvalidOptionException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code predict --input} on Apache Spark, with the same scoring options ({@link ScoringOptions}): reads a table
 * Spark SQL reads (Parquet, CSV, JSON, ORC, a catalog table), scores its partitions on the executors
 * ({@link PartitionScorer}, one model per executor JVM) and writes the input columns plus the
 * {@link PredictionColumns}. Started with {@code spark-submit --class dev.bertclf.spark.ScoreJob}; exit code 2 for a
 * usage error, 1 for a failure, each with one {@code error:} line.
 */
@Command(
        name = "dev.bertclf.spark.ScoreJob",
        mixinStandardHelpOptions = true,
        description = "Score a table with a model trained by bert-clf, on Spark.")
public final class ScoreJob implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ScoreJob.class);
    /** The catalog-table prefix of --input and --output. */
    static final String TABLE = "table:";

    /** Formats by file extension. */
    private static final Map<String, String> FORMATS =
            Map.of("parquet", "parquet", "csv", "csv", "json", "json", "jsonl", "json", "orc", "orc");

    enum Mode {
        errorifexists,
        overwrite
    }

    enum OnError {
        fail,
        skip
    }

    @Option(
            names = "--model-dir",
            required = true,
            paramLabel = "DIR",
            description = "Trained model folder: on every executor (shared filesystem) or shipped with --archives.")
    String modelDir;

    @Option(names = "--input", required = true, paramLabel = "PATH|table:NAME", description = "What to score.")
    String input;

    @Option(
            names = "--input-format",
            paramLabel = "FORMAT",
            description = "parquet, csv, json or orc (default: from the extension of --input).")
    String inputFormat;

    @Option(names = "--output", required = true, paramLabel = "PATH|table:NAME", description = "Where to write.")
    String output;

    @Option(
            names = "--output-format",
            paramLabel = "FORMAT",
            description = "parquet, csv, json or orc (default: from the extension of --output, else --input's).")
    String outputFormat;

    @Option(
            names = "--text-column",
            defaultValue = "text",
            paramLabel = "NAME",
            description = "Column holding the texts (default: ${DEFAULT-VALUE}).")
    String textColumn;

    @Option(names = "--id-column", paramLabel = "NAME", description = "Column naming a row in error messages.")
    String idColumn;

    @Option(
            names = "--batch-size",
            defaultValue = "32",
            paramLabel = "N",
            description = "Texts per model call (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            names = "--tf-threads",
            defaultValue = "0",
            paramLabel = "N",
            description = "TensorFlow intra-op threads per executor (default: one per core).")
    int tfThreads;

    @Option(
            names = "--mode",
            defaultValue = "errorifexists",
            paramLabel = "MODE",
            description = "errorifexists (default) or overwrite, when --output exists.")
    Mode mode;

    @Option(
            names = "--on-error",
            defaultValue = "fail",
            paramLabel = "fail|skip",
            description = "A row with an empty, blank or null text: fail the job (default) or skip the row.")
    OnError onError;

    @Mixin
    ScoringOptions scoring;

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        SparkSession.getActiveSession().foreach(s -> {
            s.stop();
            return null;
        });
        if (code != 0) System.exit(code);
    }

    /** The job's command line, its failures turned into one {@code error:} line (exit code 1, 2 for usage). */
    static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new ScoreJob()).setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("error: " + ConsoleText.escape(e.getMessage()));
            err.println(
                    "Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
            err.flush();
            return CommandLine.ExitCode.USAGE;
        });
        cmd.setExecutionExceptionHandler((e, c, parsed) -> {
            if (e instanceof InvalidOptionException) {
                return c.getParameterExceptionHandler()
                        .handleParseException(
                                new CommandLine.ParameterException(c, e.getMessage(), e),
                                parsed.originalArgs().toArray(String[]::new));
            }
            log.debug("the job failed", e);
            c.getErr().println("error: " + ConsoleText.escape(reason(e)));
            c.getErr().flush();
            return 1;
        });
        return cmd;
    }

    @Override
    public Integer call() throws Exception {
        if (batchSize < 1) throw new InvalidOptionException("--batch-size must be at least 1");
        if (tfThreads < 0) throw new InvalidOptionException("--tf-threads must be 0 (default) or more");
        String inFormat = format(inputFormat, input, null, "--input-format");
        String outFormat = format(outputFormat, output, inFormat == null ? "parquet" : inFormat, "--output-format");
        SparkSession spark = SparkSession.builder().appName("bert-clf score").getOrCreate();
        ModelMetadata meta = ModelMetadata.read(ModelCache.locate(modelDir));
        scoring.check(meta);
        int classes = meta.classNames().size();
        checkNotTheInput(spark);
        boolean existed = exists(spark, output);
        if (existed && mode == Mode.errorifexists) {
            throw new InvalidOptionException(
                    output + " already exists: choose another --output, or pass --mode " + "overwrite to replace it");
        }
        String rowSeparator = "\n";
        if ("csv".equals(inFormat) && !input.startsWith(TABLE)) {
            rowSeparator = CsvCheck.check(input, spark.sparkContext().hadoopConfiguration());
        }
        Dataset<Row> table = read(spark, inFormat, rowSeparator);
        List<String> columns = Arrays.asList(table.columns());
        int textIndex = column(table, textColumn, "--text-column");
        if (!table.schema().fields()[textIndex].dataType().equals(DataTypes.StringType)) {
            throw new DataException("column '" + textColumn + "' of " + input + " holds "
                    + table.schema().fields()[textIndex].dataType().simpleString() + ", not text");
        }
        int idIndex = idColumn == null ? -1 : column(table, idColumn, "--id-column");
        PredictionColumns added = PredictionColumns.forInput(columns, classes, meta.isMultiLabel());
        boolean topAsJson = outFormat.equals("csv");
        LongAccumulator skipped = spark.sparkContext().longAccumulator("rows skipped");
        LongAccumulator scored = spark.sparkContext().longAccumulator("rows scored");
        PartitionScorer scorer = new PartitionScorer(
                new ModelCache.Key(modelDir, tfThreads, scoring.longText(), scoring.threshold()),
                batchSize,
                textIndex,
                textColumn,
                idIndex,
                added.top() != null,
                added.labels() != null,
                topAsJson,
                onError == OnError.skip,
                skipped,
                scored);
        Dataset<Row> result = table.mapPartitions(scorer, Encoders.row(schema(table.schema(), added, topAsJson)));
        long t0 = System.nanoTime();
        try {
            write(result, outFormat);
        } catch (Exception e) { // Spark's own exceptions are checked ones, thrown undeclared
            if (!existed) removeLeftovers(spark, output);
            throw e;
        }
        if (skipped.value() > 0) log.warn("skipped {} rows with an empty text", skipped.value());
        double seconds = (System.nanoTime() - t0) / 1e9;
        log.info(String.format(
                java.util.Locale.ROOT,
                "scored %d rows of %s into %s in %.1f s (%.1f rows/s, model loading included)",
                scored.value(),
                input,
                output,
                seconds,
                scored.value() / seconds));
        return 0;
    }

    /** The input's columns, then the prediction's. */
    static StructType schema(StructType input, PredictionColumns added, boolean topAsJson) {
        StructType s = input.add(added.label(), DataTypes.StringType, false)
                .add(added.probability(), DataTypes.DoubleType, false);
        StructType classProbability = new StructType()
                .add("label", DataTypes.StringType, false)
                .add("probability", DataTypes.DoubleType, false);
        DataType classes = topAsJson ? DataTypes.StringType : DataTypes.createArrayType(classProbability, false);
        if (added.top() != null) s = s.add(added.top(), classes);
        if (added.labels() != null) s = s.add(added.labels(), classes);
        return s.add(added.labelProbability(), DataTypes.DoubleType, false);
    }

    private static String format(String given, String path, String fallback, String option) {
        if (given != null) {
            String f = given.toLowerCase(Locale.ROOT);
            if (!FORMATS.containsValue(f))
                throw new InvalidOptionException(option + " must be parquet, csv, json or orc");
            return f;
        }
        if (path.startsWith(TABLE)) return fallback;
        String name = path.replaceAll("/+$", "");
        String ext = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        String f = FORMATS.get(ext);
        if (f != null) return f;
        if (fallback != null) return fallback;
        throw new InvalidOptionException("cannot tell the format of " + path + " from its name: pass " + option);
    }

    private Dataset<Row> read(SparkSession spark, String format, String rowSeparator) {
        if (input.startsWith(TABLE)) return spark.table(input.substring(TABLE.length()));
        var reader = spark.read().format(format);
        if (format.equals("csv")) reader = reader.options(csvOptions()).option("lineSep", rowSeparator);
        return reader.load(input);
    }

    private void write(Dataset<Row> result, String format) {
        var writer = result.write()
                .mode(mode == Mode.overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists)
                .format(format);
        if (format.equals("csv")) writer = writer.options(csvOptions());
        if (output.startsWith(TABLE)) writer.saveAsTable(output.substring(TABLE.length()));
        else writer.save(output);
    }

    /**
     * CSV as {@code predict --input} and spreadsheets write it (RFC 4180): a header line, quotes doubled inside
     * quoted fields, and quoted fields that span lines.
     */
    private static Map<String, String> csvOptions() {
        return Map.of(
                "header", "true",
                "multiLine", "true",
                "escape", "\"",
                "mode", "FAILFAST",
                "ignoreLeadingWhiteSpace", "false",
                "ignoreTrailingWhiteSpace", "false",
                "lineSep", "\n"); // written with LF; read with the input's own (CsvCheck), which keeps a CR in quotes
    }

    private int column(Dataset<Row> table, String name, String option) {
        int i = Arrays.asList(table.columns()).indexOf(name);
        if (i < 0) {
            throw new InvalidOptionException(input + " has no column '" + name + "' (" + option + "); its columns: "
                    + String.join(", ", table.columns()));
        }
        return i;
    }

    /**
     * Refuses an {@code --output} that is the input, holds it or lies inside it, whatever {@code --mode}: Spark's
     * overwrite deletes the output before it reads the input, so the job once deleted its own input.
     */
    private void checkNotTheInput(SparkSession spark) throws IOException {
        boolean same;
        if (output.startsWith(TABLE) || input.startsWith(TABLE)) {
            same = output.equalsIgnoreCase(input);
        } else {
            var conf = spark.sparkContext().hadoopConfiguration();
            org.apache.hadoop.fs.Path in = new org.apache.hadoop.fs.Path(input),
                    out = new org.apache.hadoop.fs.Path(output);
            String a =
                    in.getFileSystem(conf).makeQualified(in).toUri().normalize().toString();
            String b = out.getFileSystem(conf)
                    .makeQualified(out)
                    .toUri()
                    .normalize()
                    .toString();
            same = a.equals(b) || a.startsWith(b.endsWith("/") ? b : b + "/") || b.startsWith(a + "/");
        }
        if (same) {
            throw new InvalidOptionException("--output " + output + " is, holds or lies in the input " + input
                    + ": writing it would delete the input (with --mode overwrite) or mix the two; name another "
                    + "--output");
        }
    }

    private static boolean exists(SparkSession spark, String output) throws IOException {
        if (output.startsWith(TABLE)) return spark.catalog().tableExists(output.substring(TABLE.length()));
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(output);
        return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p);
    }

    /** A failed write leaves its folder (Spark's commit protocol removes only the parts): nothing of it stays. */
    private static void removeLeftovers(SparkSession spark, String output) {
        if (output.startsWith(TABLE)) return;
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(output);
            FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (fs.exists(p)) fs.delete(p, true);
        } catch (IOException e) {
            log.warn("could not remove the partial output {}: {}", output, e.getMessage());
        }
    }

    /**
     * What went wrong, in one line: our own exception where the executor threw one (Spark wraps it in its job and
     * stage failures), else the first line of Spark's message.
     */
    static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InferenceException || t instanceof DataException || t instanceof ModelException) {
                return t.getMessage();
            }
        }
        if (e instanceof AnalysisException a) return a.getSimpleMessage();
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }
}
