package dev.canopy.catalog.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.canopy.catalog.InputErrors;
import dev.canopy.catalog.internal.InputSchema;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One validation of inputs against a 50-field schema with conditionals ({@code if/then/else}, {@code
 * dependentRequired}, {@code dependentSchemas}, enums, patterns, formats, defaults), compiled once as the catalog
 * does per version (goal: under 200 µs). Run with {@code InputValidationBenchmarkRun} (see docs/benchmarks.md).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xmx1g" })
public class InputValidationBenchmarks {

    @State(Scope.Benchmark)
    public static class World {

        InputSchema schema;
        ObjectNode valid;
        ObjectNode invalid;

        @Setup
        public void compile() throws Exception {
            var json = JsonMapper.builder().build();
            var properties = json.createObjectNode();
            var inputs = json.createObjectNode();
            var broken = json.createObjectNode();
            for (int i = 0; i < 50; i++) {
                String name = "field_" + i;
                switch (i % 5) {
                    case 0 -> {
                        properties.putObject(name).put("type", "string").put("pattern", "^[a-z][a-z0-9-]{2,40}$");
                        inputs.put(name, "value-" + i);
                        broken.put(name, "Bad Value");
                    }
                    case 1 -> {
                        properties.putObject(name).put("type", "integer").put("minimum", 1).put("maximum", 100)
                                .put("default", 10);
                        broken.put(name, 1000);
                    }
                    case 2 -> {
                        var e = properties.putObject(name).put("type", "string");
                        e.putArray("enum").add("small").add("medium").add("large");
                        inputs.put(name, "medium");
                        broken.put(name, "huge");
                    }
                    case 3 -> {
                        properties.putObject(name).put("type", "string").put("format", "email");
                        inputs.put(name, "owner" + i + "@example.com");
                        broken.put(name, "not-an-address");
                    }
                    default -> {
                        properties.putObject(name).put("type", "boolean");
                        inputs.put(name, i % 2 == 0);
                    }
                }
            }
            var root = json.createObjectNode().put("type", "object");
            root.set("properties", properties);
            root.putArray("required").add("field_0").add("field_2").add("field_3");
            root.set("if", json.readTree("{\"properties\": {\"field_2\": {\"const\": \"large\"}}}"));
            root.set("then", json.readTree("{\"required\": [\"field_5\"]}"));
            root.set("else", json.readTree("{\"properties\": {\"field_7\": {\"enum\": [\"small\", \"medium\"]}}}"));
            root.set("dependentRequired", json.readTree("{\"field_4\": [\"field_8\"]}"));
            root.set("dependentSchemas", json.readTree(
                    "{\"field_9\": {\"properties\": {\"field_13\": {\"format\": \"email\"}}, \"required\": [\"field_13\"]}}"));
            schema = InputSchema.compile(root);
            valid = inputs;
            invalid = broken;
        }
    }

    @Benchmark
    public InputErrors validInputs(World world) {
        return world.schema.validate(world.valid.deepCopy());
    }

    @Benchmark
    public InputErrors invalidInputs(World world) {
        return world.schema.validate(world.invalid.deepCopy());
    }
}
