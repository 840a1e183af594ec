package dev.canopy.access.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link AccessBenchmarks} under JMH; excluded from the normal build (tag {@code benchmark}). The
 * {@code benchmarks} profile turns on JMH's annotation processor and the tag:
 * {@code ./mvnw -P benchmarks test -Dtest=AccessBenchmarkRun -Dsurefire.failIfNoSpecifiedTests=false}.
 * Results go to {@code target/jmh-access.txt} besides the console.
 */
@Tag("benchmark")
class AccessBenchmarkRun {

    @Test
    void run() throws Exception {
        var results = new Runner(new OptionsBuilder()
                .include(AccessBenchmarks.class.getName())
                .resultFormat(ResultFormatType.TEXT)
                .result("target/jmh-access.txt")
                .build()).run();
        assertThat(results).isNotEmpty();
    }
}
