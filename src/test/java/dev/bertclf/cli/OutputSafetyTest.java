package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.infer.SavedModelExporter;
import dev.bertclf.io.OutputLock;
import dev.bertclf.runtime.OwnedFolder;
import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.TinyBert;
import dev.bertclf.testutil.TinyClassifier;
import dev.bertclf.train.TrainingCheckpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No folder or file of the user's is ever replaced, emptied or written into by {@code train}, and every refusal
 * comes before any work: the data here is a real folder in the own-data layout, so a run that got past the checks
 * would train on it (and, before these checks existed, replaced the folder after the first epoch).
 */
class OutputSafetyTest {
    @TempDir
    static Path tmp;

    static Path model, data;

    @BeforeAll
    static void setUp() throws Exception {
        TfRuntime.engine();
        model = TinyBert.write(tmp.resolve("tiny_bert"), "");
        data = tmp.resolve("reviews");
        for (String c : List.of("neg", "pos")) {
            Files.createDirectories(data.resolve("train").resolve(c));
            for (int i = 0; i < 8; i++)
                Files.writeString(data.resolve("train/" + c + "/" + i + ".txt"), c + " film " + i);
        }
    }

    /** Trains into {@code output}; expects a usage error containing {@code expected}, before any work. */
    static void assertRefused(Path output, String expected) {
        Cli.Run r = train(output);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace");
        assertFalse(r.out().contains("Found ") || r.err().contains("Tokenizing"), "no data work: " + r.out());
    }

