package dev.bertclf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/robustness.md from drifting: every test its table names exists, and every test of the suites written
 * for bad input and interruptions is listed there.
 */
class RobustnessDocTest {
    private static final Path DOC = Path.of("docs/robustness.md");
    private static final List<String> SUITES = List.of(
            "cli.OutputSafetyTest",
            "cli.ResumeTest",
            "cli.TrainOptionsTest",
            "cli.PredictInputTest",
            "cli.DatasetFolderInputTest",
            "cli.SharedMachineTest");
    private static final Pattern ROW = Pattern.compile("^\\| (\\d+) \\|.*\\| `([\\w.]+)#(\\w+)` \\|$");

    @Test
    void tableNamesExistingTestsAndListsEveryRobustnessTest() throws Exception {
        List<String> rows = Files.readAllLines(DOC).stream()
                .filter(l -> l.startsWith("| ") && !l.startsWith("| #") && !l.startsWith("| ---"))
                .toList();
        Set<String> named = new LinkedHashSet<>();
        int number = 0;
        for (String row : rows) {
            Matcher m = ROW.matcher(row);
            assertTrue(m.matches(), "row not in the form | n | input | behaviour | `pkg.Class#test` |: " + row);
            assertEquals(++number, Integer.parseInt(m.group(1)), "rows are numbered in order: " + row);
            assertTrue(
                    isTest(Class.forName("dev.bertclf." + m.group(2)), m.group(3)),
                    "no test " + m.group(2) + "#" + m.group(3));
            named.add(m.group(2) + "#" + m.group(3));
        }
        for (String suite : SUITES) {
            for (Method method : Class.forName("dev.bertclf." + suite).getDeclaredMethods()) {
                if (method.isAnnotationPresent(Test.class)) {
                    assertTrue(
                            named.contains(suite + "#" + method.getName()),
                            suite + "#" + method.getName() + " is not in " + DOC);
                }
            }
        }
        System.out.println(DOC + ": " + rows.size() + " bad inputs, " + named.size() + " tests");
    }

    private static boolean isTest(Class<?> c, String name) {
        List<Method> methods = new ArrayList<>(List.of(c.getDeclaredMethods()));
        return methods.stream()
                .anyMatch(m -> m.getName().equals(name)
                        && (m.isAnnotationPresent(Test.class)
                                || m.isAnnotationPresent(org.junit.jupiter.params.ParameterizedTest.class)
                                || m.isAnnotationPresent(net.jqwik.api.Property.class)));
    }
}
