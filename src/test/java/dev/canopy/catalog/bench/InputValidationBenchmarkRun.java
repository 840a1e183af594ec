package dev.canopy.catalog.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link InputValidationBenchmarks} under JMH; excluded from the normal build (tag {@code benchmark}):
 * {@code ./mvnw -P benchmarks test -Dtest=InputValidationBenchmarkRun -Dsurefire.failIfNoSpecifiedTests=false}.
 * Results go to {@code target/jmh-inputs.txt} besides the console.
 */
@Tag("benchmark")
class InputValidationBenchmarkRun {

    @Test
    void run() throws Exception {
        var results = new Runner(new OptionsBuilder()
                .include(InputValidationBenchmarks.class.getName())
                .resultFormat(ResultFormatType.TEXT)
                .result("target/jmh-inputs.txt")
                .build()).run();
        assertThat(results).isNotEmpty();
    }
}
