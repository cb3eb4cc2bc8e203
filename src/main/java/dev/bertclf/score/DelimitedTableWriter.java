package dev.bertclf.score;

import dev.bertclf.data.TableFormat;
import dev.bertclf.data.TableRow;
import dev.bertclf.infer.Prediction;
import dev.bertclf.infer.PredictionColumns;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVPrinter;

/**
 * CSV or TSV rows: the input's fields as they were read, then the label, its probability and, for a multi-class
 * model, the top classes as JSON text ({@link PredictionColumns#topAsJson}), for a multi-label model also the
 * classes over its threshold ({@link PredictionColumns#labelsAsJson}). Lines end with LF.
 */
final class DelimitedTableWriter implements TableWriter {
    private final CSVPrinter printer;
    private final List<String> header;
    private final PredictionColumns added;

    DelimitedTableWriter(Writer out, TableFormat format, List<String> inputColumns, PredictionColumns added)
            throws IOException {
        this.printer = new CSVPrinter(
                out, format.delimited().builder().setRecordSeparator('\n').get());
        this.header = new ArrayList<>(inputColumns);
        header.addAll(added.names());
        this.added = added;
    }

    @Override
    public void writeHeader() throws IOException {
        printer.printRecord(header);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void write(TableRow row, Prediction p) throws IOException {
        List<String> fields = new ArrayList<>((List<String>) row.values());
        fields.add(p.label());
        fields.add(String.valueOf(p.probability()));
        if (added.top() != null) fields.add(PredictionColumns.topAsJson(p));
        if (added.labels() != null) fields.add(PredictionColumns.labelsAsJson(p));
        fields.add(String.valueOf(p.labelProbability()));
        printer.printRecord(fields);
    }

    @Override
    public void flush() throws IOException {
        printer.flush();
    }

    @Override
    public void close() throws IOException {
        printer.close();
    }
}
