package dev.bertclf.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.testutil.TemporaryHome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fused kernels' copy in {@code $BERT_CLF_HOME/natives}: written once under a name of its content, reused while
 * its bytes are right, and replaced when they are not (a damaged or half-written copy is never what gets loaded).
 */
class FusedKernelsUnpackTest {
    @TempDir
    Path tmp;

    @Test
    void aDamagedCopyIsReplacedAndAGoodOneReused() throws Exception {
        byte[] library = "not really a library, but bytes to copy".getBytes(StandardCharsets.UTF_8);
        try (TemporaryHome home = TemporaryHome.at(tmp)) {
            Path file = FusedKernels.unpack(library);
            assertTrue(file.startsWith(tmp.resolve("natives")), file.toString());
            assertArrayEquals(library, Files.readAllBytes(file));
            long written = Files.getLastModifiedTime(file).toMillis();

            Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(written - 60_000));
            assertEquals(file, FusedKernels.unpack(library));
            assertEquals(written - 60_000, Files.getLastModifiedTime(file).toMillis(), "a good copy is reused");

            Files.write(file, new byte[library.length]); // same size, other bytes
            assertEquals(file, FusedKernels.unpack(library));
            assertArrayEquals(library, Files.readAllBytes(file), "a damaged copy is replaced");
            Files.write(file, new byte[3]); // cut short
            FusedKernels.unpack(library);
            assertArrayEquals(library, Files.readAllBytes(file));
            try (var left = Files.list(file.getParent())) {
                assertEquals(List.of(file), left.toList(), "no temporary files left");
            }
        }
    }
}
