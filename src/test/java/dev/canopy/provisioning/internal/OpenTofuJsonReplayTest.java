package dev.canopy.provisioning.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The driver's reading of the engines' machine-readable output, replaying what Terraform 1.11.4 printed for the
 * configuration in {@code src/test/resources/opentofu/terraform-1.11.4/main.tf} (applied once in an earlier form,
 * then planned: one resource kept, one changed, one replaced, one removed, one added with a sensitive attribute).
 * Runs everywhere, with or without an engine installed; {@code OpenTofuDriverTest} runs the real one.
 */
class OpenTofuJsonReplayTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SECRET = "hunter2-hunter2";

    @Test
    void aRecordedPlanBecomesTheNormalisedChangeListReplayingTerraform1_11Output() {
        JsonNode show = json("show.json");
        assertThat(show.toString()).as("the recording holds the secret in clear, as the engine prints it")
                .contains(SECRET);

        List<DriverResult.Change> changes = OpenTofuJson.changes(show);

        assertThat(changes).extracting(DriverResult.Change::address).containsExactly("terraform_data.added",
                "terraform_data.changed", "terraform_data.kept", "terraform_data.removed", "terraform_data.replaced");
        assertThat(changes).extracting(DriverResult.Change::action).containsExactly("create", "update", "no-op",
                "delete", "replace");
        DriverResult.Change added = changes.getFirst();
        assertThat(added.before().isNull()).isTrue();
        assertThat(added.after().path("input").path("user").asString()).isEqualTo("app");
        assertThat(added.after().path("input").path("password").asString()).isEqualTo(OpenTofuJson.SENSITIVE);
        assertThat(added.after().path("id").asString()).isEqualTo(OpenTofuJson.UNKNOWN);
        DriverResult.Change changed = changes.get(1);
        assertThat(changed.before().path("input").asString()).isEqualTo("old");
        assertThat(changed.after().path("input").asString()).isEqualTo("new");
        assertThat(changes.get(3).after().isNull()).as("a removed object has no after").isTrue();
        assertThat(changes.get(4).after().path("triggers_replace").path(0).asString()).isEqualTo("2");
        assertThat(changes.stream().map(c -> c.before() + " " + c.after())).noneMatch(s -> s.contains(SECRET));
    }

    @Test
    void recordedOutputsKeepSensitiveValuesOutReplayingTerraform1_11Output() {
        JsonNode outputs = OpenTofuJson.outputs(json("output.json"));

        assertThat(outputs.path("greeting").asString()).isEqualTo("hello");
        assertThat(outputs.path("secret").asString()).isEqualTo(OpenTofuJson.SENSITIVE);
        assertThat(outputs.toString()).doesNotContain(SECRET);
    }

    @Test
    void recordedUiLinesBecomeReadableLogLinesReplayingTerraform1_11Output() {
        List<OpenTofuJson.UiLine> plan = lines("plan-ui.jsonl");
        assertThat(plan).extracting(OpenTofuJson.UiLine::text).contains("Terraform 1.11.4",
                "terraform_data.replaced: Plan to replace", "terraform_data.removed: Plan to delete",
                "Plan: 2 to add, 1 to change, 2 to destroy.");
        assertThat(plan).extracting(OpenTofuJson.UiLine::level).containsOnly("info");
        assertThat(plan).extracting(OpenTofuJson.UiLine::error).containsOnlyNulls();
        assertThat(lines("apply-ui.jsonl")).extracting(OpenTofuJson.UiLine::text)
                .contains("Apply complete! Resources: 2 added, 1 changed, 2 destroyed.");

        List<OpenTofuJson.UiLine> failed = lines("error-ui.jsonl");
        OpenTofuJson.UiLine error = failed.getLast();
        assertThat(error.level()).isEqualTo("error");
        assertThat(error.text()).startsWith("Error: Reference to undeclared input variable (bad.tf:2): An input "
                + "variable with the name \"missing\" has not been declared.");
        assertThat(error.error()).startsWith("Reference to undeclared input variable: An input variable");

        assertThat(OpenTofuJson.uiLine("Initializing the backend...").text()).isEqualTo("Initializing the backend...");
        assertThat(OpenTofuJson.uiLine("{not json").text()).isEqualTo("{not json");
    }

    private static List<OpenTofuJson.UiLine> lines(String name) {
        return text(name).lines().filter(l -> !l.isBlank()).map(OpenTofuJson::uiLine).toList();
    }

    private static JsonNode json(String name) {
        return JSON.readTree(text(name));
    }

    private static String text(String name) {
        try (InputStream in = OpenTofuJsonReplayTest.class.getResourceAsStream("/opentofu/terraform-1.11.4/"
                + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
