package dev.bertclf.score;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/** Rows of a table file one at a time, never the whole file. */
interface TableReader extends Closeable {
    /** The input's column names: a delimited file's header, the first JSON object's keys. */
    List<String> columns();

    /**
     * The next data row (a bad one carries its problem), or null at the end.
     *
     * @throws dev.bertclf.runtime.DataException for damage that no row can be read past
     */
    InputRow next() throws IOException;
}
