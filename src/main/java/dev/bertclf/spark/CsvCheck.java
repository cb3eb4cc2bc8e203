package dev.bertclf.spark;

import dev.bertclf.data.TableFormat;
import dev.bertclf.data.TableReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads a CSV input through once on the driver, with {@code predict --input}'s own reader
 * ({@link TableReader#requireReadable}), before the job: Spark's reader takes a quote that is never closed as a
 * field running to the end of the file, merging every row after it into one text and succeeding, where
 * {@code predict --input} stops naming the line. The rows are only read, never kept, and a row is bounded as that
 * reader bounds it: memory stays one record. Bad rows (a wrong number of fields) are Spark's to handle. A CSV file
 * is one partition in Spark anyway (multi-line CSV cannot be split), so the driver reads no more than one task
 * would. It also tells how the rows end (LF, or a spreadsheet's CRLF): Spark's reader keeps a CR inside quotes only
 * when it is told the row separator.
 */
final class CsvCheck {
    private CsvCheck() {}

    /**
     * Answers the row separator of the input's first file ({@code "\r\n"} or {@code "\n"}).
     *
     * @throws dev.bertclf.runtime.DataException naming the file and the line where a quoted field is left open
     */
    static String check(String input, Configuration conf) throws IOException {
        Path path = new Path(input);
        FileSystem fs = path.getFileSystem(conf);
        FileStatus[] matched = fs.globStatus(path);
        if (matched == null) return "\n"; // Spark's reader says it is missing
        List<FileStatus> files = new ArrayList<>();
        for (FileStatus s : matched) collect(fs, s, files);
        String separator = null;
        for (FileStatus f : files) {
            if (separator == null) separator = rowSeparator(fs, f.getPath());
            TableReader.requireReadable(f.getPath().toString(), fs.open(f.getPath()), TableFormat.CSV);
        }
        return separator == null ? "\n" : separator;
    }

    /** CRLF if the file's first line (its header) ends so, else LF. */
    private static String rowSeparator(FileSystem fs, Path file) throws IOException {
        try (var in = fs.open(file)) {
            int previous = -1;
            for (int b; (b = in.read()) >= 0; previous = b) {
                if (b == '\n') return previous == '\r' ? "\r\n" : "\n";
            }
        }
        return "\n";
    }

    private static void collect(FileSystem fs, FileStatus s, List<FileStatus> into) throws IOException {
        String name = s.getPath().getName();
        if (name.startsWith("_") || name.startsWith(".")) return; // Spark skips these too
        if (s.isDirectory()) {
            for (FileStatus child : fs.listStatus(s.getPath())) collect(fs, child, into);
        } else {
            into.add(s);
        }
    }
}
