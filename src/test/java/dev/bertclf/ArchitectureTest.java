package dev.bertclf;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packages are the pipeline's stages and point only down: cli -> bench -> score / serve / train -> infer ->
 * model -> data / text -> io -> runtime, with spark (the Spark job, an entry point like cli) on top beside cli, and
 * options (the command-line options the two entry points share) just below them. A
 * change that makes a lower stage know a higher one (the inference code reaching into training, the model code
 * parsing command-line options) fails here, as does console output from anywhere but the command line and its
 * progress bars.
 */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importMain() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.bertclf");
    }

    @Test
    void layersOnlyPointDown() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("cli")
                .definedBy("dev.bertclf.cli..")
                .layer("spark")
                .definedBy("dev.bertclf.spark..")
                .layer("options")
                .definedBy("dev.bertclf.options..")
                .layer("bench")
                .definedBy("dev.bertclf.bench..")
                .layer("score")
                .definedBy("dev.bertclf.score..")
                .layer("serve")
                .definedBy("dev.bertclf.serve..")
                .layer("train")
                .definedBy("dev.bertclf.train..")
                .layer("infer")
                .definedBy("dev.bertclf.infer..")
                .layer("model")
                .definedBy("dev.bertclf.model..")
                .layer("data")
                .definedBy("dev.bertclf.data..")
                .layer("text")
                .definedBy("dev.bertclf.text..")
                .layer("io")
                .definedBy("dev.bertclf.io..")
                .layer("runtime")
                .definedBy("dev.bertclf.runtime..")
                .whereLayer("cli")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("spark")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("options")
                .mayOnlyBeAccessedByLayers("cli", "spark")
                .whereLayer("bench")
                .mayOnlyBeAccessedByLayers("cli")
                .whereLayer("score")
                .mayOnlyBeAccessedByLayers("cli", "bench")
                .whereLayer("serve")
                .mayOnlyBeAccessedByLayers("cli", "bench")
                .whereLayer("train")
                .mayOnlyBeAccessedByLayers("cli", "bench")
                .whereLayer("infer")
                .mayOnlyBeAccessedByLayers("cli", "options", "bench", "score", "serve", "train", "spark")
                .whereLayer("model")
                .mayOnlyBeAccessedByLayers("cli", "bench", "serve", "train", "infer", "spark")
                .whereLayer("data")
                .mayOnlyBeAccessedByLayers("cli", "spark", "bench", "score", "train", "infer", "model")
                .whereLayer("text")
                .mayOnlyBeAccessedByLayers("cli", "bench", "serve", "train", "infer", "model")
                .whereLayer("io")
                .mayOnlyBeAccessedByLayers("cli", "bench", "score", "serve", "train", "infer", "model", "data", "text")
                .check(classes);
    }

    @Test
    void noCyclesBetweenPackages() {
        slices().matching("dev.bertclf.(*)..").should().beFreeOfCycles().check(classes);
    }

    /** The command line owns the console; lower layers log (or draw a progress bar), they never print. */
    @Test
    void onlyTheCommandLinePrints() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.bertclf.cli..")
                .and()
                .doNotHaveSimpleName("ProgressBar")
                .should()
                .accessField(System.class, "out")
                .orShould()
                .accessField(System.class, "err")
                .check(classes);
    }

    /** TF Java's internals are reached through one door: {@code runtime.ServerSessions}. */
    @Test
    void onlyServerSessionsOpensATargetedSession() {
        noClasses()
                .that()
                .doNotHaveFullyQualifiedName("dev.bertclf.runtime.ServerSessions")
                .should()
                .dependOnClassesThat()
                .haveFullyQualifiedName("org.tensorflow.TargetedSession")
                .check(classes);
    }
}
