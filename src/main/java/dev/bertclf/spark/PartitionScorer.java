package dev.bertclf.spark;

import dev.bertclf.infer.InferenceException;
import dev.bertclf.infer.Prediction;
import dev.bertclf.infer.PredictionColumns;
import dev.bertclf.infer.TextClassifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Scores one partition: pulls {@code batchSize} rows at a time from Spark's iterator, classifies their texts with
 * the executor's model ({@link ModelCache}) and hands back each row followed by its label, probability and, for a
 * multi-class or multi-label model, top classes (a multi-label model: then its classes over the threshold), and
 * last the label's own probability, as {@link dev.bertclf.infer.PredictionColumns} names them. Only one batch is
 * held at a time, never the whole partition.
 *
 * @param model the model folder and how its executor loads and applies it
 * @param textIndex the text column's position in the input rows
 * @param idIndex the position of the column that names a row in error messages, or -1
 * @param multiClass whether rows get the top classes
 * @param multiLabel whether rows get the classes over the threshold
 * @param topAsJson the top classes (and those over the threshold) as JSON text (for CSV, which has no arrays) rather
 *     than an array of structs
 * @param skipEmpty leave out rows whose text is empty, blank or null (counted in {@code skipped}) rather than fail
 */
record PartitionScorer(
        ModelCache.Key model,
        int batchSize,
        int textIndex,
        String textColumn,
        int idIndex,
        boolean multiClass,
        boolean multiLabel,
        boolean topAsJson,
        boolean skipEmpty,
        LongAccumulator skipped,
        LongAccumulator scored)
        implements MapPartitionsFunction<Row, Row> {

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        return new Iterator<>() {
            private Iterator<Row> batch = Collections.emptyIterator();
            private long position; // rows read from this partition

            @Override
            public boolean hasNext() {
                while (!batch.hasNext() && rows.hasNext()) batch = score(nextBatch());
                return batch.hasNext();
            }

            @Override
            public Row next() {
                if (!hasNext()) throw new NoSuchElementException();
                return batch.next();
            }

            private List<Row> nextBatch() {
                List<Row> out = new ArrayList<>(batchSize);
                while (out.size() < batchSize && rows.hasNext()) {
                    Row row = rows.next();
                    position++;
                    String text = row.isNullAt(textIndex) ? null : row.getString(textIndex);
                    if (text != null && !text.isBlank()) out.add(row);
                    else if (skipEmpty) skipped.add(1);
                    else
                        throw new InferenceException(describe(row) + " has " + (text == null ? "no" : "an empty")
                                + " text in column '" + textColumn + "' (pass --on-error skip to leave such rows out)");
                }
                return out;
            }

            private String describe(Row row) {
                String where = "row " + position + " of input partition " + TaskContext.getPartitionId();
                return idIndex < 0 ? where : where + " (id " + row.get(idIndex) + ")";
            }
        };
    }

    private Iterator<Row> score(List<Row> rows) {
        if (rows.isEmpty()) return Collections.emptyIterator();
        List<String> texts = new ArrayList<>(rows.size());
        for (Row row : rows) texts.add(row.getString(textIndex));
        TextClassifier classifier = ModelCache.get(model);
        List<Prediction> predictions;
        synchronized (classifier) {
            predictions = classifier.predict(texts, batchSize);
        }
        List<Row> out = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) out.add(withPrediction(rows.get(i), predictions.get(i)));
        scored.add(rows.size());
        return out.iterator();
    }

    private Row withPrediction(Row row, Prediction p) {
        int n = row.length();
        Object[] values = new Object[n + 3 + (multiClass ? 1 : 0) + (multiLabel ? 1 : 0)];
        for (int i = 0; i < n; i++) values[i] = row.get(i);
        values[n] = p.label();
        values[n + 1] = p.probability();
        int k = n + 2;
        if (multiClass) values[k++] = topAsJson ? PredictionColumns.topAsJson(p) : rows(p.top());
        if (multiLabel) values[k++] = topAsJson ? PredictionColumns.labelsAsJson(p) : rows(p.labels());
        values[k] = p.labelProbability();
        return RowFactory.create(values);
    }

    /** As Spark's row encoder takes an array of structs: a Scala sequence of rows. */
    private static Seq<Row> rows(List<Prediction.ClassProbability> classes) {
        List<Row> rows = new ArrayList<>(classes.size());
        for (Prediction.ClassProbability c : classes) rows.add(RowFactory.create(c.label(), c.probability()));
        return CollectionConverters.asScala(rows).toSeq();
    }
}
