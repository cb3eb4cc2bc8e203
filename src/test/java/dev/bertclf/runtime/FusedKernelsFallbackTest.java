package dev.bertclf.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A build that carries the fused kernels but cannot load them says so at WARN (once a debug line only, so that a
 * run could train on TensorFlow's ops without a word), and says what it means: the same results, slower.
 */
class FusedKernelsFallbackTest {
    @Test
    void aBuildThatCarriesTheKernelsWarnsWhereTheyCannotLoad() {
        assumeTrue(
                FusedKernels.class.getResource("/dev/bertclf/native/linux-x86_64/libbertclf_ops.so") != null,
                "this build carries no fused kernels (no C compiler)");
        Logger logger = (Logger) LoggerFactory.getLogger(FusedKernels.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        try {
            assertFalse(FusedKernels.tryLoad("Linux", "aarch64"));
            assertFalse(FusedKernels.tryLoad("Mac OS X", "x86_64"));
            List<String> warnings = log.list.stream()
                    .filter(e -> e.getLevel() == Level.WARN)
                    .map(ILoggingEvent::getFormattedMessage)
                    .toList();
            assertEquals(
                    List.of(
                            "bert-clf's fused kernels are built for Linux x86-64, not linux aarch64; training uses "
                                    + "TensorFlow's ops instead: the same dropout masks and results, slower",
                            "bert-clf's fused kernels are built for Linux x86-64, not mac os x x86_64; training uses "
                                    + "TensorFlow's ops instead: the same dropout masks and results, slower"),
                    warnings);
        } finally {
            logger.detachAppender(log);
        }
    }
}