    static Cli.Run train(Path output, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "train",
                "--model",
                model.toString(),
                "--data-dir",
                data.toString(),
                "--epochs",
                "1",
                "--batch-size",
                "4",
                "--max-seq-len",
                "16",
                "--output",
                output.toString()));
        args.addAll(List.of(more));
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void aFolderOfTheUsersIsNeverReplacedWhatEverItHolds() throws Exception {
        for (String lookalike : List.of("metadata.json", "saved_model.pb")) {
            Path p = Files.createDirectories(tmp.resolve("mine-" + lookalike));
            Files.writeString(p.resolve(lookalike), "{}");
            Files.writeString(p.resolve("thesis.tex"), "three years of work");
            assertRefused(p, "holds files that bert-clf did not write");
            assertEquals("three years of work", Files.readString(p.resolve("thesis.tex")));
            assertEquals(List.of(lookalike, "thesis.tex"), names(p));
            assertFalse(Files.exists(tmp.resolve(p.getFileName() + TrainingCheckpoints.SUFFIX)));
            assertFalse(Files.exists(tmp.resolve(p.getFileName() + ".train.log")));
        }
    }

    @Test
    void theInputsTheirParentsTheWorkingDirectoryAndTheRootAreRefused() throws Exception {
        assertRefused(data, "is the data folder");
        assertRefused(data.getParent(), "/tiny_bert): replacing it would delete that"); // it holds all the inputs
        assertRefused(model, "is the model --model names");
        assertRefused(Path.of("."), "is the working directory");
        assertRefused(Path.of("/"), "is the root folder");
        Path link = Files.createSymbolicLink(tmp.resolve("link-to-data"), data);
        assertRefused(link, "is the data folder");
        Path file = Files.writeString(tmp.resolve("notes.txt"), "mine");
        assertRefused(file, "is a file, not a folder");
        // once refused only when the first epoch's model was renamed into place
        Path empty = Files.createDirectories(tmp.resolve("empty-target"));
        assertRefused(Files.createSymbolicLink(tmp.resolve("link-out"), empty), "is a symbolic link");
        assertEquals("mine", Files.readString(file));
        assertTrue(Files.isRegularFile(data.resolve("train/pos/0.txt"))
                && Files.isRegularFile(model.resolve("vocab.txt")));
    }

    @Test
    void aCheckpointFolderOfTheUsersIsRefusedAndKept() throws Exception {
        Path out = tmp.resolve("clash");
        Path theirs = Files.createDirectories(tmp.resolve("clash" + TrainingCheckpoints.SUFFIX));
        Files.writeString(theirs.resolve("notes.txt"), "mine");
        Cli.Run r = train(out);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(theirs + " holds notes.txt, which bert-clf did not write"), r.err());
        assertEquals(List.of("notes.txt"), names(theirs));
        assertFalse(Files.exists(out));
    }

    /** Before the fix, the second run opened (and emptied) the first run's log, then found the lock taken. */
    @Test
    void aRunRefusedByTheLockWritesNothing() throws Exception {
        Path out = tmp.resolve("busy");
        TrainingCheckpoints checkpoints = TrainingCheckpoints.besideOutput(out);
        Path log;
        try (OutputLock held = checkpoints.lock(out)) {
            log = Files.writeString(checkpoints.log(), "the running run's log\n");
            Cli.Run r = train(out);
            assertEquals(1, r.code(), r.err());
            assertTrue(r.err().contains("another 'bert-clf train' is writing to " + out), r.err());
        }
        assertEquals("the running run's log\n", Files.readString(log));
        assertFalse(Files.exists(out));
    }

    /**
     * A folder bert-clf exported carries its marker and is replaced by the next run, keeping what the user put in it
     * (once deleted with the old model); without the marker it is not replaced.
     */
    @Test
    void onlyAMarkedModelFolderIsReplaced() throws Exception {
        Path out = TinyClassifier.export(tmp.resolve("exported"));
        assertTrue(OwnedFolder.isMarked(out, SavedModelExporter.OWNED_AS));
        Files.writeString(out.resolve("NOTES.md"), "what this model is for");
        Files.writeString(Files.createDirectories(out.resolve("eval")).resolve("report.txt"), "0.91");
        Cli.Run r = train(out);
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(out.resolve("train.log"))
                && OwnedFolder.isMarked(out, SavedModelExporter.OWNED_AS));
        assertEquals("what this model is for", Files.readString(out.resolve("NOTES.md")));
        assertEquals("0.91", Files.readString(out.resolve("eval/report.txt")));
        assertEquals(List.of(), leftovers(out.getParent(), ".exported."), "no old folder left aside");

        Files.delete(out.resolve(OwnedFolder.MARKER));
        assertRefused(out, "holds files that bert-clf did not write");
        assertTrue(Files.isRegularFile(out.resolve("saved_model.pb")));
    }

    /** Files in an exported model get the modes the umask gives, like TensorFlow's own saved_model.pb. */
    @Test
    void exportedFilesAreReadableAsTheUmaskAllows() throws Exception {
        Path out = TinyClassifier.export(tmp.resolve("modes"));
        Path probe = Files.createDirectory(tmp.resolve("probe"));
        String dirMode = PosixFilePermissions.toString(Files.getPosixFilePermissions(probe));
        String fileMode = PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("saved_model.pb")));
        assertEquals(dirMode, PosixFilePermissions.toString(Files.getPosixFilePermissions(out)), "the model folder");
        for (String f : List.of("metadata.json", "bert_config.json", OwnedFolder.MARKER)) {
            assertEquals(fileMode, PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve(f))), f);
        }
    }

    /** evaluate's plots go over files of the same names only in a folder bert-clf wrote its plots (or a model) into. */
    @Test
    void plotsNeverOverwriteTheUsersFiles() throws Exception {
        Path model = TinyClassifier.export(tmp.resolve("to-evaluate"));
        Path test = Files.writeString(tmp.resolve("test.csv"), "text,label\ngood film,pos\nbad film,neg\n");
        Path plots = Files.createDirectories(tmp.resolve("figures"));
        Files.writeString(plots.resolve("roc_curve.png"), "my own figure");
        String[] evaluate = {
            "evaluate", "--model-dir", model.toString(), "--test-file", test.toString(), "--plots-dir", plots.toString()
        };
        Cli.Run r = Cli.run(evaluate);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("already holds roc_curve.png, which bert-clf did not write"), r.err());
        assertEquals("my own figure", Files.readString(plots.resolve("roc_curve.png")));

        Files.delete(plots.resolve("roc_curve.png"));
        assertEquals(0, Cli.run(evaluate).code());
        Cli.Run again = Cli.run(evaluate);
        assertEquals(0, again.code(), again.err());
        assertTrue(Files.isRegularFile(plots.resolve("roc_curve.png")));
    }

    @Test
    void theMarkerIsCheckedNotGuessed() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("marker"));
        Files.writeString(dir.resolve(OwnedFolder.MARKER), "anything");
        assertFalse(OwnedFolder.isMarked(dir, "model"), "a marker file of another content");
        OwnedFolder.mark(dir, "checkpoints");
        assertFalse(OwnedFolder.isMarked(dir, "model"), "a marker of another kind");
        OwnedFolder.mark(dir, "model");
        assertTrue(OwnedFolder.isMarked(dir, "model"));
        Map<String, Path> none = Map.of();
        OwnedFolder.checkReplaceable("--output", dir, "model", none);
    }

    /**
     * The log is bert-clf's own file in the run's checkpoint folder: a user's {@code OUTPUT.train.log} beside the
     * output is never appended to nor moved (both happened), a failed run's log does not start the next run's, and
     * links planted where bert-clf writes (the marker, the log) are replaced or refused, never written through.
     */
    @Test
    void theLogIsBertClfsOwnAndNoPlantedLinkIsWrittenThrough() throws Exception {
        Path out = tmp.resolve("planted");
        Path mine = Files.writeString(tmp.resolve("planted.train.log"), "my own notes\n");
        Path victim = Files.writeString(tmp.resolve("victim.txt"), "victim\n");
        Path checkpoints = tmp.resolve("planted" + TrainingCheckpoints.SUFFIX);
        Cli.Run refused = Cli.run(
                "train",
                "--model",
                "small_bert/L-4_H-513_A-8",
                "--data-dir",
                data.toString(),
                "--output",
                out.toString());
        assertEquals(1, refused.code(), refused.err());
        assertFalse(Files.exists(checkpoints), "a run that never started training leaves nothing");
        Files.createDirectories(checkpoints);
        Files.createSymbolicLink(checkpoints.resolve(OwnedFolder.MARKER), victim);
        Cli.Run failed = train(out, "--learning-rate", "1e10"); // weight decay alone: the loss is NaN by step 3
        assertEquals(1, failed.code(), failed.err());
        Path log = checkpoints.resolve(TrainLog.FILE);
        assertTrue(Files.readString(log).contains("the loss became"), "a failed run's log is kept for the user");
        assertEquals("victim\n", Files.readString(victim), "the marker link was replaced, not written through");

        Files.delete(log);
        Files.createSymbolicLink(log, victim);
        Cli.Run r = train(out);
        assertEquals(0, r.code(), r.err());
        assertEquals("victim\n", Files.readString(victim), "the log link was replaced, not appended to");
        assertEquals("my own notes\n", Files.readString(mine), "the user's file beside the output is not touched");
        String runLog = Files.readString(out.resolve(TrainLog.FILE));
        assertFalse(runLog.contains("the loss became"), "the failed run's log does not start this one's: " + runLog);
        assertFalse(Files.exists(checkpoints), "a finished run leaves no checkpoint folder");
    }

    static List<String> leftovers(Path dir, String prefix) throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(prefix))
                    .toList();
        }
    }

    static List<String> names(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
